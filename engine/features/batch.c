/* Batches of grayscale images for the descriptors, and the parallel loop over them. */
#include <stdlib.h>
#include <string.h>

#include "../parallel.h"
#include "batch.h"

typedef struct map_job {
    const sfew_tensor *x;
    int64_t n, h, w, d;
    sfew_tensor *out;
    sfew_image_fn fn;
    const void *ctx;
    size_t work;
    int failed[SFEW_PAR_MAX]; /* per part: its work buffer could not be allocated */
} map_job;

static void map_part(void *arg, int part, int parts)
{
    map_job *j = arg;
    double *buf = calloc(j->work > 0 ? j->work : 1, sizeof *buf);
    if (!buf) {
        j->failed[part] = 1;
        return;
    }
    int64_t lo = j->n * part / parts, hi = j->n * (part + 1) / parts, hw = j->h * j->w;
    for (int64_t i = lo; i < hi; i++)
        j->fn(j->x->data + i * hw, j->h, j->w, j->out->data + i * j->d, buf, j->ctx);
    free(buf);
}

sfew_status sfew_features_image_dims(const sfew_tensor *x, const char *who, int64_t *n,
                                     int64_t *h, int64_t *w, int *batch, sfew_err *err)
{
    char s[96];
    const int64_t *sh = x->shape;
    int ok = (x->ndim == 2) || (x->ndim == 3 && sh[0] == 1) || (x->ndim == 4 && sh[1] == 1);
    if (!ok)
        return sfew_fail(err, SFEW_ESHAPE,
                         "%s: expected a grayscale image HxW or 1xHxW, or a batch Nx1xHxW, "
                         "got %s", who, sfew_shape_str(x->ndim, sh, s, sizeof s));
    *batch = x->ndim == 4;
    *n = x->ndim == 4 ? sh[0] : 1;
    *h = sh[x->ndim - 2];
    *w = sh[x->ndim - 1];
    return SFEW_OK;
}

sfew_status sfew_features_map(const sfew_tensor *x, int64_t n, int64_t h, int64_t w,
                              sfew_tensor *out, int64_t d, sfew_image_fn fn, const void *ctx,
                              size_t work, int threads, const char *who, sfew_err *err)
{
    if (threads < 1)
        threads = 1;
    if (threads > n)
        threads = n > 0 ? (int)n : 1;
    if (threads > SFEW_PAR_MAX)
        threads = SFEW_PAR_MAX;
    /* Each image is independent and written to its own row: any schedule gives the
     * same numbers. */
    map_job job = {.x = x, .n = n, .h = h, .w = w, .d = d, .out = out, .fn = fn, .ctx = ctx,
                   .work = work};
    sfew_parallel(threads, map_part, &job);
    int failed = 0;
    for (int p = 0; p < threads; p++)
        failed |= job.failed[p];
    if (failed)
        return sfew_fail(err, SFEW_ENOMEM, "%s: no memory for a work buffer of %zu doubles",
                         who, work);
    return SFEW_OK;
}

sfew_status sfew_features_hcat(const sfew_tensor *a, const sfew_tensor *b, sfew_tensor *out,
                               sfew_err *err)
{
    if (a->ndim != 2 || b->ndim != 2 || a->shape[0] != b->shape[0] || out->ndim != 2 ||
        out->shape[0] != a->shape[0] || out->shape[1] != a->shape[1] + b->shape[1])
        return sfew_fail(err, SFEW_ESHAPE,
                         "features_hcat: need a (N, Da), b (N, Db) and out (N, Da+Db)");
    int64_t na = a->shape[1], nb = b->shape[1];
    for (int64_t i = 0; i < a->shape[0]; i++) {
        float *row = out->data + i * (na + nb);
        if (na)
            memcpy(row, a->data + i * na, (size_t)na * sizeof *row);
        if (nb)
            memcpy(row + na, b->data + i * nb, (size_t)nb * sizeof *row);
    }
    return SFEW_OK;
}
