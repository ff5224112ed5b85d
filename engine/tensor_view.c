/* Permute, transpose, narrow, select and index along any dimension (see tensor_view.h).
 * Sizes come from existing tensors, so products stay within SFEW_MAX_NUMEL; they are
 * still checked, since a corrupt header must not turn into an out-of-bounds copy. */
#include "tensor_view.h"

#include <string.h>

/* a * b into *out, 0 if it would pass SFEW_MAX_NUMEL (both non-negative). */
static int mul_ok(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0 || (b > 0 && a > SFEW_MAX_NUMEL / b))
        return 0;
    *out = a * b;
    return 1;
}

/* Elements before and after dimension dim: t is (outer, shape[dim], inner). */
static sfew_status split_at(const sfew_tensor *t, int dim, int64_t *outer, int64_t *inner,
                            const char *fname, sfew_err *err)
{
    if (dim < 0 || dim >= t->ndim)
        return sfew_fail(err, SFEW_EINVAL, "%s: dimension %d of a %d-dimensional tensor", fname,
                         dim + 1, t->ndim);
    int64_t o = 1, in = 1;
    for (int i = 0; i < dim; i++)
        if (!mul_ok(o, t->shape[i], &o))
            return sfew_fail(err, SFEW_ENOMEM, "%s: shape too large", fname);
    for (int i = dim + 1; i < t->ndim; i++)
        if (!mul_ok(in, t->shape[i], &in))
            return sfew_fail(err, SFEW_ENOMEM, "%s: shape too large", fname);
    *outer = o;
    *inner = in;
    return SFEW_OK;
}

sfew_status sfew_tensor_permute(const sfew_tensor *t, const int *perm, sfew_tensor **out,
                                sfew_err *err)
{
    int nd = t->ndim, seen[SFEW_MAX_DIMS] = {0};
    int64_t stride[SFEW_MAX_DIMS], shape[SFEW_MAX_DIMS], ostride[SFEW_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        if (perm[i] < 0 || perm[i] >= nd)
            return sfew_fail(err, SFEW_EINVAL, "permute: dimension %d of a %d-dimensional tensor",
                             perm[i] + 1, nd);
        if (seen[perm[i]]++)
            return sfew_fail(err, SFEW_EINVAL, "permute: dimension %d given twice", perm[i] + 1);
    }
    int64_t s = 1;
    for (int i = nd - 1; i >= 0; i--) {
        stride[i] = s;
        if (!mul_ok(s, t->shape[i], &s))
            return sfew_fail(err, SFEW_ENOMEM, "permute: shape too large");
    }
    for (int i = 0; i < nd; i++) {
        shape[i] = t->shape[perm[i]];
        ostride[i] = stride[perm[i]]; /* source step for a step along out dimension i */
    }
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new(nd, shape, &o, err);
    if (st)
        return st;
    if (o->numel > 0 && nd > 0) {
        int64_t idx[SFEW_MAX_DIMS] = {0}, src = 0, last = shape[nd - 1], step = ostride[nd - 1];
        float *dst = o->data;
        for (;;) {
            const float *p = t->data + src;
            for (int64_t k = 0; k < last; k++)
                *dst++ = p[k * step];
            int d = nd - 2;
            /* odometer over the outer dimensions, tracking the source offset */
            while (d >= 0 && ++idx[d] == shape[d]) {
                src -= (shape[d] - 1) * ostride[d];
                idx[d--] = 0;
            }
            if (d < 0)
                break;
            src += ostride[d];
        }
    } else if (o->numel > 0) {
        o->data[0] = t->data[0];
    }
    *out = o;
    return SFEW_OK;
}

sfew_status sfew_tensor_transpose_dims(const sfew_tensor *t, int d1, int d2, sfew_tensor **out,
                                       sfew_err *err)
{
    int nd = t->ndim, perm[SFEW_MAX_DIMS];
    if (d1 < 0 || d1 >= nd || d2 < 0 || d2 >= nd)
        return sfew_fail(err, SFEW_EINVAL, "transpose: dimensions %d and %d of a %d-dimensional "
                         "tensor", d1 + 1, d2 + 1, nd);
    for (int i = 0; i < nd; i++)
        perm[i] = i;
    perm[d1] = d2;
    perm[d2] = d1;
    return sfew_tensor_permute(t, perm, out, err);
}

/* Copies the slices idx (or the run start.. when idx is NULL) of dimension dim. */
static sfew_status gather(const sfew_tensor *t, int dim, int64_t n, int64_t start,
                          const int64_t *idx, sfew_tensor **out, const char *fname,
                          sfew_err *err)
{
    int64_t outer = 0, inner = 0, shape[SFEW_MAX_DIMS];
    sfew_status st = split_at(t, dim, &outer, &inner, fname, err);
    if (st)
        return st;
    int64_t D = t->shape[dim];
    for (int64_t i = 0; idx && i < n; i++)
        if (idx[i] < 0 || idx[i] >= D)
            return sfew_fail(err, SFEW_EINVAL, "%s: index %lld out of range 1..%lld", fname,
                             (long long)idx[i] + 1, (long long)D);
    memcpy(shape, t->shape, sizeof shape);
    shape[dim] = n;
    sfew_tensor *o = NULL;
    st = sfew_tensor_new(t->ndim, shape, &o, err); /* checks outer * n * inner */
    if (st)
        return st;
    for (int64_t a = 0; a < outer; a++)
        for (int64_t i = 0; i < n; i++) {
            int64_t k = idx ? idx[i] : start + i;
            memcpy(o->data + (a * n + i) * inner, t->data + (a * D + k) * inner,
                   (size_t)inner * sizeof(float));
        }
    *out = o;
    return SFEW_OK;
}

sfew_status sfew_tensor_narrow_dim(const sfew_tensor *t, int dim, int64_t start, int64_t len,
                                   sfew_tensor **out, sfew_err *err)
{
    if (dim < 0 || dim >= t->ndim)
        return sfew_fail(err, SFEW_EINVAL, "narrow: dimension %d of a %d-dimensional tensor",
                         dim + 1, t->ndim);
    int64_t D = t->shape[dim];
    if (start < 0 || start > D || len < 0 || len > D - start)
        return sfew_fail(err, SFEW_EINVAL, "narrow: %lld elements from %lld in a dimension of %lld",
                         (long long)len, (long long)start + 1, (long long)D);
    if (dim == 0)
        return sfew_tensor_narrow(t, start, len, out, err);
    return gather(t, dim, len, start, NULL, out, "narrow", err);
}

sfew_status sfew_tensor_select_dim(const sfew_tensor *t, int dim, int64_t i, sfew_tensor **out,
                                   sfew_err *err)
{
    if (dim < 0 || dim >= t->ndim)
        return sfew_fail(err, SFEW_EINVAL, "select: dimension %d of a %d-dimensional tensor",
                         dim + 1, t->ndim);
    if (i < 0 || i >= t->shape[dim])
        return sfew_fail(err, SFEW_EINVAL, "select: index %lld out of range 1..%lld",
                         (long long)i + 1, (long long)t->shape[dim]);
    sfew_tensor *slab = NULL;
    sfew_status st = sfew_tensor_narrow_dim(t, dim, i, 1, &slab, err);
    if (st)
        return st;
    int64_t shape[SFEW_MAX_DIMS];
    for (int k = 0, j = 0; k < t->ndim; k++)
        if (k != dim)
            shape[j++] = t->shape[k];
    st = sfew_tensor_reshape(slab, t->ndim - 1, shape, out, err);
    sfew_tensor_free(slab);
    return st;
}

sfew_status sfew_tensor_index_dim(const sfew_tensor *t, int dim, int64_t n, const int64_t *idx,
                                  sfew_tensor **out, sfew_err *err)
{
    if (n < 0 || n > SFEW_MAX_NUMEL)
        return sfew_fail(err, SFEW_EINVAL, "index: %lld indices", (long long)n);
    return gather(t, dim, n, 0, idx, out, "index", err);
}
