/* Tensor storage, creation, views and copies. Arithmetic and reductions live in
 * tensor_math.c. */
#include "tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sfew_storage {
    float *data;
    int64_t capacity; /* floats */
    int refs;
};

static sfew_storage *storage_new(int64_t n)
{
    sfew_storage *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    /* calloc(0) may return NULL; always allocate at least one float. */
    s->data = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
    if (!s->data) {
        free(s);
        return NULL;
    }
    s->capacity = n;
    s->refs = 1;
    return s;
}

static void storage_release(sfew_storage *s)
{
    if (s && --s->refs == 0) {
        free(s->data);
        free(s);
    }
}

int sfew_size_mul(int64_t a, int64_t b, int64_t limit, int64_t *out)
{
    if (a < 0 || b < 0 || (b > 0 && a > limit / b))
        return 1;
    *out = a * b;
    return 0;
}

/* The element count, and the product of the nonzero sizes (the one bounded). */
static sfew_status shape_count(const char *fn, int ndim, const int64_t *shape, int64_t *numel,
                               sfew_err *err)
{
    if (ndim < 0 || ndim > SFEW_MAX_DIMS)
        return sfew_fail(err, SFEW_EINVAL, "%s: %d dimensions (at most %d)", fn, ndim,
                         SFEW_MAX_DIMS);
    int64_t n = 1, nonzero = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return sfew_fail(err, SFEW_EINVAL, "%s: size %lld of dimension %d is negative", fn,
                             (long long)shape[i], i + 1);
        if (shape[i] > 0 && sfew_size_mul(nonzero, shape[i], SFEW_MAX_NUMEL, &nonzero))
            return sfew_fail(err, SFEW_ENOMEM, "%s: shape has more than %lld elements", fn,
                             (long long)SFEW_MAX_NUMEL);
        n = shape[i] == 0 ? 0 : n * shape[i]; /* n <= nonzero */
    }
    *numel = n;
    return SFEW_OK;
}

sfew_status sfew_shape_check(int ndim, const int64_t *shape, int64_t *numel, sfew_err *err)
{
    int64_t n;
    sfew_status st = shape_count("tensor", ndim, shape, &n, err);
    if (!st && numel)
        *numel = n;
    return st;
}

static sfew_tensor *header_new(int ndim, const int64_t *shape, int64_t numel)
{
    sfew_tensor *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    t->numel = numel;
    return t;
}

sfew_status sfew_tensor_new(int ndim, const int64_t *shape, sfew_tensor **out, sfew_err *err)
{
    int64_t n;
    sfew_status st = sfew_shape_check(ndim, shape, &n, err);
    if (st)
        return st;
    sfew_tensor *t = header_new(ndim, shape, n);
    if (!t)
        goto fail;
    t->storage = storage_new(n);
    if (!t->storage)
        goto fail;
    t->data = t->storage->data;
    *out = t;
    return SFEW_OK;
fail:
    free(t);
    return sfew_fail(err, SFEW_ENOMEM, "tensor: cannot allocate %lld floats", (long long)n);
}

sfew_status sfew_tensor_new4(int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                             sfew_tensor **out, sfew_err *err)
{
    int64_t shape[4] = {d0, d1, d2, d3};
    return sfew_tensor_new(ndim, shape, out, err);
}

void sfew_tensor_free(sfew_tensor *t)
{
    if (!t)
        return;
    storage_release(t->storage);
    free(t);
}

static sfew_tensor *view_of(const sfew_tensor *t, int ndim, const int64_t *shape,
                            int64_t numel, float *data)
{
    sfew_tensor *v = header_new(ndim, shape, numel);
    if (!v)
        return NULL;
    v->storage = t->storage;
    v->storage->refs++;
    v->data = data;
    return v;
}

sfew_status sfew_tensor_reshape(const sfew_tensor *t, int ndim, const int64_t *shape,
                                sfew_tensor **out, sfew_err *err)
{
    if (ndim < 0 || ndim > SFEW_MAX_DIMS)
        return sfew_fail(err, SFEW_EINVAL, "reshape: %d dimensions (at most %d)", ndim,
                         SFEW_MAX_DIMS);
    int64_t sizes[SFEW_MAX_DIMS] = {0};
    int infer = -1;
    for (int i = 0; i < ndim; i++) {
        sizes[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0)
                return sfew_fail(err, SFEW_EINVAL, "reshape: only one size may be -1");
            infer = i;
            sizes[i] = 1;
        }
    }
    int64_t known;
    sfew_status st = shape_count("reshape", ndim, sizes, &known, err);
    if (st)
        return st == SFEW_ENOMEM ? sfew_fail(err, SFEW_ESHAPE, "reshape: shape too large") : st;
    if (infer >= 0) {
        if (known == 0 || t->numel % known != 0)
            return sfew_fail(err, SFEW_ESHAPE, "reshape: cannot infer size -1 for %lld elements",
                             (long long)t->numel);
        sizes[infer] = t->numel / known;
        known *= sizes[infer];
    }
    if (known != t->numel) {
        char a[96], b[96];
        return sfew_fail(err, SFEW_ESHAPE,
                         "reshape: shape %s has %lld elements, tensor %s has %lld",
                         sfew_shape_str(ndim, sizes, a, sizeof a), (long long)known,
                         sfew_shape_str(t->ndim, t->shape, b, sizeof b), (long long)t->numel);
    }
    sfew_tensor *v = view_of(t, ndim, sizes, known, t->data);
    if (!v)
        return sfew_fail(err, SFEW_ENOMEM, "reshape: out of memory");
    *out = v;
    return SFEW_OK;
}

sfew_status sfew_tensor_narrow(const sfew_tensor *t, int64_t start, int64_t len,
                               sfew_tensor **out, sfew_err *err)
{
    if (t->ndim < 1)
        return sfew_fail(err, SFEW_ESHAPE, "narrow: a scalar tensor has no rows");
    if (start < 0 || len < 0 || start > t->shape[0] || len > t->shape[0] - start)
        return sfew_fail(err, SFEW_EINVAL, "narrow: %lld rows from row %lld outside 0..%lld",
                         (long long)len, (long long)start, (long long)t->shape[0]);
    int64_t row = t->shape[0] ? t->numel / t->shape[0] : 0;
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = len;
    sfew_tensor *v = view_of(t, t->ndim, shape, len * row, t->data + start * row);
    if (!v)
        return sfew_fail(err, SFEW_ENOMEM, "narrow: out of memory");
    *out = v;
    return SFEW_OK;
}

sfew_status sfew_tensor_clone(const sfew_tensor *t, sfew_tensor **out, sfew_err *err)
{
    sfew_tensor *c = NULL;
    sfew_status st = sfew_tensor_new(t->ndim, t->shape, &c, err);
    if (st)
        return st;
    memcpy(c->data, t->data, (size_t)t->numel * sizeof(float));
    *out = c;
    return SFEW_OK;
}

sfew_status sfew_tensor_resize(sfew_tensor *t, int ndim, const int64_t *shape, sfew_err *err)
{
    int64_t n;
    sfew_status st = sfew_shape_check(ndim, shape, &n, err);
    if (st)
        return st;
    int own = t->storage && t->storage->refs == 1 && t->data == t->storage->data;
    if (!own || t->storage->capacity < n) {
        sfew_storage *s = storage_new(n);
        if (!s)
            return sfew_fail(err, SFEW_ENOMEM, "resize: cannot allocate %lld floats",
                             (long long)n);
        storage_release(t->storage);
        t->storage = s;
        t->data = s->data;
    }
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    t->numel = n;
    return SFEW_OK;
}

sfew_status sfew_tensor_set_storage(sfew_tensor *t, const sfew_tensor *src, sfew_err *err)
{
    if (t->numel != src->numel)
        return sfew_fail(err, SFEW_ESHAPE, "set_storage: %lld elements vs %lld",
                         (long long)t->numel, (long long)src->numel);
    src->storage->refs++;
    storage_release(t->storage);
    t->storage = src->storage;
    t->data = src->data;
    return SFEW_OK;
}

int sfew_tensor_same_shape(const sfew_tensor *a, const sfew_tensor *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}

char *sfew_shape_str(int ndim, const int64_t *shape, char *buf, int size)
{
    int used = 0;
    buf[0] = '\0';
    if (ndim == 0)
        snprintf(buf, (size_t)size, "scalar");
    for (int i = 0; i < ndim && used < size; i++) {
        int n = snprintf(buf + used, (size_t)(size - used), i ? "x%lld" : "%lld",
                         (long long)shape[i]);
        if (n < 0)
            break;
        used += n;
    }
    return buf;
}

int sfew_tensor_shares(const sfew_tensor *a, const sfew_tensor *b)
{
    return a->storage == b->storage;
}

int sfew_tensor_refcount(const sfew_tensor *t)
{
    return t->storage ? t->storage->refs : 0;
}

void sfew_tensor_fill(sfew_tensor *t, float v)
{
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = v;
}

sfew_status sfew_tensor_copy(sfew_tensor *dst, const sfew_tensor *src, sfew_err *err)
{
    if (dst->numel != src->numel)
        return sfew_fail(err, SFEW_ESHAPE, "copy: destination has %lld elements, source %lld",
                         (long long)dst->numel, (long long)src->numel);
    memmove(dst->data, src->data, (size_t)src->numel * sizeof(float));
    return SFEW_OK;
}

int64_t sfew_tensor_offset(const sfew_tensor *t, int n, const int64_t *idx, sfew_err *err)
{
    if (n != t->ndim) {
        sfew_fail(err, SFEW_EINVAL, "index: %d indices for a %d-dimensional tensor", n, t->ndim);
        return -1;
    }
    int64_t off = 0;
    for (int i = 0; i < n; i++) {
        if (idx[i] < 0 || idx[i] >= t->shape[i]) {
            sfew_fail(err, SFEW_EINVAL, "index %lld out of range 1..%lld in dimension %d",
                      (long long)idx[i] + 1, (long long)t->shape[i], i + 1);
            return -1;
        }
        off = off * t->shape[i] + idx[i];
    }
    return off;
}
