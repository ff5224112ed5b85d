/* What the pooling layers share: the check of a backward's gradient against the output
 * the forward made, and the sum and the spread of a gradient over one window of a plane.
 * Internal. */
#ifndef SFEW_LAYERS_POOL_H
#define SFEW_LAYERS_POOL_H

#include "../tensor.h"

/* SFEW_ESHAPE, naming the layer, unless grad_out is (n, c, oh, ow). */
sfew_status sfew_pool_check_grad(const char *name, const sfew_tensor *grad_out, int64_t n,
                                 int64_t c, int64_t oh, int64_t ow, sfew_err *err);

/* Sum of rows [h0, h1) and columns [w0, w1) of a plane W wide, row by row. */
static inline float sfew_window_sum(const float *x, int64_t W, int64_t h0, int64_t h1,
                                    int64_t w0, int64_t w1)
{
    float s = 0.0f;
    for (int64_t i = h0; i < h1; i++)
        for (int64_t k = w0; k < w1; k++)
            s += x[i * W + k];
    return s;
}

/* Adds g to rows [h0, h1) and columns [w0, w1) of a plane W wide. */
static inline void sfew_window_add(float *y, int64_t W, int64_t h0, int64_t h1, int64_t w0,
                                   int64_t w1, float g)
{
    for (int64_t i = h0; i < h1; i++)
        for (int64_t k = w0; k < w1; k++)
            y[i * W + k] += g;
}

#endif
