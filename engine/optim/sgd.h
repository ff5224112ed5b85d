/* Stochastic gradient descent with PyTorch's update rule (torch.optim.SGD, 1.13):
 *   d = g + weight_decay * p
 *   buf = d at the first step, then momentum * buf + (1 - dampening) * d
 *   p -= lr * (nesterov ? d + momentum * buf : buf)      (p -= lr * d without momentum) */
#ifndef SFEW_OPTIM_SGD_H
#define SFEW_OPTIM_SGD_H

#include <stdint.h>

#include "../status.h"
#include "../tensor.h"

typedef struct sfew_sgd_opts {
    double lr;           /* > 0 */
    double momentum;     /* >= 0 */
    double dampening;    /* >= 0 */
    double weight_decay; /* >= 0 */
    int nesterov;        /* needs momentum > 0 and dampening = 0 */
} sfew_sgd_opts;

typedef struct sfew_sgd sfew_sgd; /* opaque: options, momentum buffers, step counts */

/* Checks option values; SFEW_EINVAL naming the bad one ("sgd: lr must be positive"). */
sfew_status sfew_sgd_opts_check(const sfew_sgd_opts *o, sfew_err *err);
/* An optimiser for n parameters shaped like params (only the shapes are read); momentum
 * buffers are allocated here so that step never allocates. Caller owns *out. */
sfew_status sfew_sgd_create(int n, const sfew_tensor *const *params, const sfew_sgd_opts *o,
                            sfew_sgd **out, sfew_err *err);
void sfew_sgd_free(sfew_sgd *s);

/* One update of params (n tensors, in place) from grads; shapes must match those given
 * at creation (SFEW_ESHAPE otherwise, nothing changed). */
sfew_status sfew_sgd_step(sfew_sgd *s, sfew_tensor *const *params,
                          const sfew_tensor *const *grads, sfew_err *err);

/* The options, readable and writable in place (e.g. lr for schedules; check after). */
sfew_sgd_opts *sfew_sgd_options(sfew_sgd *s);
int sfew_sgd_count(const sfew_sgd *s);
/* Parameter i's momentum buffer (borrowed; allocated even without momentum, so a
 * restored state may turn momentum on) and step count
 * (writable, for restoring a checkpoint; the buffer is used once it is > 0). */
sfew_tensor *sfew_sgd_buffer(sfew_sgd *s, int i);
int64_t *sfew_sgd_steps(sfew_sgd *s, int i);

#endif
