/* ELU: x > 0 ? x : alpha * (exp(x) - 1), with exp(x) - 1 rather than expm1 as PyTorch's
 * CPU kernel computes it (the two differ by float rounding near 0). */
#include "elu.h"
#include "elementwise.h"

#include <math.h>

static void fwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = c->x[i] > 0.0f ? c->x[i] : (expf(c->x[i]) - 1.0f) * c->a;
}

static void bwd_range(const sfew_ew *c, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = c->x[i] > 0.0f ? c->g[i] : c->g[i] * c->a * expf(c->x[i]);
}

sfew_status sfew_elu_check_alpha(double alpha, sfew_err *err)
{
    if (!isfinite(alpha))
        return sfew_fail(err, SFEW_EINVAL, "ELU: alpha must be finite, got %g", alpha);
    return SFEW_OK;
}

sfew_status sfew_elu_forward(const sfew_tensor *in, sfew_tensor *out, double alpha,
                             int threads, sfew_err *err)
{
    sfew_status st = sfew_elu_check_alpha(alpha, err);
    if (st)
        return st;
    return sfew_ew_forward_a(in, out, (float)alpha, threads, fwd_range, err);
}

sfew_status sfew_elu_check(const sfew_tensor *in, const sfew_tensor *grad_out, sfew_err *err)
{
    return sfew_ew_check("ELU", in, grad_out, err);
}

sfew_status sfew_elu_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                              sfew_tensor *grad_in, double alpha, int threads, sfew_err *err)
{
    sfew_status st = sfew_elu_check_alpha(alpha, err);
    if (st)
        return st;
    return sfew_ew_backward_a("ELU", in, grad_out, grad_in, (float)alpha, threads, bwd_range,
                              err);
}
