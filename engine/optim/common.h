/* What the optimisers share: state tensors made like the parameters, and the check before
 * a step that the parameters and gradients still have the shapes of that state. Internal. */
#ifndef SFEW_OPTIM_COMMON_H
#define SFEW_OPTIM_COMMON_H

#include "../status.h"
#include "../tensor.h"

/* *out = a new array of n zeroed tensors, tensor i shaped like params[i]. On failure
 * *out stays NULL and nothing is left allocated. */
sfew_status sfew_optim_state_new(int n, const sfew_tensor *const *params, sfew_tensor ***out,
                                 sfew_err *err);
/* Frees an array made by sfew_optim_state_new (NULL: nothing). */
void sfew_optim_state_free(int n, sfew_tensor **state);

/* SFEW_ESHAPE, naming fname and the parameter, unless params[i] and grads[i] have the shape
 * of state[i] (a buffer made like params[i]) for every i < n. */
sfew_status sfew_optim_check_shapes(const char *fname, int n, sfew_tensor *const *params,
                                    const sfew_tensor *const *grads, sfew_tensor *const *state,
                                    sfew_err *err);

#endif
