/* The gradient check shared by the pooling layers' backward passes. */
#include "pool.h"

sfew_status sfew_pool_check_grad(const char *name, const sfew_tensor *grad_out, int64_t n,
                                 int64_t c, int64_t oh, int64_t ow, sfew_err *err)
{
    char buf[96];
    if (grad_out->ndim != 4 || grad_out->shape[0] != n || grad_out->shape[1] != c
        || grad_out->shape[2] != oh || grad_out->shape[3] != ow)
        return sfew_fail(err, SFEW_ESHAPE, "%s backward: grad_output is %s, expected "
                         "%lldx%lldx%lldx%lld", name, sfew_shape_str(grad_out->ndim,
                         grad_out->shape, buf, 96), (long long)n, (long long)c, (long long)oh,
                         (long long)ow);
    return SFEW_OK;
}
