/* Sigmoid: 1 / (1 + exp(-x)), element-wise; the shared plumbing is in elementwise.c. */
#include "sigmoid.h"
#include "elementwise.h"

#include <math.h>

static void fwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = 1.0f / (1.0f + expf(-c->x[i]));
}

static void bwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++) {
        float s = 1.0f / (1.0f + expf(-c->x[i]));
        c->y[i] = c->g[i] * s * (1.0f - s);
    }
}

sfew_status sfew_sigmoid_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                                 sfew_err *err)
{
    return sfew_ew_forward(in, out, threads, fwd_range, err);
}

sfew_status sfew_sigmoid_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                               sfew_err *err)
{
    return sfew_ew_check("Sigmoid", in, grad_out, err);
}

sfew_status sfew_sigmoid_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                                  sfew_tensor *grad_in, int threads, sfew_err *err)
{
    return sfew_ew_backward("Sigmoid", in, grad_out, grad_in, threads, bwd_range, err);
}
