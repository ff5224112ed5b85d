/* 2-D adaptive average pooling as torch.nn.AdaptiveAvgPool2d: the output has a fixed size
 * (OH, OW) whatever the input's, output row o averaging input rows
 * [floor(o H / OH), ceil((o + 1) H / OH)) (columns alike). (1, 1) is global pooling. */
#ifndef SFEW_ADAPTIVE_AVGPOOL2D_H
#define SFEW_ADAPTIVE_AVGPOOL2D_H

#include "../tensor.h"

typedef struct sfew_adaptive_avgpool2d {
    int64_t oh, ow; /* OH, OW */
} sfew_adaptive_avgpool2d;

/* oh, ow >= 1. Caller owns *out. */
sfew_status sfew_adaptive_avgpool2d_create(int64_t oh, int64_t ow,
                                           sfew_adaptive_avgpool2d **out, sfew_err *err);
void sfew_adaptive_avgpool2d_free(sfew_adaptive_avgpool2d *l);
/* SFEW_ESHAPE unless in is (N, C, H, W) with H, W >= 1. */
sfew_status sfew_adaptive_avgpool2d_check(const sfew_adaptive_avgpool2d *l,
                                          const sfew_tensor *in, sfew_err *err);
/* Resizes out to (N, C, OH, OW) and writes the region means. Caches nothing. Planes run in
 * parallel on up to `threads` threads. */
sfew_status sfew_adaptive_avgpool2d_forward(sfew_adaptive_avgpool2d *l, const sfew_tensor *in,
                                            sfew_tensor *out, int threads, sfew_err *err);
/* Overwrites grad_in (resized to in's shape): each grad_out entry spread evenly over its
 * region (regions may overlap: contributions add). grad_out is (N, C, OH, OW). */
sfew_status sfew_adaptive_avgpool2d_backward(sfew_adaptive_avgpool2d *l, const sfew_tensor *in,
                                             const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                             int threads, sfew_err *err);

#endif
