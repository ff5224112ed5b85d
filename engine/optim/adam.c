/* Adam as torch.optim.Adam (single-tensor path of PyTorch 1.13): float32 moments, bias
 * corrections computed in double from the step count, as PyTorch does in Python floats. */
#include "adam.h"
#include "common.h"

#include <math.h>
#include <stdlib.h>

struct sfew_adam {
    sfew_adam_opts o;
    int n;
    sfew_tensor **m, **v; /* n first and second moments, shaped like the parameters */
    int64_t *steps;       /* n step counts (PyTorch keeps one per parameter) */
};

sfew_adam_opts sfew_adam_defaults(void)
{
    sfew_adam_opts o = {1e-3, 0.9, 0.999, 1e-8, 0.0, 0};
    return o;
}

sfew_adam_opts sfew_adamw_defaults(void)
{
    sfew_adam_opts o = {1e-3, 0.9, 0.999, 1e-8, 1e-2, 1};
    return o;
}

sfew_status sfew_adam_opts_check(const sfew_adam_opts *o, sfew_err *err)
{
    if (!(o->lr > 0))
        return sfew_fail(err, SFEW_EINVAL, "adam: lr must be positive, got %g", o->lr);
    if (!(o->beta1 >= 0 && o->beta1 < 1))
        return sfew_fail(err, SFEW_EINVAL, "adam: beta1 must be in [0, 1), got %g", o->beta1);
    if (!(o->beta2 >= 0 && o->beta2 < 1))
        return sfew_fail(err, SFEW_EINVAL, "adam: beta2 must be in [0, 1), got %g", o->beta2);
    if (!(o->eps >= 0))
        return sfew_fail(err, SFEW_EINVAL, "adam: eps must be >= 0, got %g", o->eps);
    if (!(o->weight_decay >= 0))
        return sfew_fail(err, SFEW_EINVAL, "adam: weight_decay must be >= 0, got %g",
                         o->weight_decay);
    return SFEW_OK;
}

sfew_status sfew_adam_create(int n, const sfew_tensor *const *params, const sfew_adam_opts *o,
                             sfew_adam **out, sfew_err *err)
{
    sfew_status st = sfew_adam_opts_check(o, err);
    if (st)
        return st;
    if (n < 0)
        return sfew_fail(err, SFEW_EINVAL, "adam: %d parameters", n);
    sfew_adam *a = calloc(1, sizeof *a);
    if (!a || !(a->steps = calloc((size_t)n + 1, sizeof *a->steps))) {
        st = sfew_fail(err, SFEW_ENOMEM, "adam: out of memory");
        goto fail;
    }
    a->o = *o;
    a->n = n;
    if ((st = sfew_optim_state_new(n, params, &a->m, err))
        || (st = sfew_optim_state_new(n, params, &a->v, err)))
        goto fail;
    *out = a;
    return SFEW_OK;
fail:
    sfew_adam_free(a);
    return st;
}

void sfew_adam_free(sfew_adam *a)
{
    if (!a)
        return;
    sfew_optim_state_free(a->n, a->m);
    sfew_optim_state_free(a->n, a->v);
    free(a->steps);
    free(a);
}

static void update(const sfew_adam_opts *o, int64_t step, float *p, const float *g, float *m,
                   float *v, int64_t n)
{
    const double bc1 = 1.0 - pow(o->beta1, (double)step);
    const double bc2 = 1.0 - pow(o->beta2, (double)step);
    const float b1 = (float)o->beta1, b2 = (float)o->beta2, wd = (float)o->weight_decay;
    const float a1 = (float)(1.0 - o->beta1), a2 = (float)(1.0 - o->beta2);
    const float step_size = (float)(o->lr / bc1), bc2_sqrt = (float)sqrt(bc2);
    const float eps = (float)o->eps;
    const float l2 = o->decoupled ? 0.0f : wd, keep = (float)(1.0 - o->lr * o->weight_decay);
    if (o->decoupled)
        for (int64_t k = 0; k < n; k++)
            p[k] *= keep;
    for (int64_t k = 0; k < n; k++) {
        float grad = g[k] + l2 * p[k];
        m[k] = m[k] * b1 + a1 * grad;
        v[k] = v[k] * b2 + a2 * grad * grad;
        float denom = sqrtf(v[k]) / bc2_sqrt + eps;
        p[k] -= step_size * (m[k] / denom);
    }
}

sfew_status sfew_adam_step(sfew_adam *a, sfew_tensor *const *params,
                           const sfew_tensor *const *grads, sfew_err *err)
{
    sfew_status st = sfew_optim_check_shapes("adam_step", a->n, params, grads, a->m, err);
    if (st)
        return st;
    for (int i = 0; i < a->n; i++) {
        a->steps[i]++;
        update(&a->o, a->steps[i], params[i]->data, grads[i]->data, a->m[i]->data,
               a->v[i]->data, params[i]->numel);
    }
    return SFEW_OK;
}

sfew_adam_opts *sfew_adam_options(sfew_adam *a) { return &a->o; }
int sfew_adam_count(const sfew_adam *a) { return a->n; }
sfew_tensor *sfew_adam_exp_avg(sfew_adam *a, int i) { return a->m[i]; }
sfew_tensor *sfew_adam_exp_avg_sq(sfew_adam *a, int i) { return a->v[i]; }
int64_t *sfew_adam_steps(sfew_adam *a, int i) { return &a->steps[i]; }
