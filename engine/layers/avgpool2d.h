/* 2-D average pooling over NCHW images as torch.nn.AvgPool2d (square kernel, floor mode):
 * padding adds zeros on each side, and with count_include_pad (PyTorch's default) a window
 * is divided by its size clipped to the padded image, otherwise by the pixels it covers. */
#ifndef SFEW_AVGPOOL2D_H
#define SFEW_AVGPOOL2D_H

#include "../tensor.h"

typedef struct sfew_avgpool2d {
    int64_t k, stride, pad;
    int count_include_pad;
} sfew_avgpool2d;

/* kernel k >= 1, stride >= 1 (PyTorch's default stride is k: pass k), 0 <= pad <= k / 2
 * (PyTorch's limit). Caller owns *out. */
sfew_status sfew_avgpool2d_create(int64_t k, int64_t stride, int64_t pad,
                                  int count_include_pad, sfew_avgpool2d **out, sfew_err *err);
void sfew_avgpool2d_free(sfew_avgpool2d *l);
/* SFEW_ESHAPE unless in is (N, C, H, W) with H + 2 pad, W + 2 pad >= k; writes OH, OW (may
 * be NULL). */
sfew_status sfew_avgpool2d_check(const sfew_avgpool2d *l, const sfew_tensor *in, int64_t *oh,
                                 int64_t *ow, sfew_err *err);
/* Resizes out to (N, C, OH, OW) and writes the window means. Caches nothing. Planes run in
 * parallel on up to `threads` threads. */
sfew_status sfew_avgpool2d_forward(sfew_avgpool2d *l, const sfew_tensor *in, sfew_tensor *out,
                                   int threads, sfew_err *err);
/* Overwrites grad_in (resized to in's shape): each grad_out entry spread evenly (by the
 * forward's divisor) over its window. grad_out is (N, C, OH, OW). */
sfew_status sfew_avgpool2d_backward(sfew_avgpool2d *l, const sfew_tensor *in,
                                    const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                    int threads, sfew_err *err);

#endif
