/* 2-D max pooling over NCHW images, floor mode, no padding. Forward keeps the argmax
 * positions (not copies of the input) for backward. */
#ifndef SFEW_MAXPOOL2D_H
#define SFEW_MAXPOOL2D_H

#include "../tensor.h"

typedef struct sfew_maxpool2d {
    int64_t k, stride;
    int32_t *argmax;   /* cache: (N, C, OH, OW) offsets into each input plane H*W */
    int64_t argmax_cap;
    int ndim_in;       /* cache: the input shape argmax belongs to (0 = none yet) */
    int64_t in_shape[4];
} sfew_maxpool2d;

/* kernel k >= 1, stride >= 1 (PyTorch's default stride is k: pass k). */
sfew_status sfew_maxpool2d_create(int64_t k, int64_t stride, sfew_maxpool2d **out,
                                  sfew_err *err);
void sfew_maxpool2d_free(sfew_maxpool2d *l);
/* SFEW_ESHAPE unless in is (N, C, H, W) with H, W >= k; writes OH, OW (may be NULL). */
sfew_status sfew_maxpool2d_check(const sfew_maxpool2d *l, const sfew_tensor *in, int64_t *oh,
                                 int64_t *ow, sfew_err *err);
/* Resizes out to (N, C, OH, OW); caches the argmax of every window (the first maximum;
 * NaN wins, as in PyTorch). Planes run in parallel on up to `threads` threads. */
sfew_status sfew_maxpool2d_forward(sfew_maxpool2d *l, const sfew_tensor *in, sfew_tensor *out,
                                   int threads, sfew_err *err);
/* Pools ReLU(in) without writing ReLU(in) anywhere: out = max(0, window max), and a window
 * with no positive value caches argmax -1 (no gradient). Equal to ReLU then forward, and
 * the following backward then gives the gradient with respect to in before the ReLU. */
sfew_status sfew_maxpool2d_forward_relu(sfew_maxpool2d *l, const sfew_tensor *in,
                                        sfew_tensor *out, int threads, sfew_err *err);
/* Overwrites grad_in (resized to in's shape): each grad_out entry goes to its window's
 * argmax (nowhere for -1). in must have the shape of the last forward's input. */
sfew_status sfew_maxpool2d_backward(sfew_maxpool2d *l, const sfew_tensor *in,
                                    const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                    int threads, sfew_err *err);

#endif
