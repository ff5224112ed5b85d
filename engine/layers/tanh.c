/* Tanh: forward and backward element-wise loops, parallel over ranges (parallel.h). */
#include "tanh.h"
#include "parallel.h"

#include <math.h>
#include <stddef.h>

/* One element-wise pass: x the input, g the gradient (backward only), y the result. */
typedef struct ew {
    const float *x, *g;
    float *y;
} ew;

static void fwd_range(void *ctx, int64_t lo, int64_t hi)
{
    ew *c = ctx;
    for (int64_t i = lo; i < hi; i++)
        c->y[i] = tanhf(c->x[i]);
}

static void bwd_range(void *ctx, int64_t lo, int64_t hi)
{
    ew *c = ctx;
    for (int64_t i = lo; i < hi; i++) {
        float t = tanhf(c->x[i]);
        c->y[i] = c->g[i] * (1.0f - t * t);
    }
}

sfew_status sfew_tanh_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                              sfew_err *err)
{
    sfew_status st;
    if (out != in && (st = sfew_tensor_resize(out, in->ndim, in->shape, err)))
        return st;
    ew c = {in->data, NULL, out->data};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->numel, fwd_range, &c);
    return SFEW_OK;
}

sfew_status sfew_tanh_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                            sfew_err *err)
{
    char a[96], b[96];
    if (!sfew_tensor_same_shape(in, grad_out))
        return sfew_fail(err, SFEW_ESHAPE, "Tanh backward: grad_output is %s, input is %s",
                         sfew_shape_str(grad_out->ndim, grad_out->shape, a, 96),
                         sfew_shape_str(in->ndim, in->shape, b, 96));
    return SFEW_OK;
}

sfew_status sfew_tanh_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                               sfew_tensor *grad_in, int threads, sfew_err *err)
{
    sfew_status st = sfew_tanh_check(in, grad_out, err);
    if (st)
        return st;
    if (grad_in != grad_out && (st = sfew_tensor_resize(grad_in, in->ndim, in->shape, err)))
        return st;
    ew c = {in->data, grad_out->data, grad_in->data};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->numel, bwd_range, &c);
    return SFEW_OK;
}
