/* Tanh: tanh(x), element-wise; the shared plumbing is in elementwise.c. */
#include "tanh.h"
#include "elementwise.h"

#include <math.h>

static void fwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = tanhf(c->x[i]);
}

static void bwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++) {
        float t = tanhf(c->x[i]);
        c->y[i] = c->g[i] * (1.0f - t * t);
    }
}

sfew_status sfew_tanh_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                              sfew_err *err)
{
    return sfew_ew_forward(in, out, threads, fwd_range, err);
}

sfew_status sfew_tanh_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                            sfew_err *err)
{
    return sfew_ew_check("Tanh", in, grad_out, err);
}

sfew_status sfew_tanh_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                               sfew_tensor *grad_in, int threads, sfew_err *err)
{
    return sfew_ew_backward("Tanh", in, grad_out, grad_in, threads, bwd_range, err);
}
