/* What the image descriptors (LPQ, PHOG) share: reading a tensor as a batch of
 * grayscale images, and one deterministic parallel loop over them (engine/parallel.h). */
#ifndef SFEW_FEATURES_BATCH_H
#define SFEW_FEATURES_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "../tensor.h"

/* The images in x: (H, W) or (1, H, W) is one image, (N, 1, H, W) is a batch of N.
 * Writes n, h, w and *batch (1 for the 4-d form). SFEW_ESHAPE for anything else;
 * `who` names the caller in the message. */
sfew_status sfew_features_image_dims(const sfew_tensor *x, const char *who, int64_t *n,
                                     int64_t *h, int64_t *w, int *batch, sfew_err *err);

/* Computes one descriptor: img (h, w) -> out (d). work holds `work` doubles (zeroed
 * before each call is not promised). ctx is the caller's read-only state. */
typedef void (*sfew_image_fn)(const float *img, int64_t h, int64_t w, float *out,
                              double *work, const void *ctx);

/* Runs fn on each of the n images of x into the rows of out (n, d) using up to
 * `threads` threads, each with its own work buffer of `work` doubles. The result does
 * not depend on the thread count. SFEW_ENOMEM if a buffer cannot be had. */
sfew_status sfew_features_map(const sfew_tensor *x, int64_t n, int64_t h, int64_t w,
                              sfew_tensor *out, int64_t d, sfew_image_fn fn, const void *ctx,
                              size_t work, int threads, const char *who, sfew_err *err);

/* out (N, Da + Db) = [a | b] for a (N, Da) and b (N, Db). SFEW_ESHAPE on mismatch. */
sfew_status sfew_features_hcat(const sfew_tensor *a, const sfew_tensor *b, sfew_tensor *out,
                               sfew_err *err);

#endif
