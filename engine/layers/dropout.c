/* Dropout masks drawn on the calling thread, one generator draw per element or plane in
 * row-major order: the same seed gives the same mask whatever the thread count. */
#include "dropout.h"
#include "elementwise.h"

#include <stdlib.h>
#include <string.h>

sfew_status sfew_dropout_create(double p, int planes, sfew_dropout **out, sfew_err *err)
{
    if (!(p >= 0 && p <= 1))
        return sfew_fail(err, SFEW_EINVAL, "dropout_create: p must be in [0, 1], got %g", p);
    sfew_dropout *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "dropout_create: out of memory");
    l->p = p;
    l->planes = planes != 0;
    l->training = 1;
    *out = l;
    return SFEW_OK;
}

void sfew_dropout_free(sfew_dropout *l)
{
    if (!l)
        return;
    free(l->mask);
    free(l);
}

sfew_status sfew_dropout_check(const sfew_dropout *l, const sfew_tensor *in, sfew_err *err)
{
    char buf[96];
    if (l->planes && in->ndim != 4)
        return sfew_fail(err, SFEW_ESHAPE, "Dropout2d expects 4-D N x C x H x W input, got %s",
                         sfew_shape_str(in->ndim, in->shape, buf, 96));
    return SFEW_OK;
}

/* Mask entries: one per element, or one per (n, c) plane. */
static int64_t mask_len(const sfew_dropout *l, const sfew_tensor *in)
{
    return l->planes ? in->shape[0] * in->shape[1] : in->numel;
}

static sfew_status draw_mask(sfew_dropout *l, const sfew_tensor *in, sfew_rng *rng,
                             sfew_err *err)
{
    int64_t n = mask_len(l, in);
    if (n > l->mask_cap) {
        float *m = calloc((size_t)n, sizeof *m);
        if (!m)
            return sfew_fail(err, SFEW_ENOMEM, "dropout_forward: cannot keep a mask of %lld",
                             (long long)n);
        free(l->mask);
        l->mask = m;
        l->mask_cap = n;
    }
    /* p = 1 drops everything (PyTorch returns zeros, not 0 * inf). */
    float keep = l->p < 1 ? (float)(1.0 / (1.0 - l->p)) : 0.0f;
    for (int64_t i = 0; i < n; i++)
        l->mask[i] = sfew_rng_uniform(rng) < l->p ? 0.0f : keep;
    return SFEW_OK;
}

/* y = x * mask, the mask per element or per plane of `plane` values. */
static void apply_mask(const sfew_dropout *l, const float *x, float *y, int64_t numel,
                       int64_t plane)
{
    if (!l->planes) {
        for (int64_t i = 0; i < numel; i++)
            y[i] = x[i] * l->mask[i];
        return;
    }
    for (int64_t i = 0; i < numel; i++)
        y[i] = x[i] * l->mask[i / plane];
}

static int64_t plane_of(const sfew_tensor *in)
{
    return in->ndim == 4 ? in->shape[2] * in->shape[3] : 1;
}

sfew_status sfew_dropout_forward(sfew_dropout *l, const sfew_tensor *in, sfew_tensor *out,
                                 sfew_rng *rng, sfew_err *err)
{
    sfew_status st = sfew_dropout_check(l, in, err);
    if (st)
        return st;
    if (l->training && !rng)
        return sfew_fail(err, SFEW_EINVAL, "dropout_forward: training needs a generator");
    if (l->training && (st = draw_mask(l, in, rng, err)))
        return st;
    if (out != in && (st = sfew_tensor_resize(out, in->ndim, in->shape, err)))
        return st;
    if (l->training)
        apply_mask(l, in->data, out->data, in->numel, plane_of(in));
    else if (out != in)
        memcpy(out->data, in->data, (size_t)in->numel * sizeof *in->data);
    l->cached_training = l->training;
    l->ndim_in = in->ndim;
    memcpy(l->in_shape, in->shape, sizeof l->in_shape);
    return SFEW_OK;
}

sfew_status sfew_dropout_backward(sfew_dropout *l, const sfew_tensor *in,
                                  const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                  sfew_err *err)
{
    char a[96];
    const char *name = l->planes ? "Dropout2d" : "Dropout";
    if (l->ndim_in != in->ndim
        || memcmp(l->in_shape, in->shape, (size_t)in->ndim * sizeof *in->shape) != 0)
        return sfew_fail(err, SFEW_ESHAPE, "%s backward: input %s is not the one of the last "
                         "forward", name, sfew_shape_str(in->ndim, in->shape, a, 96));
    sfew_status st = sfew_ew_check(name, in, grad_out, err);
    if (st)
        return st;
    if (grad_in != grad_out && (st = sfew_tensor_resize(grad_in, in->ndim, in->shape, err)))
        return st;
    if (l->cached_training)
        apply_mask(l, grad_out->data, grad_in->data, in->numel, plane_of(in));
    else if (grad_in != grad_out)
        memcpy(grad_in->data, grad_out->data, (size_t)in->numel * sizeof *in->data);
    return SFEW_OK;
}
