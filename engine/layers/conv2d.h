/* 2-D convolution (cross-correlation, as PyTorch) on NCHW images, in parallel over
 * images: our direct AVX2 / AVX-512 kernels where they apply (stride 1, conv2d_fast.h),
 * else im2col and sfew_gemm, the reference path. Optional kernel mask for pruning. */
#ifndef SFEW_CONV2D_H
#define SFEW_CONV2D_H

#include "../rng.h"
#include "../tensor.h"

typedef struct sfew_conv2d {
    int64_t C, K, k;          /* in-channels, out-channels (kernels), kernel size */
    int64_t stride, padding;  /* padding is zeros on every side */
    sfew_tensor *weight;      /* (K, C, k, k) */
    sfew_tensor *bias;        /* (K), or NULL */
    sfew_tensor *grad_weight; /* (K, C, k, k) */
    sfew_tensor *grad_bias;   /* (K), or NULL */
    sfew_tensor *mask;        /* (K): 0 = kernel pruned, 1 = kept; NULL = no mask */
    sfew_tensor *cols;        /* work: (P, C*k*k, OH*OW), one im2col matrix per part */
    sfew_tensor *part_grads;  /* work: (P, K*C*k*k + K), per-part parameter gradients */
    sfew_tensor *wt;          /* work: the weights in our direct kernels' layout */
} sfew_conv2d;

/* PyTorch's default initialisation: weight and bias uniform in +-1/sqrt(C*k*k) from
 * rng (weight first). stride >= 1, padding >= 0. The caller owns *out. */
sfew_status sfew_conv2d_create(int64_t C, int64_t K, int64_t k, int64_t stride,
                               int64_t padding, int bias, sfew_rng *rng, sfew_conv2d **out,
                               sfew_err *err);
void sfew_conv2d_free(sfew_conv2d *l);
/* SFEW_ESHAPE unless in is (N, C, H, W) with H, W large enough for one output pixel.
 * Writes the output height and width into *oh, *ow (either may be NULL). */
sfew_status sfew_conv2d_check(const sfew_conv2d *l, const sfew_tensor *in, int64_t *oh,
                              int64_t *ow, sfew_err *err);
/* Resizes out to (N, K, OH, OW) and fills it, using up to `threads` threads of
 * engine/parallel.h, each running single-threaded BLAS. Masked kernels' weights are zeroed in place first.
 * Caches nothing but work buffers: backward recomputes im2col from in. */
sfew_status sfew_conv2d_forward(sfew_conv2d *l, const sfew_tensor *in, sfew_tensor *out,
                                int threads, sfew_err *err);
/* Adds into grad_weight/grad_bias (masked kernels' weight gradients are then zeroed);
 * overwrites grad_in (resized to in's shape; NULL skips the input gradient).
 * Per-part gradients are summed in part order: deterministic for a thread count. */
sfew_status sfew_conv2d_backward(sfew_conv2d *l, const sfew_tensor *in,
                                 const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                 int threads, sfew_err *err);
/* Sets the kernel mask from a (K) tensor (nonzero = keep; copied), or clears it (NULL). */
sfew_status sfew_conv2d_set_mask(sfew_conv2d *l, const sfew_tensor *mask, sfew_err *err);
/* Replaces the parameters by copies of weight (K', C', k, k) and bias ((K') or NULL when
 * the layer has none); C and K follow the new shape, gradients restart at zero, and the
 * mask is cleared (its size no longer fits). */
sfew_status sfew_conv2d_set_params(sfew_conv2d *l, const sfew_tensor *weight,
                                   const sfew_tensor *bias, sfew_err *err);

/* Which kernels forward and backward run now, e.g. "im2col + OpenBLAS (reference)". */
const char *sfew_conv2d_kernels_name(void);

#endif
