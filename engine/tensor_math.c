/* Element-wise arithmetic with broadcasting, reductions and the matrix product. */
#include "tensor_math.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gemm.h"

static float apply(sfew_binop op, float x, float y)
{
    switch (op) {
    case SFEW_ADD: return x + y;
    case SFEW_SUB: return x - y;
    case SFEW_MUL: return x * y;
    case SFEW_DIV: return x / y;
    }
    return 0.0f;
}

/* Broadcast strides of t against an output shape of nd dims (0 where t has size 1). */
static void broadcast_strides(const sfew_tensor *t, int nd, int64_t *strides)
{
    int64_t s = 1;
    for (int i = nd - 1; i >= 0; i--) {
        int ti = i - (nd - t->ndim);
        if (ti < 0) {
            strides[i] = 0;
            continue;
        }
        strides[i] = t->shape[ti] == 1 ? 0 : s;
        s *= t->shape[ti];
    }
}

sfew_status sfew_tensor_binary(sfew_binop op, const sfew_tensor *a, const sfew_tensor *b,
                               sfew_tensor **out, sfew_err *err)
{
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t shape[SFEW_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        int ai = i - (nd - a->ndim), bi = i - (nd - b->ndim);
        int64_t sa = ai >= 0 ? a->shape[ai] : 1, sb = bi >= 0 ? b->shape[bi] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            char x[96], y[96];
            return sfew_fail(err, SFEW_ESHAPE, "shapes %s and %s do not broadcast",
                             sfew_shape_str(a->ndim, a->shape, x, sizeof x),
                             sfew_shape_str(b->ndim, b->shape, y, sizeof y));
        }
        shape[i] = sa == 1 ? sb : sa;
    }
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new(nd, shape, &o, err);
    if (st)
        return st;
    if (sfew_tensor_same_shape(a, b)) {
        for (int64_t i = 0; i < o->numel; i++)
            o->data[i] = apply(op, a->data[i], b->data[i]);
    } else {
        int64_t sa[SFEW_MAX_DIMS], sb[SFEW_MAX_DIMS], idx[SFEW_MAX_DIMS] = {0};
        broadcast_strides(a, nd, sa);
        broadcast_strides(b, nd, sb);
        int64_t oa = 0, ob = 0;
        for (int64_t i = 0; i < o->numel; i++) {
            o->data[i] = apply(op, a->data[oa], b->data[ob]);
            for (int d = nd - 1; d >= 0; d--) { /* odometer step */
                idx[d]++;
                oa += sa[d];
                ob += sb[d];
                if (idx[d] < shape[d])
                    break;
                oa -= sa[d] * idx[d];
                ob -= sb[d] * idx[d];
                idx[d] = 0;
            }
        }
    }
    *out = o;
    return SFEW_OK;
}

sfew_status sfew_tensor_scalar(sfew_binop op, const sfew_tensor *a, float s, int scalar_first,
                               sfew_tensor **out, sfew_err *err)
{
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new(a->ndim, a->shape, &o, err);
    if (st)
        return st;
    for (int64_t i = 0; i < a->numel; i++)
        o->data[i] = scalar_first ? apply(op, s, a->data[i]) : apply(op, a->data[i], s);
    *out = o;
    return SFEW_OK;
}

void sfew_tensor_scalar_(sfew_binop op, sfew_tensor *t, float s)
{
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = apply(op, t->data[i], s);
}

sfew_status sfew_tensor_axpy(sfew_tensor *y, float alpha, const sfew_tensor *x, sfew_err *err)
{
    if (y->numel != x->numel)
        return sfew_fail(err, SFEW_ESHAPE, "axpy: %lld elements vs %lld", (long long)y->numel,
                         (long long)x->numel);
    for (int64_t i = 0; i < y->numel; i++)
        y->data[i] += alpha * x->data[i];
    return SFEW_OK;
}

double sfew_tensor_sum(const sfew_tensor *t)
{
    double s = 0.0;
    for (int64_t i = 0; i < t->numel; i++)
        s += t->data[i];
    return s;
}

double sfew_tensor_max(const sfew_tensor *t)
{
    int64_t i = sfew_tensor_argmax_all(t);
    return i < 0 ? NAN : t->data[i];
}

double sfew_tensor_min(const sfew_tensor *t)
{
    if (t->numel == 0)
        return NAN;
    float m = t->data[0];
    for (int64_t i = 1; i < t->numel; i++)
        if (t->data[i] < m || isnan(t->data[i]))
            m = t->data[i];
    return m;
}

int64_t sfew_tensor_argmax_all(const sfew_tensor *t)
{
    if (t->numel == 0)
        return -1;
    int64_t best = 0;
    for (int64_t i = 1; i < t->numel; i++)
        if (t->data[i] > t->data[best])
            best = i;
    return best;
}

sfew_status sfew_tensor_reduce_dim(sfew_reduce op, const sfew_tensor *t, int dim,
                                   sfew_tensor **out, sfew_tensor **argidx, sfew_err *err)
{
    if (dim < 0 || dim >= t->ndim)
        return sfew_fail(err, SFEW_EINVAL, "dimension %d out of range 1..%d", dim + 1, t->ndim);
    if (t->shape[dim] == 0 && (op == SFEW_RED_MAX || op == SFEW_RED_MIN))
        return sfew_fail(err, SFEW_ESHAPE, "max/min over an empty dimension %d", dim + 1);
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[dim] = 1;
    int64_t outer = 1, inner = 1, n = t->shape[dim];
    for (int i = 0; i < dim; i++)
        outer *= t->shape[i];
    for (int i = dim + 1; i < t->ndim; i++)
        inner *= t->shape[i];
    sfew_tensor *o = NULL, *ix = NULL;
    sfew_status st = sfew_tensor_new(t->ndim, shape, &o, err);
    if (st)
        return st;
    if (argidx && (st = sfew_tensor_new(t->ndim, shape, &ix, err))) {
        sfew_tensor_free(o);
        return st;
    }
    for (int64_t a = 0; a < outer; a++) {
        for (int64_t c = 0; c < inner; c++) {
            const float *p = t->data + a * n * inner + c;
            double acc = op == SFEW_RED_MAX || op == SFEW_RED_MIN ? p[0] : 0.0;
            int64_t best = 0;
            for (int64_t k = 0; k < n; k++) {
                float v = p[k * inner];
                if (op == SFEW_RED_SUM || op == SFEW_RED_MEAN)
                    acc += v;
                else if ((op == SFEW_RED_MAX && v > acc) || (op == SFEW_RED_MIN && v < acc)) {
                    acc = v;
                    best = k;
                }
            }
            if (op == SFEW_RED_MEAN)
                acc = n ? acc / (double)n : NAN;
            o->data[a * inner + c] = (float)acc;
            if (ix)
                ix->data[a * inner + c] = (float)best;
        }
    }
    *out = o;
    if (argidx)
        *argidx = ix;
    return SFEW_OK;
}

sfew_status sfew_tensor_matmul(const sfew_tensor *a, const sfew_tensor *b, sfew_tensor **out,
                               sfew_err *err)
{
    if (a->ndim != 2 || b->ndim != 2)
        return sfew_fail(err, SFEW_ESHAPE, "matmul: needs 2-D tensors, got %dD and %dD", a->ndim,
                         b->ndim);
    if (a->shape[1] != b->shape[0])
        return sfew_fail(err, SFEW_ESHAPE, "matmul: %lldx%lld times %lldx%lld",
                         (long long)a->shape[0], (long long)a->shape[1], (long long)b->shape[0],
                         (long long)b->shape[1]);
    if (a->shape[0] > INT32_MAX || a->shape[1] > INT32_MAX || b->shape[1] > INT32_MAX)
        return sfew_fail(err, SFEW_ESHAPE, "matmul: dimensions too large for BLAS");
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new4(2, a->shape[0], b->shape[1], 0, 0, &o, err);
    if (st)
        return st;
    int M = (int)a->shape[0], K = (int)a->shape[1], N = (int)b->shape[1];
    sfew_gemm(0, 0, M, N, K, 1.0f, a->data, K, b->data, N, 0.0f, o->data, N);
    *out = o;
    return SFEW_OK;
}

int sfew_tensor_all_finite(const sfew_tensor *t)
{
    for (int64_t i = 0; i < t->numel; i++)
        if (!isfinite(t->data[i]))
            return 0;
    return 1;
}

sfew_status sfew_tensor_unary(sfew_unop op, const sfew_tensor *a, float p, float q,
                              sfew_tensor **out, sfew_err *err)
{
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new(a->ndim, a->shape, &o, err);
    if (st)
        return st;
    for (int64_t i = 0; i < a->numel; i++) {
        float x = a->data[i];
        switch (op) {
        case SFEW_SQRT: x = sqrtf(x); break;
        case SFEW_EXP: x = expf(x); break;
        case SFEW_LOG: x = logf(x); break;
        case SFEW_ABS: x = fabsf(x); break;
        case SFEW_POW: x = powf(x, p); break;
        case SFEW_CLAMP: x = x < p ? p : x > q ? q : x; break;
        }
        o->data[i] = x;
    }
    *out = o;
    return SFEW_OK;
}

sfew_status sfew_tensor_cat(const sfew_tensor *const *list, int n, sfew_tensor **out,
                            sfew_err *err)
{
    if (n < 1)
        return sfew_fail(err, SFEW_EINVAL, "cat: no tensors");
    const sfew_tensor *f = list[0];
    if (f->ndim < 1)
        return sfew_fail(err, SFEW_ESHAPE, "cat: tensor 1 is a scalar");
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, f->shape, sizeof shape);
    shape[0] = 0;
    for (int i = 0; i < n; i++) {
        const sfew_tensor *t = list[i];
        int same = t->ndim == f->ndim;
        for (int d = 1; same && d < f->ndim; d++)
            same = t->shape[d] == f->shape[d];
        if (!same) {
            char a[96], b[96];
            return sfew_fail(err, SFEW_ESHAPE, "cat: tensor %d is %s, tensor 1 is %s", i + 1,
                             sfew_shape_str(t->ndim, t->shape, a, sizeof a),
                             sfew_shape_str(f->ndim, f->shape, b, sizeof b));
        }
        shape[0] += t->shape[0];
    }
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new(f->ndim, shape, &o, err);
    if (st)
        return st;
    float *p = o->data;
    for (int i = 0; i < n; i++) {
        memcpy(p, list[i]->data, (size_t)list[i]->numel * sizeof(float));
        p += list[i]->numel;
    }
    *out = o;
    return SFEW_OK;
}

sfew_status sfew_tensor_transpose(const sfew_tensor *a, sfew_tensor **out, sfew_err *err)
{
    if (a->ndim != 2)
        return sfew_fail(err, SFEW_ESHAPE, "transpose: needs a 2-D tensor, got %dD", a->ndim);
    int64_t R = a->shape[0], C = a->shape[1];
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new4(2, C, R, 0, 0, &o, err);
    if (st)
        return st;
    for (int64_t r = 0; r < R; r++)
        for (int64_t c = 0; c < C; c++)
            o->data[c * R + r] = a->data[r * C + c];
    *out = o;
    return SFEW_OK;
}
