/* ReLU: max(x, 0), element-wise; the shared plumbing is in elementwise.c. */
#include "relu.h"
#include "elementwise.h"

#include <math.h>

static void fwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = c->x[i] > 0.0f ? c->x[i] : 0.0f;
}

static void bwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++) {
        c->y[i] = c->x[i] > 0.0f ? c->g[i] : 0.0f;
    }
}

sfew_status sfew_relu_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                              sfew_err *err)
{
    return sfew_ew_forward(in, out, threads, fwd_range, err);
}

sfew_status sfew_relu_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                            sfew_err *err)
{
    return sfew_ew_check("ReLU", in, grad_out, err);
}

sfew_status sfew_relu_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                               sfew_tensor *grad_in, int threads, sfew_err *err)
{
    return sfew_ew_backward("ReLU", in, grad_out, grad_in, threads, bwd_range, err);
}
