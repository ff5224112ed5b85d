/* The shape check shared by the optimisers' steps. */
#include "common.h"

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
