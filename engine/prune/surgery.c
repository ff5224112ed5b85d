/* Kernel importance and the surgery that removes units and channels, folding constant
 * contributions into the next layer's bias so the network computes the same function. */
#include <math.h>
#include <string.h>

#include "prune.h"

sfew_status sfew_prune_kernel_importance(const sfew_tensor *weight, sfew_tensor **out,
                                         sfew_err *err)
{
    if (weight->ndim < 1 || weight->shape[0] < 1)
        return sfew_fail(err, SFEW_ESHAPE, "kernel_importance: weight has no kernels");
    int64_t K = weight->shape[0], per = weight->numel / K;
    sfew_tensor *imp = NULL;
    sfew_status st = sfew_tensor_new4(1, K, 0, 0, 0, &imp, err);
    if (st)
        return st;
    for (int64_t k = 0; k < K; k++) {
        double s = 0.0;
        for (int64_t i = 0; i < per; i++) {
            double a = weight->data[k * per + i];
            s += a * a;
        }
        imp->data[k] = per ? (float)sqrt(s / (double)per) : 0.0f;
    }
    *out = imp;
    return SFEW_OK;
}

static int64_t count_kept(const unsigned char *drop, int64_t n)
{
    int64_t kept = 0;
    for (int64_t i = 0; i < n; i++)
        kept += !drop[i];
    return kept;
}

sfew_status sfew_prune_drop_rows(const sfew_tensor *t, const unsigned char *drop,
                                 sfew_tensor **out, sfew_err *err)
{
    if (t->ndim < 1)
        return sfew_fail(err, SFEW_ESHAPE, "drop_rows: a scalar has no rows");
    int64_t R = t->shape[0], row = R ? t->numel / R : 0;
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = count_kept(drop, R);
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new(t->ndim, shape, &o, err);
    if (st)
        return st;
    for (int64_t r = 0, k = 0; r < R; r++)
        if (!drop[r])
            memcpy(o->data + (k++) * row, t->data + r * row, (size_t)row * sizeof(float));
    *out = o;
    return SFEW_OK;
}

sfew_status sfew_prune_remove_inputs(const sfew_tensor *w, const sfew_tensor *b, int64_t C,
                                     const unsigned char *drop, const float *value,
                                     sfew_tensor **w_out, sfew_tensor **b_out, sfew_err *err)
{
    if (w->ndim < 2 || b->ndim != 1 || b->shape[0] != w->shape[0])
        return sfew_fail(err, SFEW_ESHAPE, "remove_inputs: weight needs >= 2 dims and a bias "
                                           "of its first size");
    int64_t O = w->shape[0];
    if (C < 1 || O == 0 || (w->numel / O) % C != 0)
        return sfew_fail(err, SFEW_ESHAPE, "remove_inputs: %lld inputs do not divide a row of "
                                           "%lld weights", (long long)C,
                         (long long)(O ? w->numel / O : 0));
    int64_t G = w->numel / O / C, kept = count_kept(drop, C);
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, w->shape, sizeof shape);
    if (w->ndim == 2)
        shape[1] = kept * G; /* Linear: columns are (channel, position) pairs */
    else
        shape[1] = kept; /* Conv2d: dim 1 is the input channel */
    if (w->ndim > 2 && w->shape[1] != C)
        return sfew_fail(err, SFEW_ESHAPE, "remove_inputs: weight has %lld input channels, "
                                           "expected %lld", (long long)w->shape[1], (long long)C);
    sfew_tensor *wo = NULL, *bo = NULL;
    sfew_status st = sfew_tensor_new(w->ndim, shape, &wo, err);
    if (!st)
        st = sfew_tensor_clone(b, &bo, err);
    if (st) {
        sfew_tensor_free(wo);
        return st;
    }
    for (int64_t o = 0; o < O; o++) {
        const float *src = w->data + o * C * G;
        float *dst = wo->data + o * kept * G;
        double fold = 0.0;
        for (int64_t c = 0; c < C; c++) {
            if (!drop[c]) {
                memcpy(dst, src + c * G, (size_t)G * sizeof(float));
                dst += G;
            } else if (value && value[c] != 0.0f) {
                double s = 0.0;
                for (int64_t g = 0; g < G; g++)
                    s += src[c * G + g];
                fold += value[c] * s;
            }
        }
        bo->data[o] += (float)fold;
    }
    *w_out = wo;
    *b_out = bo;
    return SFEW_OK;
}

sfew_status sfew_prune_merge_unit(sfew_tensor *w2, sfew_tensor *b2, int64_t keep, int64_t drop,
                                  int complementary, sfew_err *err)
{
    if (w2->ndim != 2 || b2->ndim != 1 || b2->shape[0] != w2->shape[0])
        return sfew_fail(err, SFEW_ESHAPE, "merge_unit: needs an O x H weight and an O bias");
    int64_t O = w2->shape[0], H = w2->shape[1];
    if (keep < 0 || keep >= H || drop < 0 || drop >= H || keep == drop)
        return sfew_fail(err, SFEW_EINVAL, "merge_unit: units %lld and %lld of %lld",
                         (long long)keep + 1, (long long)drop + 1, (long long)H);
    for (int64_t o = 0; o < O; o++) {
        float wd = w2->data[o * H + drop];
        if (complementary) {
            w2->data[o * H + keep] -= wd;
            b2->data[o] += wd;
        } else {
            w2->data[o * H + keep] += wd;
        }
    }
    return SFEW_OK;
}
