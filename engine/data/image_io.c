/* Many images at once (parallel decode for image folders) and PNG writing (atomic.h). */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image_write.h>

#include "../io/atomic.h"
#include "../parallel.h"

typedef struct load_job {
    const char *const *paths;
    const sfew_image_opts *o;
    float *data;
    int64_t per;
    sfew_status *codes;
    sfew_err *errs;
} load_job;

static void load_one(void *ctx, int part, int64_t i)
{
    (void)part;
    load_job *j = ctx;
    j->codes[i] = sfew_image_load_into(j->paths[i], j->o, j->data + i * j->per, &j->errs[i]);
}

sfew_status sfew_image_load_many(const char *const *paths, int64_t n, const sfew_image_opts *o,
                                 int threads, int skip_bad, sfew_tensor **out, char *keep,
                                 int64_t *nbad, sfew_err *err)
{
    if (n < 0 || o->width <= 0 || o->height <= 0 || o->width > 65535 || o->height > 65535)
        return sfew_fail(err, SFEW_EINVAL, "load_images: bad count %lld or size %dx%d",
                         (long long)n, o->width, o->height);
    int c = o->gray ? 1 : 3;
    int64_t per = (int64_t)c * o->height * o->width;
    sfew_tensor *t = NULL;
    sfew_status st = sfew_tensor_new4(4, n, c, o->height, o->width, &t, err);
    if (st)
        return st;
    sfew_status *codes = calloc((size_t)(n > 0 ? n : 1), sizeof *codes);
    sfew_err *errs = calloc((size_t)(n > 0 ? n : 1), sizeof *errs);
    if (!codes || !errs) {
        st = sfew_fail(err, SFEW_ENOMEM, "load_images: no memory for %lld files", (long long)n);
        goto fail;
    }
    /* Each file writes only its own slot, so the result does not depend on the schedule. */
    load_job job = {paths, o, t->data, per, codes, errs};
    sfew_parallel_items(threads, n, 4, load_one, &job);
    int64_t bad = 0, kept = 0;
    for (int64_t i = 0; i < n; i++) {
        if (codes[i] && (!skip_bad || codes[i] != SFEW_EIO)) {
            st = sfew_fail(err, codes[i], "%s", errs[i].msg);
            goto fail;
        }
        keep[i] = codes[i] == SFEW_OK;
        if (!keep[i]) {
            bad++;
            continue;
        }
        if (kept != i)
            memmove(t->data + kept * per, t->data + i * per, sizeof(float) * (size_t)per);
        kept++;
    }
    if (bad) {
        int64_t shape[4] = {kept, c, o->height, o->width};
        st = sfew_tensor_resize(t, 4, shape, err); /* shrinking reuses the storage */
        if (st)
            goto fail;
    }
    *nbad = bad;
    *out = t;
    t = NULL;
fail:
    sfew_tensor_free(t);
    free(codes);
    free(errs);
    return st;
}

/* stb_image_write's sink: appends to the open file; errors show in ferror at close. */
static void to_file(void *ctx, void *data, int size)
{
    fwrite(data, 1, (size_t)size, ctx);
}

sfew_status sfew_image_write_png8(const unsigned char *px, int w, int h, int c, const char *path,
                                  int sync, sfew_err *err)
{
    sfew_atomic a;
    sfew_status st = sfew_atomic_open(&a, path, err);
    if (st)
        return st;
    a.nosync = !sync;
    int ok = stbi_write_png_to_func(to_file, a.f, w, h, c, px, w * c) != 0;
    return sfew_atomic_close(&a, ok, err);
}

sfew_status sfew_image_write_png(const sfew_tensor *t, const char *path, sfew_err *err)
{
    if (t->ndim != 3 || (t->shape[0] != 1 && t->shape[0] != 3) || t->shape[1] < 1 ||
        t->shape[2] < 1 || t->shape[1] > 65535 || t->shape[2] > 65535)
        return sfew_fail(err, SFEW_ESHAPE, "write_png: want a (1 or 3) x H x W tensor, got %d dims",
                         t->ndim);
    int c = (int)t->shape[0], h = (int)t->shape[1], w = (int)t->shape[2];
    int64_t hw = (int64_t)h * w;
    unsigned char *px = malloc((size_t)(hw * c)); /* (h, w, c) */
    if (!px)
        return sfew_fail(err, SFEW_ENOMEM, "write_png: no memory for %dx%d", w, h);
    for (int ch = 0; ch < c; ch++)
        for (int64_t i = 0; i < hw; i++) {
            float v = t->data[ch * hw + i];
            v = v != v ? 0 : v < 0 ? 0 : v > 1 ? 1 : v; /* NaN shows as black */
            px[i * c + ch] = (unsigned char)(v * 255.0f + 0.5f);
        }
    sfew_status st = sfew_image_write_png8(px, w, h, c, path, 1, err);
    free(px);
    return st;
}
