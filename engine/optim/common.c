/* State tensors and the shape check shared by the optimisers. */
#include "common.h"

#include <stdlib.h>

sfew_status sfew_optim_state_new(int n, const sfew_tensor *const *params, sfew_tensor ***out,
                                 sfew_err *err)
{
    sfew_tensor **s = calloc((size_t)n + 1, sizeof *s);
    if (!s)
        return sfew_fail(err, SFEW_ENOMEM, "optimiser state: out of memory");
    for (int i = 0; i < n; i++) {
        sfew_status st = sfew_tensor_new(params[i]->ndim, params[i]->shape, &s[i], err);
        if (st) {
            sfew_optim_state_free(i, s);
            return st;
        }
    }
    *out = s;
    return SFEW_OK;
}

void sfew_optim_state_free(int n, sfew_tensor **state)
{
    if (!state)
        return;
    for (int i = 0; i < n; i++)
        sfew_tensor_free(state[i]);
    free(state);
}

sfew_status sfew_optim_check_shapes(const char *fname, int n, sfew_tensor *const *params,
                                    const sfew_tensor *const *grads, sfew_tensor *const *state,
                                    sfew_err *err)
{
    for (int i = 0; i < n; i++)
        if (!sfew_tensor_same_shape(params[i], state[i])
            || !sfew_tensor_same_shape(grads[i], state[i]))
            return sfew_fail(err, SFEW_ESHAPE, "%s: parameter %d or its gradient changed shape "
                             "since the optimiser was made", fname, i + 1);
    return SFEW_OK;
}
