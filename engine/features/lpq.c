/* Local Phase Quantization (Ojansivu and Heikkila, 2008), following their reference
 * lpq.m: uniform STFT window, four frequencies, optional decorrelation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "lpq.h"
#include "pca.h"

#define LPQ_MAX_WINDOW 63
#define LPQ_PI 3.14159265358979323846

/* Read-only state shared by every image of a call. */
typedef struct lpq_ctx {
    int m, r, gr, gc, decorr;
    double cs[LPQ_MAX_WINDOW], sn[LPQ_MAX_WINDOW]; /* cos, sin(2 pi y / M), at y + r */
    double white[8][8]; /* rows: the whitening axes (decorrelate only) */
} lpq_ctx;

void sfew_lpq_opts_default(sfew_lpq_opts *o)
{
    o->window = 7;
    o->grid_rows = 1;
    o->grid_cols = 1;
    o->decorrelate = 0;
    o->rho = 0.9;
}

int64_t sfew_lpq_size(const sfew_lpq_opts *o)
{
    return (int64_t)256 * o->grid_rows * o->grid_cols;
}

sfew_status sfew_lpq_check(const sfew_lpq_opts *o, int64_t h, int64_t w, sfew_err *err)
{
    int m = o->window;
    if (m < 3 || m % 2 == 0 || m > LPQ_MAX_WINDOW)
        return sfew_fail(err, SFEW_EINVAL, "lpq: window %d must be odd and in 3..%d", m,
                         LPQ_MAX_WINDOW);
    if (h < m || w < m)
        return sfew_fail(err, SFEW_ESHAPE, "lpq: image %lldx%lld is smaller than the window %d",
                         (long long)h, (long long)w, m);
    if (o->grid_rows < 1 || o->grid_rows > h - m + 1 || o->grid_cols < 1 ||
        o->grid_cols > w - m + 1)
        return sfew_fail(err, SFEW_EINVAL, "lpq: grid %dx%d does not fit a %lldx%lld code map",
                         o->grid_rows, o->grid_cols, (long long)(h - m + 1),
                         (long long)(w - m + 1));
    if (o->decorrelate && !(o->rho > 0 && o->rho < 1))
        return sfew_fail(err, SFEW_EINVAL, "lpq: rho %g must be in (0, 1)", o->rho);
    return SFEW_OK;
}

/* The 8 real filters at offset (yv, yh), so that coefficient k = sum f(c - y) m_k(y). */
static void filters(const lpq_ctx *c, int yv, int yh, double *m)
{
    double pv = 2 * LPQ_PI * yv / c->m, ph = 2 * LPQ_PI * yh / c->m;
    m[0] = cos(ph), m[1] = -sin(ph);
    m[2] = cos(pv), m[3] = -sin(pv);
    m[4] = cos(pv + ph), m[5] = -sin(pv + ph);
    m[6] = cos(pv - ph), m[7] = -sin(pv - ph);
}

/* The whitening of lpq.m: covariance D = M C M^T of the coefficients of pixels
 * correlated as rho^distance, slightly scaled to split equal eigenvalues, and its
 * eigenvectors as the new axes. */
static sfew_status whitening(lpq_ctx *c, double rho, sfew_err *err)
{
    int m = c->m, p2 = m * m;
    double *f = calloc((size_t)p2 * 8, sizeof *f); /* (M*M, 8) filters per offset */
    double d[8][8] = {{0}};
    float a[64], w[8];
    if (!f)
        return sfew_fail(err, SFEW_ENOMEM, "lpq: no memory for the decorrelation");
    for (int p = 0; p < p2; p++)
        filters(c, p / m - c->r, p % m - c->r, f + p * 8);
    for (int p = 0; p < p2; p++)
        for (int q = 0; q < p2; q++) {
            double dy = p / m - q / m, dx = p % m - q % m;
            double cpq = pow(rho, sqrt(dy * dy + dx * dx));
            for (int k = 0; k < 8; k++)
                for (int l = 0; l < 8; l++)
                    d[k][l] += f[p * 8 + k] * cpq * f[q * 8 + l];
        }
    free(f);
    for (int k = 0; k < 8; k++)
        for (int l = 0; l < 8; l++)
            a[k * 8 + l] = (float)((1 + 1e-6 * (7 - k)) * d[k][l] * (1 + 1e-6 * (7 - l)));
    sfew_status st = sfew_eigh(8, a, w, err);
    for (int k = 0; k < 64 && st == SFEW_OK; k++)
        c->white[k / 8][k % 8] = a[k];
    return st;
}

/* Codes of one image (H, W) into codes (R, C); work holds 3 R W doubles. */
static void code_map(const float *img, int64_t h, int64_t w, const lpq_ctx *c, double *work,
                     double *codes)
{
    int r = c->r;
    int64_t rows = h - c->m + 1, cols = w - c->m + 1;
    double *v0 = work, *vre = work + rows * w, *vim = work + 2 * rows * w; /* (R, W) */
    double big = 0;
    for (int64_t i = 0; i < h * w; i++)
        big = fmax(big, fabs(img[i]));
    /* Far above double rounding of a window sum, far below any float32 signal. */
    double tol = 1e-9 * c->m * c->m * big;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t x = 0; x < w; x++) {
            double s0 = 0, sre = 0, sim = 0;
            for (int y = -r; y <= r; y++) {
                double f = img[(i + r - y) * w + x];
                s0 += f, sre += f * c->cs[y + r], sim -= f * c->sn[y + r];
            }
            v0[i * w + x] = s0, vre[i * w + x] = sre, vim[i * w + x] = sim;
        }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            double v[8] = {0}, u[8];
            for (int t = -r; t <= r; t++) {
                int64_t at = i * w + j + r - t;
                double cs = c->cs[t + r], sn = c->sn[t + r];
                double a0 = v0[at], re = vre[at], im = vim[at];
                v[0] += a0 * cs, v[1] -= a0 * sn;                     /* (0, a) */
                v[2] += re, v[3] += im;                               /* (a, 0) */
                v[4] += re * cs + im * sn, v[5] += im * cs - re * sn; /* (a, a) */
                v[6] += re * cs - im * sn, v[7] += im * cs + re * sn; /* (a, -a) */
            }
            for (int k = 0; k < 8; k++) {
                u[k] = v[k];
                if (c->decorr) {
                    u[k] = 0;
                    for (int l = 0; l < 8; l++)
                        u[k] += c->white[k][l] * v[l];
                }
            }
            int code = 0;
            for (int k = 0; k < 8; k++)
                code |= (u[k] > tol) << k;
            codes[i * cols + j] = code;
        }
}

/* One descriptor: the normalised histogram of codes in each grid cell. */
static void lpq_image(const float *img, int64_t h, int64_t w, float *out, double *work,
                      const void *ctx)
{
    const lpq_ctx *c = ctx;
    int64_t rows = h - c->m + 1, cols = w - c->m + 1;
    double *codes = work + 3 * rows * w; /* (R, C) */
    code_map(img, h, w, c, work, codes);
    int64_t ncell = (int64_t)c->gr * c->gc;
    memset(out, 0, (size_t)(256 * ncell) * sizeof *out);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            int64_t cell = (i * c->gr / rows) * c->gc + j * c->gc / cols;
            out[cell * 256 + (int)codes[i * cols + j]] += 1;
        }
    for (int64_t cell = 0; cell < ncell; cell++) { /* each cell's sum is its pixel count */
        float *hist = out + cell * 256, total = 0;
        for (int b = 0; b < 256; b++)
            total += hist[b];
        for (int b = 0; b < 256; b++)
            hist[b] /= total;
    }
}

static sfew_status ctx_init(lpq_ctx *c, const sfew_lpq_opts *o, sfew_err *err)
{
    memset(c, 0, sizeof *c);
    c->m = o->window, c->r = o->window / 2;
    c->gr = o->grid_rows, c->gc = o->grid_cols, c->decorr = o->decorrelate;
    for (int y = -c->r; y <= c->r; y++) {
        c->cs[y + c->r] = cos(2 * LPQ_PI * y / c->m);
        c->sn[y + c->r] = sin(2 * LPQ_PI * y / c->m);
    }
    return c->decorr ? whitening(c, o->rho, err) : SFEW_OK;
}

sfew_status sfew_lpq_codes(const sfew_tensor *img, const sfew_lpq_opts *o, sfew_tensor *out,
                           sfew_err *err)
{
    int64_t n, h, w;
    int batch;
    lpq_ctx c;
    sfew_status st = sfew_features_image_dims(img, "lpq_codes", &n, &h, &w, &batch, err);
    if (st == SFEW_OK && batch)
        st = sfew_fail(err, SFEW_ESHAPE, "lpq_codes: takes one image, not a batch");
    if (st == SFEW_OK)
        st = sfew_lpq_check(o, h, w, err);
    if (st != SFEW_OK)
        return st;
    int64_t rows = h - o->window + 1, cols = w - o->window + 1;
    if (out->numel != rows * cols)
        return sfew_fail(err, SFEW_ESHAPE, "lpq_codes: out must hold %lldx%lld codes",
                         (long long)rows, (long long)cols);
    if ((st = ctx_init(&c, o, err)) != SFEW_OK)
        return st;
    double *work = calloc((size_t)(3 * rows * w + rows * cols), sizeof *work);
    if (!work)
        return sfew_fail(err, SFEW_ENOMEM, "lpq_codes: no memory for a %lldx%lld image",
                         (long long)h, (long long)w);
    double *codes = work + 3 * rows * w;
    code_map(img->data, h, w, &c, work, codes);
    for (int64_t i = 0; i < rows * cols; i++)
        out->data[i] = (float)codes[i];
    free(work);
    return SFEW_OK;
}

sfew_status sfew_lpq_forward(const sfew_tensor *x, const sfew_lpq_opts *o, sfew_tensor *out,
                             int threads, sfew_err *err)
{
    int64_t n, h, w;
    int batch;
    lpq_ctx c;
    sfew_status st = sfew_features_image_dims(x, "lpq", &n, &h, &w, &batch, err);
    if (st == SFEW_OK)
        st = sfew_lpq_check(o, h, w, err);
    if (st != SFEW_OK)
        return st;
    int64_t d = sfew_lpq_size(o);
    if (out->numel != n * d)
        return sfew_fail(err, SFEW_ESHAPE, "lpq: out must hold %lld x %lld", (long long)n,
                         (long long)d);
    if ((st = ctx_init(&c, o, err)) != SFEW_OK)
        return st;
    int64_t rows = h - o->window + 1, cols = w - o->window + 1;
    return sfew_features_map(x, n, h, w, out, d, lpq_image, &c,
                             (size_t)(3 * rows * w + rows * cols), threads, "lpq", err);
}
