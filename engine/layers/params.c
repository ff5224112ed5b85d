/* Parameter initialisation and replacement shared by linear and conv2d. */
#include "params.h"

#include <stddef.h>

void sfew_fill_uniform(sfew_tensor *t, double bound, sfew_rng *rng)
{
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = (float)((2.0 * sfew_rng_uniform(rng) - 1.0) * bound);
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
    if (st)
        goto fail;
    sfew_tensor_free(*w);
    sfew_tensor_free(*b);
    sfew_tensor_free(*gw);
    sfew_tensor_free(*gb);
    *w = nw;
    *b = nb;
    *gw = ngw;
    *gb = ngb;
    return SFEW_OK;
fail:
    sfew_tensor_free(nw);
    sfew_tensor_free(nb);
    sfew_tensor_free(ngw);
    sfew_tensor_free(ngb);
    return st;
}
