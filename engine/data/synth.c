/* Synthetic faces, part three: one generator per image (so the bytes do not depend on the
 * thread count), and the SFEW folder layout on disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parallel.h"
#include "files.h"
#include "image.h"
#include "synth.h"

static sfew_status check_opts(const sfew_faces_opts *o, sfew_err *err)
{
    if (o->n < 0 || o->n > 10000000)
        return sfew_fail(err, SFEW_EINVAL, "synthesize_faces: bad count %d", o->n);
    if (o->width < 16 || o->height < 16 || o->width > 4096 || o->height > 4096)
        return sfew_fail(err, SFEW_EINVAL, "synthesize_faces: size %dx%d out of 16..4096",
                         o->width, o->height);
    if (!(o->difficulty >= 0 && o->difficulty <= 5))
        return sfew_fail(err, SFEW_EINVAL, "synthesize_faces: difficulty %g out of 0..5",
                         (double)o->difficulty);
    if (!(o->noise <= 1) || !(o->occlusion <= 1))
        return sfew_fail(err, SFEW_EINVAL, "synthesize_faces: noise %g or occlusion %g over 1",
                         (double)o->noise, (double)o->occlusion);
    return SFEW_OK;
}

sfew_status sfew_faces_image(const sfew_faces_opts *o, int64_t index, unsigned char *px8,
                             sfew_err *err)
{
    sfew_status st = check_opts(o, err);
    if (st)
        return st;
    int64_t n = (int64_t)o->width * o->height;
    float *px = malloc(sizeof(float) * (size_t)n * 3); /* (height, width, 3) */
    if (!px)
        return sfew_fail(err, SFEW_ENOMEM, "synthesize_faces: no memory");
    sfew_rng r;
    sfew_rng_seed(&r, o->seed * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)index);
    sfew_face f;
    sfew_faces_draw(o, (int)(index % SFEW_NCLASSES), &r, &f);
    sfew_faces_render(o, &f, &r, px);
    if (o->gray)
        sfew_image_luma(px, n, px);
    int c = o->gray ? 1 : 3;
    for (int64_t i = 0; i < n * c; i++)
        px8[i] = (unsigned char)(px[i] * 255.0f + 0.5f);
    free(px);
    return SFEW_OK;
}

static sfew_status write_one(const char *dir, const sfew_faces_opts *o, int64_t i,
                             unsigned char *px8, sfew_err *err)
{
    const char *cls = sfew_class_names[i % SFEW_NCLASSES];
    char path[4096];
    sfew_status st = sfew_faces_image(o, i, px8, err);
    if (st)
        return st;
    if (snprintf(path, sizeof path, "%s/%s/%s_%05lld.png", dir, cls, cls, (long long)i) >=
        (int)sizeof path)
        return sfew_fail(err, SFEW_EINVAL, "synthesize_faces: path too long");
    /* no fsync per image: a set is regenerated rather than recovered, and the default one is
     * published whole by renaming its folder */
    return sfew_image_write_png8(px8, o->width, o->height, o->gray ? 1 : 3, path, 0, err);
}

typedef struct write_job {
    const char *dir;
    const sfew_faces_opts *o;
    unsigned char *px8[SFEW_PAR_MAX]; /* one (height, width, 3) buffer per thread */
    sfew_status *codes;
    sfew_err *errs;
} write_job;

static void write_item(void *ctx, int part, int64_t i)
{
    write_job *j = ctx;
    j->codes[i] = write_one(j->dir, j->o, i, j->px8[part], &j->errs[i]);
}

sfew_status sfew_faces_write(const char *dir, const sfew_faces_opts *o, int threads,
                             sfew_err *err)
{
    sfew_status st = check_opts(o, err);
    char path[4096];
    for (int k = 0; !st && k < SFEW_NCLASSES; k++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, sfew_class_names[k]) >= (int)sizeof path)
            return sfew_fail(err, SFEW_EINVAL, "synthesize_faces: path too long");
        st = sfew_mkdir_p(path, err);
    }
    if (st)
        return st;
    sfew_status *codes = calloc((size_t)o->n + 1, sizeof *codes);
    sfew_err *errs = calloc((size_t)o->n + 1, sizeof *errs);
    if (!codes || !errs) {
        free(codes);
        free(errs);
        return sfew_fail(err, SFEW_ENOMEM, "synthesize_faces: no memory for %d images", o->n);
    }
    write_job job = {.dir = dir, .o = o, .codes = codes, .errs = errs};
    int parts = threads < 1 ? 1 : threads > SFEW_PAR_MAX ? SFEW_PAR_MAX : threads;
    for (int p = 0; p < parts && !st; p++)
        if (!(job.px8[p] = malloc((size_t)o->width * o->height * 3)))
            st = sfew_fail(err, SFEW_ENOMEM, "synthesize_faces: no memory");
    if (!st)
        sfew_parallel_items(parts, o->n, 8, write_item, &job);
    for (int i = 0; i < o->n && !st; i++)
        if (codes[i])
            st = sfew_fail(err, codes[i], "%s", errs[i].msg);
    for (int p = 0; p < parts; p++)
        free(job.px8[p]);
    free(codes);
    free(errs);
    return st;
}
