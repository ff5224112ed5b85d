/* Random square patches of images, for training the PIC autoencoder on pixels as the
 * original progressive image compression work did. */
#ifndef SFEW_DATA_PATCHES_H
#define SFEW_DATA_PATCHES_H

#include "../rng.h"
#include "../tensor.h"

/* images (N x C x H x W): writes *out (count x C*k*k, allocated), each row one k x k patch
 * at a random image and position drawn from rng (row-major, channel first). */
sfew_status sfew_data_random_patches(const sfew_tensor *images, int64_t k, int64_t count,
                                     sfew_rng *rng, sfew_tensor **out, sfew_err *err);

#endif
