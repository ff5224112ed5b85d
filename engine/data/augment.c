/* Augmentation, one image at a time: each operation maps the image in place, those that
 * move pixels through a scratch plane. Per-image generators keep results independent of how
 * images are spread over threads. */
#include "augment.h"
#include "../parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sfew_status sfew_augment_check(const sfew_aug_op *ops, int n_ops, sfew_err *err)
{
    for (int i = 0; i < n_ops; i++) {
        const sfew_aug_op *o = &ops[i];
        const char *bad = NULL;
        if (!(o->p >= 0 && o->p <= 1))
            bad = "p must be in [0, 1]";
        else if (o->kind == SFEW_AUG_SHIFT && (o->pad < 0 || o->pad > 4096))
            bad = "pad must be in 0..4096";
        else if (o->kind == SFEW_AUG_AFFINE && !(o->degrees >= 0 && o->degrees <= 180))
            bad = "degrees must be in [0, 180]";
        else if (o->kind == SFEW_AUG_AFFINE && !(o->scale >= 0 && o->scale < 1))
            bad = "scale must be in [0, 1)";
        else if (o->kind == SFEW_AUG_JITTER && !(o->brightness >= 0 && o->brightness <= 1
                                                  && o->contrast >= 0 && o->contrast <= 1))
            bad = "brightness and contrast must be in [0, 1]";
        else if (o->kind == SFEW_AUG_ERASE && !(o->area_lo > 0 && o->area_lo <= o->area_hi
                                                 && o->area_hi <= 1 && o->ratio >= 1
                                                 && isfinite(o->ratio)))
            bad = "area must satisfy 0 < lo <= hi <= 1 and ratio >= 1";
        else if (o->kind < SFEW_AUG_FLIP || o->kind > SFEW_AUG_ERASE)
            bad = "unknown kind";
        else if (!isfinite(o->fill))
            bad = "fill must be finite";
        if (bad)
            return sfew_fail(err, SFEW_EINVAL, "augment: operation %d: %s", i + 1, bad);
    }
    return SFEW_OK;
}

/* One image (C, H, W) in x, a scratch image s of the same size. */
typedef struct image {
    float *x, *s;
    int64_t c, h, w;
} image;

static double uniform(sfew_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * sfew_rng_uniform(r);
}

static void flip(image *im)
{
    for (int64_t r = 0; r < im->c * im->h; r++) {
        float *row = im->x + r * im->w;
        for (int64_t i = 0, j = im->w - 1; i < j; i++, j--) {
            float t = row[i];
            row[i] = row[j];
            row[j] = t;
        }
    }
}

/* out(y, x) = in(y - dy, x - dx), fill outside. */
static void shift(image *im, int64_t dy, int64_t dx, float fill)
{
    int64_t H = im->h, W = im->w;
    for (int64_t c = 0; c < im->c; c++) {
        const float *src = im->x + c * H * W;
        float *dst = im->s + c * H * W;
        for (int64_t y = 0; y < H; y++)
            for (int64_t x = 0; x < W; x++) {
                int64_t sy = y - dy, sx = x - dx;
                dst[y * W + x] = sy >= 0 && sy < H && sx >= 0 && sx < W ? src[sy * W + sx] : fill;
            }
    }
    memcpy(im->x, im->s, (size_t)(im->c * H * W) * sizeof *im->x);
}

/* Rotation by deg degrees (counter-clockwise on screen) and scaling by k about the image
 * centre: each output pixel samples the input bilinearly at the inverse-mapped point. */
static void affine(image *im, double deg, double k, float fill)
{
    int64_t H = im->h, W = im->w;
    double t = deg * 3.14159265358979323846 / 180.0, cs = cos(t) / k, sn = sin(t) / k;
    double cy = (double)(H - 1) / 2, cx = (double)(W - 1) / 2;
    for (int64_t y = 0; y < H; y++)
        for (int64_t x = 0; x < W; x++) {
            double u = x - cx, v = y - cy;
            double sx = cs * u - sn * v + cx, sy = sn * u + cs * v + cy;
            double fx = floor(sx), fy = floor(sy), ax = sx - fx, ay = sy - fy;
            int64_t x0 = (int64_t)fx, y0 = (int64_t)fy;
            double wts[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
            int64_t xs[4] = {x0, x0 + 1, x0, x0 + 1}, ys[4] = {y0, y0, y0 + 1, y0 + 1};
            for (int64_t c = 0; c < im->c; c++) {
                const float *src = im->x + c * H * W;
                double acc = 0.0;
                for (int q = 0; q < 4; q++) {
                    int in = xs[q] >= 0 && xs[q] < W && ys[q] >= 0 && ys[q] < H;
                    acc += wts[q] * (in ? src[ys[q] * W + xs[q]] : fill);
                }
                im->s[c * H * W + y * W + x] = (float)acc;
            }
        }
    memcpy(im->x, im->s, (size_t)(im->c * H * W) * sizeof *im->x);
}

/* Brightness scales every value; contrast pulls towards the image's mean over all channels
 * (the mean after the brightness change). */
static void jitter(image *im, double b, double k)
{
    int64_t n = im->c * im->h * im->w;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += (im->x[i] *= (float)b);
    float m = (float)(sum / (double)n), kf = (float)k;
    for (int64_t i = 0; i < n; i++)
        im->x[i] = (im->x[i] - m) * kf + m;
}

static void erase(image *im, const sfew_aug_op *o, sfew_rng *r)
{
    int64_t H = im->h, W = im->w;
    for (int attempt = 0; attempt < 10; attempt++) {
        double area = (double)(H * W) * uniform(r, o->area_lo, o->area_hi);
        double ar = exp(uniform(r, -log(o->ratio), log(o->ratio)));
        int64_t eh = (int64_t)llround(sqrt(area * ar)), ew = (int64_t)llround(sqrt(area / ar));
        if (eh < 1 || ew < 1 || eh >= H || ew >= W)
            continue;
        int64_t y0 = (int64_t)sfew_rng_below(r, (uint64_t)(H - eh + 1));
        int64_t x0 = (int64_t)sfew_rng_below(r, (uint64_t)(W - ew + 1));
        for (int64_t c = 0; c < im->c; c++)
            for (int64_t y = y0; y < y0 + eh; y++)
                for (int64_t x = x0; x < x0 + ew; x++)
                    im->x[(c * H + y) * W + x] = o->fill;
        return;
    }
}

static void augment_image(const sfew_aug_op *ops, int n_ops, image *im, sfew_rng *r)
{
    for (int i = 0; i < n_ops; i++) {
        const sfew_aug_op *o = &ops[i];
        if (o->p < 1 && !(sfew_rng_uniform(r) < o->p))
            continue;
        switch (o->kind) {
        case SFEW_AUG_FLIP:
            flip(im);
            break;
        case SFEW_AUG_SHIFT: {
            int64_t span = 2 * o->pad + 1;
            int64_t dy = (int64_t)sfew_rng_below(r, (uint64_t)span) - o->pad;
            int64_t dx = (int64_t)sfew_rng_below(r, (uint64_t)span) - o->pad;
            shift(im, dy, dx, o->fill);
            break;
        }
        case SFEW_AUG_AFFINE: {
            double deg = uniform(r, -o->degrees, o->degrees);
            affine(im, deg, uniform(r, 1 - o->scale, 1 + o->scale), o->fill);
            break;
        }
        case SFEW_AUG_JITTER: {
            double b = uniform(r, fmax(0, 1 - o->brightness), 1 + o->brightness);
            jitter(im, b, uniform(r, fmax(0, 1 - o->contrast), 1 + o->contrast));
            break;
        }
        case SFEW_AUG_ERASE:
            erase(im, o, r);
            break;
        }
    }
}

typedef struct aug_job {
    const sfew_aug_op *ops;
    int n_ops;
    float *out, *scratch; /* out (N, C, H, W); scratch one (C, H, W) per part */
    const uint64_t *seeds; /* N */
    int64_t n, c, h, w;
} aug_job;

static void run_part(void *ctx, int part, int parts)
{
    aug_job *j = ctx;
    int64_t plane = j->c * j->h * j->w;
    int64_t lo = j->n * part / parts, hi = j->n * (part + 1) / parts;
    for (int64_t i = lo; i < hi; i++) {
        sfew_rng r;
        sfew_rng_seed(&r, j->seeds[i]);
        image im = {j->out + i * plane, j->scratch + part * plane, j->c, j->h, j->w};
        augment_image(j->ops, j->n_ops, &im, &r);
    }
}

sfew_status sfew_augment_apply(const sfew_aug_op *ops, int n_ops, const sfew_tensor *in,
                               sfew_tensor *out, sfew_rng *rng, int threads, sfew_err *err)
{
    char buf[96];
    sfew_status st = sfew_augment_check(ops, n_ops, err);
    if (st)
        return st;
    if (in->ndim != 4)
        return sfew_fail(err, SFEW_ESHAPE, "augment expects 4-D N x C x H x W images, got %s",
                         sfew_shape_str(in->ndim, in->shape, buf, 96));
    if (out == in || (in->numel > 0 && sfew_tensor_shares(in, out)))
        return sfew_fail(err, SFEW_EINVAL, "augment: out must not share in's storage");
    int64_t N = in->shape[0], plane = in->numel / (N > 0 ? N : 1);
    int parts = sfew_par_threads(threads, in->numel);
    parts = parts > N ? (int)(N > 0 ? N : 1) : parts;
    uint64_t *seeds = calloc((size_t)N + 1, sizeof *seeds);
    float *scratch = calloc((size_t)(parts * plane) + 1, sizeof *scratch);
    if (!seeds || !scratch) {
        st = sfew_fail(err, SFEW_ENOMEM, "augment: out of memory for %d scratch images",
                       parts);
        goto fail;
    }
    if ((st = sfew_tensor_resize(out, 4, in->shape, err)))
        goto fail;
    memcpy(out->data, in->data, (size_t)in->numel * sizeof *in->data);
    for (int64_t i = 0; i < N; i++)
        seeds[i] = sfew_rng_u64(rng);
    aug_job j = {ops, n_ops, out->data, scratch, seeds, N, in->shape[1], in->shape[2],
                 in->shape[3]};
    sfew_parallel(parts, run_part, &j);
fail:
    free(seeds);
    free(scratch);
    return st;
}
