/* PCA: covariance by sfew_gemm, axes by LAPACK's ssyevd (from OpenBLAS). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../gemm.h"
#include "pca.h"

/* LAPACK's Fortran interface as OpenBLAS exports it (Debian ships no LAPACKE header
 * for it); the trailing lengths are gfortran's hidden string-length arguments. */
extern void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a,
                    const int *lda, float *w, float *work, const int *lwork, int *iwork,
                    const int *liwork, int *info, size_t jobz_len, size_t uplo_len);

/* Row-major eigenvectors in ascending order -> descending, with the sign convention. */
static void order_and_sign(int n, const float *vec, const float *val, float *a, float *w)
{
    for (int j = 0; j < n; j++) {
        const float *src = vec + (size_t)(n - 1 - j) * n;
        float *dst = a + (size_t)j * n;
        int big = 0;
        for (int i = 1; i < n; i++)
            if (fabsf(src[i]) > fabsf(src[big]))
                big = i;
        float s = src[big] < 0 ? -1.0f : 1.0f;
        for (int i = 0; i < n; i++)
            dst[i] = s * src[i];
        w[j] = val[n - 1 - j];
    }
}

sfew_status sfew_eigh(int n, float *a, float *w, sfew_err *err)
{
    if (n < 1)
        return sfew_fail(err, SFEW_EINVAL, "eigh: matrix size %d must be positive", n);
    int lwork = -1, liwork = -1, info = 0, iwq = 0;
    float wq = 0;
    float *m = NULL, *val = NULL, *work = NULL;
    int *iwork = NULL;
    sfew_status st = SFEW_ENOMEM;
    /* LAPACK is column-major: the row-major upper triangle is its lower one, and the
     * eigenvectors it writes as columns come back to us as rows. */
    ssyevd_("V", "L", &n, a, &n, w, &wq, &lwork, &iwq, &liwork, &info, 1, 1);
    lwork = (int)wq + 1;
    liwork = iwq + 1;
    m = calloc((size_t)n * n, sizeof *m);
    val = calloc((size_t)n, sizeof *val);
    work = calloc((size_t)lwork, sizeof *work);
    iwork = calloc((size_t)liwork, sizeof *iwork);
    if (!m || !val || !work || !iwork) {
        st = sfew_fail(err, SFEW_ENOMEM, "eigh: no memory for a %dx%d problem", n, n);
        goto fail;
    }
    memcpy(m, a, (size_t)n * n * sizeof *m);
    ssyevd_("V", "L", &n, m, &n, val, work, &lwork, iwork, &liwork, &info, 1, 1);
    if (info != 0) {
        st = sfew_fail(err, SFEW_EINVAL, "eigh: ssyevd failed with info %d (n = %d)", info,
                       n);
        goto fail;
    }
    order_and_sign(n, m, val, a, w);
    st = SFEW_OK;
fail:
    free(m);
    free(val);
    free(work);
    free(iwork);
    return st;
}

static sfew_status fit_check(const sfew_tensor *x, int64_t k, const sfew_tensor *mean,
                             const sfew_tensor *comp, const sfew_tensor *var,
                             const sfew_tensor *ratio, sfew_err *err)
{
    if (x->ndim != 2 || x->shape[0] < 1 || x->shape[1] < 1)
        return sfew_fail(err, SFEW_ESHAPE, "pca_fit: x must be a non-empty N x D matrix");
    int64_t d = x->shape[1];
    if (k < 1 || k > d)
        return sfew_fail(err, SFEW_EINVAL, "pca_fit: k = %lld must be in 1..%lld",
                         (long long)k, (long long)d);
    if (d > 16384)
        return sfew_fail(err, SFEW_EINVAL, "pca_fit: %lld columns is more than 16384",
                         (long long)d);
    if (mean->numel != d || comp->numel != k * d || var->numel != k || ratio->numel != k)
        return sfew_fail(err, SFEW_ESHAPE, "pca_fit: output tensors have the wrong sizes");
    return SFEW_OK;
}

sfew_status sfew_pca_fit(const sfew_tensor *x, int64_t k, sfew_tensor *mean,
                         sfew_tensor *components, sfew_tensor *variance, sfew_tensor *ratio,
                         sfew_err *err)
{
    sfew_status st = fit_check(x, k, mean, components, variance, ratio, err);
    if (st != SFEW_OK)
        return st;
    int64_t n = x->shape[0], d = x->shape[1];
    float *xc = calloc((size_t)(n * d), sizeof *xc);   /* (N, D) centred */
    float *cov = calloc((size_t)(d * d), sizeof *cov); /* (D, D), then eigenvectors */
    float *w = calloc((size_t)d, sizeof *w);
    double *mu = calloc((size_t)d, sizeof *mu);
    if (!xc || !cov || !w || !mu) {
        st = sfew_fail(err, SFEW_ENOMEM, "pca_fit: no memory for %lld x %lld", (long long)n,
                       (long long)d);
        goto fail;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++)
            mu[j] += x->data[i * d + j];
    for (int64_t j = 0; j < d; j++)
        mu[j] /= (double)n;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++)
            xc[i * d + j] = (float)(x->data[i * d + j] - mu[j]);
    float scale = 1.0f / (float)(n > 1 ? n - 1 : 1);
    sfew_gemm(1, 0, (int)d, (int)d, (int)n, scale, xc, (int)d, xc, (int)d, 0.0f, cov, (int)d);
    st = sfew_eigh((int)d, cov, w, err);
    if (st != SFEW_OK)
        goto fail;
    double total = 0;
    for (int64_t j = 0; j < d; j++)
        total += w[j] > 0 ? w[j] : 0; /* rounding can leave tiny negative eigenvalues */
    for (int64_t j = 0; j < d; j++)
        mean->data[j] = (float)mu[j];
    memcpy(components->data, cov, (size_t)(k * d) * sizeof *cov);
    for (int64_t j = 0; j < k; j++) {
        float v = w[j] > 0 ? w[j] : 0;
        variance->data[j] = v;
        ratio->data[j] = total > 0 ? (float)(v / total) : 0.0f;
    }
fail:
    free(xc);
    free(cov);
    free(w);
    free(mu);
    return st;
}

sfew_status sfew_pca_transform(const sfew_tensor *x, const sfew_tensor *mean,
                               const sfew_tensor *components, sfew_tensor *out,
                               sfew_err *err)
{
    if (components->ndim != 2 || x->ndim != 2 || x->shape[1] != components->shape[1] ||
        mean->numel != components->shape[1])
        return sfew_fail(err, SFEW_ESHAPE,
                         "pca_transform: x must be N x %lld to match the fitted PCA",
                         (long long)(components->ndim == 2 ? components->shape[1] : 0));
    int64_t n = x->shape[0], d = x->shape[1], k = components->shape[0];
    if (out->numel != n * k)
        return sfew_fail(err, SFEW_ESHAPE, "pca_transform: out must hold %lld x %lld",
                         (long long)n, (long long)k);
    if (n == 0)
        return SFEW_OK;
    float *xc = calloc((size_t)(n * d), sizeof *xc); /* (N, D) centred */
    if (!xc)
        return sfew_fail(err, SFEW_ENOMEM, "pca_transform: no memory for %lld x %lld",
                         (long long)n, (long long)d);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++)
            xc[i * d + j] = x->data[i * d + j] - mean->data[j];
    sfew_gemm(0, 1, (int)n, (int)k, (int)d, 1.0f, xc, (int)d, components->data, (int)d, 0.0f,
              out->data, (int)k);
    free(xc);
    return SFEW_OK;
}
