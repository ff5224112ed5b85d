/* PHOG (Bosch, Zisserman and Munoz, 2007) without the Canny edge mask: every pixel votes
 * with its gradient magnitude, so the descriptor needs no thresholds. */
#include <math.h>
#include <string.h>

#include "batch.h"
#include "phog.h"

#define PHOG_PI 3.14159265358979323846

void sfew_phog_opts_default(sfew_phog_opts *o)
{
    o->bins = 8;
    o->levels = 3;
    o->angle = 180;
}

int64_t sfew_phog_size(const sfew_phog_opts *o)
{
    int64_t cells = 0;
    for (int l = 0; l <= o->levels; l++)
        cells += (int64_t)1 << (2 * l);
    return o->bins * cells;
}

sfew_status sfew_phog_check(const sfew_phog_opts *o, sfew_err *err)
{
    if (o->bins < 1 || o->bins > 360)
        return sfew_fail(err, SFEW_EINVAL, "phog: bins %d must be in 1..360", o->bins);
    if (o->levels < 0 || o->levels > 6)
        return sfew_fail(err, SFEW_EINVAL, "phog: levels %d must be in 0..6", o->levels);
    if (o->angle != 180 && o->angle != 360)
        return sfew_fail(err, SFEW_EINVAL, "phog: angle %d must be 180 or 360", o->angle);
    return SFEW_OK;
}

/* MATLAB's gradient along a line of n samples with stride s, at index i. */
static double diff(const float *p, int64_t i, int64_t n, int64_t s)
{
    if (n < 2)
        return 0;
    if (i == 0)
        return p[s] - p[0];
    if (i == n - 1)
        return p[i * s] - p[(i - 1) * s];
    return 0.5 * ((double)p[(i + 1) * s] - p[(i - 1) * s]);
}

/* Orientation bin (0-based) of the gradient (gx, gy). */
static int orientation_bin(double gx, double gy, const sfew_phog_opts *o)
{
    double a = atan2(gy, gx), range = PHOG_PI; /* a in [-pi, pi] */
    if (o->angle == 360) {
        a += PHOG_PI;
        range = 2 * PHOG_PI;
    } else {
        if (a < 0)
            a += PHOG_PI;
        a = fmod(a + PHOG_PI / 2, PHOG_PI); /* the edge runs across the gradient */
    }
    int b = (int)(a / range * o->bins);
    return b < 0 ? 0 : b >= o->bins ? o->bins - 1 : b;
}

static void phog_image(const float *img, int64_t h, int64_t w, float *out, double *work,
                       const void *ctx)
{
    const sfew_phog_opts *o = ctx;
    double total = 0;
    int64_t d = sfew_phog_size(o);
    memset(work, 0, (size_t)d * sizeof *work); /* (D) the histograms, in double */
    for (int64_t i = 0; i < h; i++)
        for (int64_t j = 0; j < w; j++) {
            double gx = diff(img + i * w, j, w, 1), gy = diff(img + j, i, h, w);
            double mag = sqrt(gx * gx + gy * gy);
            if (mag == 0)
                continue;
            int b = orientation_bin(gx, gy, o);
            int64_t base = 0;
            for (int l = 0; l <= o->levels; l++) {
                int64_t n = (int64_t)1 << l;
                int64_t cell = (i * n / h) * n + j * n / w;
                work[(base + cell) * o->bins + b] += mag;
                base += n * n;
            }
            total += mag * (o->levels + 1);
        }
    for (int64_t k = 0; k < d; k++)
        out[k] = total > 0 ? (float)(work[k] / total) : 0.0f;
}

sfew_status sfew_phog_forward(const sfew_tensor *x, const sfew_phog_opts *o, sfew_tensor *out,
                              int threads, sfew_err *err)
{
    int64_t n, h, w;
    int batch;
    sfew_status st = sfew_features_image_dims(x, "phog", &n, &h, &w, &batch, err);
    if (st == SFEW_OK)
        st = sfew_phog_check(o, err);
    if (st != SFEW_OK)
        return st;
    int64_t d = sfew_phog_size(o);
    if (out->numel != n * d)
        return sfew_fail(err, SFEW_ESHAPE, "phog: out must hold %lld x %lld", (long long)n,
                         (long long)d);
    return sfew_features_map(x, n, h, w, out, d, phog_image, o, (size_t)d, threads, "phog",
                             err);
}
