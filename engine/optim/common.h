/* What the optimisers share: the check, before a step, that the parameters and gradients
 * still have the shapes of the state made for them. Internal. */
#ifndef SFEW_OPTIM_COMMON_H
#define SFEW_OPTIM_COMMON_H

#include "../status.h"
#include "../tensor.h"

/* SFEW_ESHAPE, naming fname and the parameter, unless params[i] and grads[i] have the shape
 * of state[i] (a buffer made like params[i]) for every i < n. */
sfew_status sfew_optim_check_shapes(const char *fname, int n, sfew_tensor *const *params,
                                    const sfew_tensor *const *grads, sfew_tensor *const *state,
                                    sfew_err *err);

#endif
