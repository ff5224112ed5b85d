/* Fully connected layer on sfew_gemm. Products under SMALL multiply-adds run on one BLAS
 * thread: waking OpenBLAS's pool for them costs more than it saves, and its idle workers
 * then spin in sched_yield (34000 calls in three training steps of the paper's CNN),
 * taking the cores the conv layers' threads need. */
#include "linear.h"

#include <stdlib.h>

#include "../gemm.h"
#include "params.h"

sfew_status sfew_linear_create(int64_t in, int64_t out_features, int bias, sfew_rng *rng,
                               sfew_linear **out, sfew_err *err)
{
    if (in < 1 || out_features < 1 || in > INT32_MAX || out_features > INT32_MAX)
        return sfew_fail(err, SFEW_EINVAL, "linear_create: sizes must be positive, got %lld "
                         "-> %lld", (long long)in, (long long)out_features);
    sfew_linear *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "linear_create: out of memory");
    l->in = in;
    l->out = out_features;
    int64_t shape[2] = {out_features, in};
    sfew_status st = sfew_params_new(2, shape, bias ? out_features : 0, &l->weight, &l->bias,
                                     &l->grad_weight, &l->grad_bias, err);
    if (st) {
        free(l);
        return st;
    }
    sfew_params_init(l->weight, l->bias, in, rng);
    *out = l;
    return SFEW_OK;
}

void sfew_linear_free(sfew_linear *l)
{
    if (!l)
        return;
    sfew_params_free(l->weight, l->bias, l->grad_weight, l->grad_bias);
    free(l);
}

sfew_status sfew_linear_check(const sfew_linear *l, const sfew_tensor *in, sfew_err *err)
{
    char buf[96];
    if (in->ndim != 2 || in->shape[1] != l->in)
        return sfew_fail(err, SFEW_ESHAPE, "Linear expects 2-D N x %lld input, got %s",
                         (long long)l->in, sfew_shape_str(in->ndim, in->shape, buf, 96));
    if (in->shape[0] > INT32_MAX)
        return sfew_fail(err, SFEW_ESHAPE, "Linear: batch of %lld rows is too large",
                         (long long)in->shape[0]);
    return SFEW_OK;
}

#define SMALL ((int64_t)1 << 26)

/* Sets OpenBLAS to one thread for a small product; returns the setting to restore. */
static int blas_for(int64_t M, int64_t N, int64_t K)
{
    return M * N * K < SMALL ? sfew_blas_threads(1) : 0;
}

static void blas_restore(int old)
{
    if (old > 0)
        sfew_blas_threads(old);
}

sfew_status sfew_linear_forward(sfew_linear *l, const sfew_tensor *in, sfew_tensor *out,
                                sfew_err *err)
{
    sfew_status st = sfew_linear_check(l, in, err);
    if (st)
        return st;
    int N = (int)in->shape[0], I = (int)l->in, O = (int)l->out;
    int64_t shape[2] = {N, O};
    if ((st = sfew_tensor_resize(out, 2, shape, err)))
        return st;
    float *y = out->data; /* (N, O) */
    if (l->bias)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                y[(int64_t)n * O + o] = l->bias->data[o];
    int old = blas_for(N, O, I);
    sfew_gemm(0, 1, N, O, I, 1.0f, in->data, I, l->weight->data, I, l->bias ? 1.0f : 0.0f, y,
              O);
    blas_restore(old);
    return SFEW_OK;
}

sfew_status sfew_linear_backward(sfew_linear *l, const sfew_tensor *in,
                                 const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                 sfew_err *err)
{
    sfew_status st = sfew_linear_check(l, in, err);
    if (st)
        return st;
    int N = (int)in->shape[0], I = (int)l->in, O = (int)l->out;
    char buf[96];
    if (grad_out->ndim != 2 || grad_out->shape[0] != N || grad_out->shape[1] != O)
        return sfew_fail(err, SFEW_ESHAPE, "Linear backward: grad_output is %s, expected "
                         "%dx%d", sfew_shape_str(grad_out->ndim, grad_out->shape, buf, 96), N,
                         O);
    if (grad_in && (st = sfew_tensor_resize(grad_in, 2, in->shape, err)))
        return st;
    const float *g = grad_out->data; /* (N, O) */
    int old = blas_for(N, O, I);
    /* grad_weight (O, I) += grad_out^T (O, N) * in (N, I) */
    sfew_gemm(1, 0, O, I, N, 1.0f, g, O, in->data, I, 1.0f, l->grad_weight->data, I);
    if (l->grad_bias)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                l->grad_bias->data[o] += g[(int64_t)n * O + o];
    if (grad_in) /* (N, I) = grad_out (N, O) * W (O, I) */
        sfew_gemm(0, 0, N, I, O, 1.0f, g, O, l->weight->data, I, 0.0f, grad_in->data, I);
    blas_restore(old);
    return SFEW_OK;
}

sfew_status sfew_linear_set_params(sfew_linear *l, const sfew_tensor *weight,
                                   const sfew_tensor *bias, sfew_err *err)
{
    char buf[96];
    if (weight->ndim != 2 || weight->shape[0] < 1 || weight->shape[1] < 1)
        return sfew_fail(err, SFEW_ESHAPE, "linear_set_params: weight must be 2-D O x I, "
                         "got %s", sfew_shape_str(weight->ndim, weight->shape, buf, 96));
    sfew_status st = sfew_params_set("linear_set_params", weight, bias, &l->weight, &l->bias,
                                     &l->grad_weight, &l->grad_bias, err);
    if (st)
        return st;
    l->out = weight->shape[0];
    l->in = weight->shape[1];
    return SFEW_OK;
}
