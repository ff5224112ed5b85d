/* SGD with momentum, dampening, weight decay and Nesterov, as torch.optim.SGD. */
#include "sgd.h"
#include "common.h"

#include <stdlib.h>

struct sfew_sgd {
    sfew_sgd_opts o;
    int n;
    sfew_tensor **buf; /* n momentum buffers, each shaped like its parameter */
    int64_t *steps;    /* n counts; buf[i] holds a value once steps[i] > 0 */
};

sfew_status sfew_sgd_opts_check(const sfew_sgd_opts *o, sfew_err *err)
{
    if (!(o->lr > 0))
        return sfew_fail(err, SFEW_EINVAL, "sgd: lr must be positive, got %g", o->lr);
    if (!(o->momentum >= 0))
        return sfew_fail(err, SFEW_EINVAL, "sgd: momentum must be >= 0, got %g", o->momentum);
    if (!(o->dampening >= 0))
        return sfew_fail(err, SFEW_EINVAL, "sgd: dampening must be >= 0, got %g",
                         o->dampening);
    if (!(o->weight_decay >= 0))
        return sfew_fail(err, SFEW_EINVAL, "sgd: weight_decay must be >= 0, got %g",
                         o->weight_decay);
    if (o->nesterov && (o->momentum <= 0 || o->dampening != 0))
        return sfew_fail(err, SFEW_EINVAL,
                         "sgd: nesterov needs momentum > 0 and dampening = 0");
    return SFEW_OK;
}

sfew_status sfew_sgd_create(int n, const sfew_tensor *const *params, const sfew_sgd_opts *o,
                            sfew_sgd **out, sfew_err *err)
{
    sfew_status st = sfew_sgd_opts_check(o, err);
    if (st)
        return st;
    if (n < 0)
        return sfew_fail(err, SFEW_EINVAL, "sgd: %d parameters", n);
    sfew_sgd *s = calloc(1, sizeof *s);
    if (!s || !(s->steps = calloc((size_t)n + 1, sizeof *s->steps))) {
        st = sfew_fail(err, SFEW_ENOMEM, "sgd: out of memory");
        goto fail;
    }
    s->o = *o;
    s->n = n;
    if ((st = sfew_optim_state_new(n, params, &s->buf, err)))
        goto fail;
    *out = s;
    return SFEW_OK;
fail:
    sfew_sgd_free(s);
    return st;
}

void sfew_sgd_free(sfew_sgd *s)
{
    if (!s)
        return;
    sfew_optim_state_free(s->n, s->buf);
    free(s->steps);
    free(s);
}

static void update(const sfew_sgd_opts *o, float *p, const float *g, float *buf, int64_t n,
                   int first)
{
    const float wd = (float)o->weight_decay, mom = (float)o->momentum;
    const float damp = 1.0f - (float)o->dampening, lr = (float)o->lr;
    for (int64_t k = 0; k < n; k++) {
        float d = g[k] + wd * p[k];
        if (mom != 0.0f) {
            buf[k] = first ? d : mom * buf[k] + damp * d;
            d = o->nesterov ? d + mom * buf[k] : buf[k];
        }
        p[k] -= lr * d;
    }
}

sfew_status sfew_sgd_step(sfew_sgd *s, sfew_tensor *const *params,
                          const sfew_tensor *const *grads, sfew_err *err)
{
    sfew_status st = sfew_optim_check_shapes("sgd_step", s->n, params, grads, s->buf, err);
    if (st)
        return st;
    for (int i = 0; i < s->n; i++) {
        update(&s->o, params[i]->data, grads[i]->data, s->buf[i]->data, params[i]->numel,
               s->steps[i] == 0);
        s->steps[i]++;
    }
    return SFEW_OK;
}

sfew_sgd_opts *sfew_sgd_options(sfew_sgd *s) { return &s->o; }
int sfew_sgd_count(const sfew_sgd *s) { return s->n; }
sfew_tensor *sfew_sgd_buffer(sfew_sgd *s, int i) { return s->buf[i]; }
int64_t *sfew_sgd_steps(sfew_sgd *s, int i) { return &s->steps[i]; }
