/* Parameter creation, initialisation, replacement and release shared by the layers that
 * own a weight and a bias. */
#include "params.h"

#include <math.h>
#include <stddef.h>

void sfew_fill_uniform(sfew_tensor *t, double bound, sfew_rng *rng)
{
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = (float)((2.0 * sfew_rng_uniform(rng) - 1.0) * bound);
}

void sfew_params_init(sfew_tensor *weight, sfew_tensor *bias, int64_t fan_in, sfew_rng *rng)
{
    double bound = 1.0 / sqrt((double)fan_in);
    sfew_fill_uniform(weight, bound, rng);
    if (bias)
        sfew_fill_uniform(bias, bound, rng);
}

sfew_status sfew_params_new(int ndim, const int64_t *shape, int64_t nbias, sfew_tensor **w,
                            sfew_tensor **b, sfew_tensor **gw, sfew_tensor **gb,
                            sfew_err *err)
{
    sfew_tensor *nw = NULL, *nb = NULL, *ngw = NULL, *ngb = NULL;
    sfew_status st = sfew_tensor_new(ndim, shape, &nw, err);
    if (!st)
        st = sfew_tensor_new(ndim, shape, &ngw, err);
    if (!st && nbias > 0)
        st = sfew_tensor_new(1, &nbias, &nb, err);
    if (!st && nbias > 0)
        st = sfew_tensor_new(1, &nbias, &ngb, err);
    if (st) {
        sfew_params_free(nw, nb, ngw, ngb);
        return st;
    }
    *w = nw;
    *gw = ngw;
    if (nbias > 0) {
        *b = nb;
        *gb = ngb;
    }
    return SFEW_OK;
}

void sfew_params_free(sfew_tensor *w, sfew_tensor *b, sfew_tensor *gw, sfew_tensor *gb)
{
    sfew_tensor_free(w);
    sfew_tensor_free(b);
    sfew_tensor_free(gw);
    sfew_tensor_free(gb);
}

sfew_status sfew_params_replace(const sfew_tensor *weight, const sfew_tensor *bias,
                                sfew_tensor **w, sfew_tensor **b, sfew_tensor **gw,
                                sfew_tensor **gb, sfew_err *err)
{
    sfew_tensor *nw = NULL, *nb = NULL, *ngw = NULL, *ngb = NULL;
    sfew_status st = sfew_tensor_clone(weight, &nw, err);
    if (!st)
        st = sfew_tensor_new(weight->ndim, weight->shape, &ngw, err);
    if (!st && bias)
        st = sfew_tensor_clone(bias, &nb, err);
    if (!st && bias)
        st = sfew_tensor_new(bias->ndim, bias->shape, &ngb, err);
    if (st) {
        sfew_params_free(nw, nb, ngw, ngb);
        return st;
    }
    sfew_params_free(*w, *b, *gw, *gb);
    *w = nw;
    *b = nb;
    *gw = ngw;
    *gb = ngb;
    return SFEW_OK;
}

sfew_status sfew_params_set(const char *fname, const sfew_tensor *weight,
                            const sfew_tensor *bias, sfew_tensor **w, sfew_tensor **b,
                            sfew_tensor **gw, sfew_tensor **gb, sfew_err *err)
{
    char buf[96];
    if ((bias != NULL) != (*b != NULL))
        return sfew_fail(err, SFEW_EINVAL, "%s: the layer %s a bias", fname,
                         *b ? "has" : "has no");
    if (bias && (bias->ndim != 1 || bias->shape[0] != weight->shape[0]))
        return sfew_fail(err, SFEW_ESHAPE, "%s: bias is %s, expected %lld", fname,
                         sfew_shape_str(bias->ndim, bias->shape, buf, 96),
                         (long long)weight->shape[0]);
    return sfew_params_replace(weight, bias, w, b, gw, gb, err);
}
