/* Tanh: forward and backward element-wise loops, parallel with OpenMP. */
#include "tanh.h"
#include "par.h"

#include <math.h>

sfew_status sfew_tanh_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                              sfew_err *err)
{
    sfew_status st;
    if (out != in && (st = sfew_tensor_resize(out, in->ndim, in->shape, err)))
        return st;
    const float *x = in->data;
    float *y = out->data;
#pragma omp parallel for num_threads(sfew_par_threads(threads, in->numel)) schedule(static)
    for (int64_t i = 0; i < in->numel; i++)
        y[i] = tanhf(x[i]);
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
    const float *x = in->data, *g = grad_out->data;
    float *gi = grad_in->data;
#pragma omp parallel for num_threads(sfew_par_threads(threads, in->numel)) schedule(static)
    for (int64_t i = 0; i < in->numel; i++) {
        float t = tanhf(x[i]);
        gi[i] = g[i] * (1.0f - t * t);
    }
    return SFEW_OK;
}
