/* Mean squared error. */
#include "mse.h"

#include <math.h>

sfew_status sfew_mse_check(const sfew_tensor *in, const sfew_tensor *target, sfew_err *err)
{
    char a[96], b[96];
    if (!sfew_tensor_same_shape(in, target))
        return sfew_fail(err, SFEW_ESHAPE, "MSELoss: target is %s, input is %s",
                         sfew_shape_str(target->ndim, target->shape, a, 96),
                         sfew_shape_str(in->ndim, in->shape, b, 96));
    return SFEW_OK;
}

sfew_status sfew_mse_forward(const sfew_tensor *in, const sfew_tensor *target, double *loss,
                             sfew_err *err)
{
    sfew_status st = sfew_mse_check(in, target, err);
    if (st)
        return st;
    double s = 0.0;
    for (int64_t i = 0; i < in->numel; i++) {
        double d = (double)in->data[i] - target->data[i];
        s += d * d;
    }
    *loss = in->numel > 0 ? s / (double)in->numel : NAN;
    return SFEW_OK;
}

sfew_status sfew_mse_backward(const sfew_tensor *in, const sfew_tensor *target,
                              sfew_tensor *grad_in, sfew_err *err)
{
    sfew_status st = sfew_mse_check(in, target, err);
    if (st || (st = sfew_tensor_resize(grad_in, in->ndim, in->shape, err)))
        return st;
    float scale = in->numel > 0 ? 2.0f / (float)in->numel : 0.0f;
    for (int64_t i = 0; i < in->numel; i++)
        grad_in->data[i] = scale * (in->data[i] - target->data[i]);
    return SFEW_OK;
}
