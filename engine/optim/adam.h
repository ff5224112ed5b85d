/* Adam with PyTorch's update rule (torch.optim.Adam, 1.13, weight decay as L2 on the
 * gradient; Kingma and Ba, Algorithm 1):
 *   g += weight_decay * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * and AdamW, the same with decoupled weight decay (torch.optim.AdamW, 1.13; Loshchilov and
 * Hutter 2019, Algorithm 2): p *= 1 - lr * weight_decay before the step, g left alone. */
#ifndef SFEW_OPTIM_ADAM_H
#define SFEW_OPTIM_ADAM_H

#include <stdint.h>

#include "../status.h"
#include "../tensor.h"

typedef struct sfew_adam_opts {
    double lr;           /* > 0, default 1e-3 */
    double beta1, beta2; /* in [0, 1), defaults 0.9 and 0.999 */
    double eps;          /* >= 0, default 1e-8 */
    double weight_decay; /* >= 0, default 0 (AdamW: 0.01) */
    int decoupled;       /* 1: AdamW's decoupled weight decay; 0: Adam's L2 on the gradient */
} sfew_adam_opts;

typedef struct sfew_adam sfew_adam; /* opaque: options, moments, step counts */

/* PyTorch's defaults for Adam and for AdamW. */
sfew_adam_opts sfew_adam_defaults(void);
sfew_adam_opts sfew_adamw_defaults(void);
/* Checks option values; SFEW_EINVAL naming the bad one. */
sfew_status sfew_adam_opts_check(const sfew_adam_opts *o, sfew_err *err);
/* An optimiser for n parameters shaped like params (only shapes are read); the moment
 * tensors are allocated (zero) here, so step never allocates. Caller owns *out. */
sfew_status sfew_adam_create(int n, const sfew_tensor *const *params, const sfew_adam_opts *o,
                             sfew_adam **out, sfew_err *err);
void sfew_adam_free(sfew_adam *a);

/* One update of params (in place) from grads; SFEW_ESHAPE if shapes differ from those
 * given at creation (nothing changed then). */
sfew_status sfew_adam_step(sfew_adam *a, sfew_tensor *const *params,
                           const sfew_tensor *const *grads, sfew_err *err);

sfew_adam_opts *sfew_adam_options(sfew_adam *a);
int sfew_adam_count(const sfew_adam *a);
/* Parameter i's first and second moments (borrowed) and step count (writable). */
sfew_tensor *sfew_adam_exp_avg(sfew_adam *a, int i);
sfew_tensor *sfew_adam_exp_avg_sq(sfew_adam *a, int i);
int64_t *sfew_adam_steps(sfew_adam *a, int i);

#endif
