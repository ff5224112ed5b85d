/* conv2d through our own direct kernels (conv2d_kernels.h) where they apply: stride 1, an
 * AVX2 or AVX-512 CPU, and the reference path not forced. Internal to conv2d. */
#ifndef SFEW_CONV2D_FAST_H
#define SFEW_CONV2D_FAST_H

#include "conv2d.h"
#include "conv2d_kernels.h"

/* The kernel for l, or NULL where the reference path runs. */
sfew_conv2d_direct_fn sfew_conv2d_fast_kernel(const sfew_conv2d *l);
/* The weight-gradient kernel for l, or NULL where the reference path runs. */
sfew_conv2d_wgrad_fn sfew_conv2d_fast_wgrad_kernel(const sfew_conv2d *l);
/* Floats of per-part work one image needs (the padded input, or the padded gradient). */
int64_t sfew_conv2d_fast_work(const sfew_conv2d *l, int64_t H, int64_t W, int64_t OH,
                              int64_t OW);
/* The weights rearranged for the kernel into l->wt: (C*k*k, Kp) for forward, and with
 * backward set, flipped and transposed into (K*k*k, Cp) for the input gradient. */
sfew_status sfew_conv2d_fast_weights(sfew_conv2d *l, int backward, sfew_err *err);
/* out (K, OH, OW) for one image img (C, H, W); work holds sfew_conv2d_fast_work floats. */
void sfew_conv2d_fast_image(const sfew_conv2d *l, sfew_conv2d_direct_fn fn, const float *img,
                            int64_t H, int64_t W, float *work, float *out);
/* Adds one image's weight gradient into gp (C*k*k, K), from img (C, H, W) and its gout
 * (K, OH, OW); work as for sfew_conv2d_fast_image. */
void sfew_conv2d_fast_wgrad_image(const sfew_conv2d *l, sfew_conv2d_wgrad_fn fn,
                                  const float *img, int64_t H, int64_t W, const float *gout,
                                  float *work, float *gp);
/* grad_in (C, H, W) for one image from its gout (K, OH, OW). */
void sfew_conv2d_fast_grad_image(const sfew_conv2d *l, sfew_conv2d_direct_fn fn,
                                 const float *gout, int64_t OH, int64_t OW, float *work,
                                 float *gin);

#endif
