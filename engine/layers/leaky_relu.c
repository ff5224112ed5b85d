/* LeakyReLU: x > 0 ? x : slope * x; the shared plumbing is in elementwise.c. */
#include "leaky_relu.h"
#include "elementwise.h"

#include <math.h>

static void fwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = c->x[i] > 0.0f ? c->x[i] : c->x[i] * c->a;
}

static void bwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = c->x[i] > 0.0f ? c->g[i] : c->g[i] * c->a;
}

sfew_status sfew_leaky_relu_check_slope(double slope, sfew_err *err)
{
    if (!isfinite(slope))
        return sfew_fail(err, SFEW_EINVAL, "LeakyReLU: negative_slope must be finite, got %g",
                         slope);
    return SFEW_OK;
}

sfew_status sfew_leaky_relu_forward(const sfew_tensor *in, sfew_tensor *out, double slope,
                                    int threads, sfew_err *err)
{
    sfew_status st = sfew_leaky_relu_check_slope(slope, err);
    if (st)
        return st;
    return sfew_ew_forward_a(in, out, (float)slope, threads, fwd_range, err);
}

sfew_status sfew_leaky_relu_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                                  sfew_err *err)
{
    return sfew_ew_check("LeakyReLU", in, grad_out, err);
}

sfew_status sfew_leaky_relu_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                                     sfew_tensor *grad_in, double slope, int threads,
                                     sfew_err *err)
{
    sfew_status st = sfew_leaky_relu_check_slope(slope, err);
    if (st)
        return st;
    return sfew_ew_backward_a("LeakyReLU", in, grad_out, grad_in, (float)slope, threads,
                              bwd_range, err);
}
