/* The fused Linear-Sigmoid-Linear + MSE step. Batch-long loops are either axpy-shaped
 * (no reduction: any vector width gives the same bits) or sums over the batch in 16 fixed
 * lanes then in double, so the AVX-512, AVX2 and baseline builds of step_core (chosen by
 * cpuid when the library loads) agree bit for bit. */
#include "mlp_fused.h"

#include <math.h>
#include <string.h>

#define LANES 16

/* -O2's cheap vectoriser leaves loops of unknown length scalar, and these loops are the
 * whole cost of the step; a * b + c may become one FMA (the AVX2 and AVX-512 builds
 * then agree with each other bit for bit, the baseline one to rounding). */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE \
    __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic", "fp-contract=fast")))
#else
#define VECTORISE
#endif

sfew_status sfew_mlp_fused_check(const sfew_linear *l1, const sfew_linear *l2,
                                 const sfew_tensor *x, const sfew_tensor *y, sfew_err *err)
{
    char a[96], b[96];
    sfew_shape_str(x->ndim, x->shape, a, 96);
    sfew_shape_str(y->ndim, y->shape, b, 96);
    if (!l1->bias || !l2->bias || l1->out != l2->in)
        return sfew_fail(err, SFEW_ESHAPE, "mlp_fused: layers %lld->%lld and %lld->%lld "
                         "(both with bias) do not chain", (long long)l1->in,
                         (long long)l1->out, (long long)l2->in, (long long)l2->out);
    if (x->ndim != 2 || x->shape[0] < 1 || x->shape[1] != l1->in)
        return sfew_fail(err, SFEW_ESHAPE, "mlp_fused: input is %s, expected N x %lld", a,
                         (long long)l1->in);
    if (y->ndim != 2 || y->shape[0] != x->shape[0] || y->shape[1] != l2->out)
        return sfew_fail(err, SFEW_ESHAPE, "mlp_fused: target is %s, expected %lld x %lld", b,
                         (long long)x->shape[0], (long long)l2->out);
    return SFEW_OK;
}

/* LANES floats as one value: one ZMM register, two YMM or four XMM ones by build. */
typedef float vf __attribute__((vector_size(LANES * sizeof(float))));

/* Unaligned loads and stores (macros: a vector-returning function outside the
 * target-specific clones would change the ABI). */
#define vload(p) (__extension__({ vf v_; memcpy(&v_, (p), sizeof v_); v_; }))
#define vstore(p, v) (__extension__({ vf v_ = (v); memcpy((p), &v_, sizeof v_); }))

/* The sum of v's lanes by halving (a few vector adds, not a chain of LANES scalar ones). */
static inline __attribute__((always_inline)) VECTORISE float vsum(const vf *v)
{
    float t[LANES];
    memcpy(t, v, sizeof t);
    for (int w = LANES / 2; w >= 1; w /= 2)
        for (int j = 0; j < w; j++)
            t[j] += t[j + w];
    return t[0];
}

/* sum_n a[n] * b[n]: four vector sums (independent chains), then in double. */
static inline __attribute__((always_inline)) VECTORISE float dot(const float *restrict a,
                                                                  const float *restrict b,
                                                                  int64_t n)
{
    vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    int64_t i = 0;
    for (; i + 4 * LANES <= n; i += 4 * LANES) {
        s0 += vload(a + i) * vload(b + i);
        s1 += vload(a + i + LANES) * vload(b + i + LANES);
        s2 += vload(a + i + 2 * LANES) * vload(b + i + 2 * LANES);
        s3 += vload(a + i + 3 * LANES) * vload(b + i + 3 * LANES);
    }
    for (; i + LANES <= n; i += LANES)
        s0 += vload(a + i) * vload(b + i);
    s0 = (s0 + s1) + (s2 + s3);
    double s = vsum(&s0);
    for (; i < n; i++)
        s += (double)a[i] * b[i];
    return (float)s;
}

/* sum_n a[n], the way dot sums. */
static inline __attribute__((always_inline)) VECTORISE float sum(const float *restrict a,
                                                                  int64_t n)
{
    vf s0 = {0}, s1 = {0};
    int64_t i = 0;
    for (; i + 2 * LANES <= n; i += 2 * LANES) {
        s0 += vload(a + i);
        s1 += vload(a + i + LANES);
    }
    for (; i + LANES <= n; i += LANES)
        s0 += vload(a + i);
    s0 += s1;
    double s = vsum(&s0);
    for (; i < n; i++)
        s += a[i];
    return (float)s;
}

/* sum_n (a[n] - b[n])^2 in LANES double lanes, then in order. */
static inline __attribute__((always_inline)) VECTORISE double sq_dist(const float *restrict a,
                                                                       const float *restrict b,
                                                                       int64_t n)
{
    double lane[LANES] = {0};
    int64_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) {
            double d = (double)a[i + j] - b[i + j];
            lane[j] += d * d;
        }
    double s = 0.0;
    for (int j = 0; j < LANES; j++)
        s += lane[j];
    for (; i < n; i++) {
        double d = (double)a[i] - b[i];
        s += d * d;
    }
    return s;
}

/* d (R, N) = bias + w src for w (R, K) (stored (K, R) when wt) and src (K, N). Blocks of
 * 4 LANES columns keep each row's sums in four registers across k (independent FMA
 * chains, one load each); then blocks of LANES, then single columns. */
static inline __attribute__((always_inline)) VECTORISE void
product(float *restrict d, const float *restrict w, int wt, const float *restrict bias,
        const float *restrict src, int64_t R, int64_t K, int64_t N)
{
    int64_t n0 = 0;
    for (; n0 + 4 * LANES <= N; n0 += 4 * LANES)
        for (int64_t r = 0; r < R; r++) {
            vf a0, a1, a2, a3;
            a0 = a1 = a2 = a3 = (vf){0} + (bias ? bias[r] : 0.0f);
            for (int64_t k = 0; k < K; k++) {
                float wv = wt ? w[k * R + r] : w[r * K + k];
                const float *sr = src + k * N + n0;
                a0 += wv * vload(sr);
                a1 += wv * vload(sr + LANES);
                a2 += wv * vload(sr + 2 * LANES);
                a3 += wv * vload(sr + 3 * LANES);
            }
            float *dr = d + r * N + n0;
            vstore(dr, a0), vstore(dr + LANES, a1);
            vstore(dr + 2 * LANES, a2), vstore(dr + 3 * LANES, a3);
        }
    for (; n0 + LANES <= N; n0 += LANES)
        for (int64_t r = 0; r < R; r++) {
            vf a0 = (vf){0} + (bias ? bias[r] : 0.0f);
            for (int64_t k = 0; k < K; k++)
                a0 += (wt ? w[k * R + r] : w[r * K + k]) * vload(src + k * N + n0);
            vstore(d + r * N + n0, a0);
        }
    for (; n0 < N; n0++)
        for (int64_t r = 0; r < R; r++) {
            float acc = bias ? bias[r] : 0.0f;
            for (int64_t k = 0; k < K; k++)
                acc += (wt ? w[k * R + r] : w[r * K + k]) * src[k * N + n0];
            d[r * N + n0] = acc;
        }
}

/* 1 / (1 + e^-x) with e^-x from Cephes' expf: e^t = 2^k e^r, k = round(t / ln 2), r
 * reduced in two parts, a degree-6 polynomial for e^r, 2^k built in the exponent bits.
 * Within 2 ulp of expf, and written with plain float and integer operations so the loop
 * vectorises (libm's expf is a call per element: most of the step). Saturates to 0 and 1
 * beyond |x| = 88, as the expf form does. */
static inline __attribute__((always_inline)) VECTORISE void sigmoid_row(float *restrict s,
                                                                         int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        float t = -s[i];
        t = t > 88.0f ? 88.0f : t < -88.0f ? -88.0f : t;
        float k = t * 1.44269504088896341f + 12582912.0f; /* round to nearest */
        k -= 12582912.0f;
        float r = t - k * 0.693359375f;
        r = r - k * -2.12194440e-4f;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1.0f;
        union { int32_t i; float f; } two = {.i = ((int32_t)k + 127) << 23};
        s[i] = 1.0f / (1.0f + p * two.f);
    }
}

/* Zeros columns [N, Np) of the rows rows of t (rows, Np). */
static inline __attribute__((always_inline)) void zero_pad(float *t, int64_t rows, int64_t N,
                                                           int64_t Np)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t n = N; n < Np; n++)
            t[r * Np + n] = 0.0f;
}

/* Feature-major buffers, each (features, Np), Np = N rounded up to LANES with zero pad
 * columns (so the sums along the batch have no scalar tails): xt (I), yt (O; xt itself when y is x, as
 * for an autoencoder), h then sigmoid s (H), o then its gradient (O), gh (H). Weights
 * are row-major (out, in) as in the layers. */
typedef struct mlp_bufs {
    float *xt, *yt, *s, *o, *gh;
} mlp_bufs;

/* t (F, Np) = m^T for m (N, F), zeros in the Np - N pad columns. */
static inline __attribute__((always_inline)) void transpose(float *restrict t,
                                                            const float *restrict m,
                                                            int64_t N, int64_t F, int64_t Np)
{
    for (int64_t n = 0; n < N; n++)
        for (int64_t f = 0; f < F; f++)
            t[f * Np + n] = m[n * F + f];
    zero_pad(t, F, N, Np);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
VECTORISE static double step_core(sfew_linear *l1, sfew_linear *l2, const float *x,
                                  const float *y, int64_t N, int64_t Np, mlp_bufs b)
{
    int64_t I = l1->in, H = l1->out, O = l2->out;
    const float *w1 = l1->weight->data, *w2 = l2->weight->data;
    transpose(b.xt, x, N, I, Np);
    if (b.yt != b.xt)
        transpose(b.yt, y, N, O, Np);
    product(b.s, w1, 0, l1->bias->data, b.xt, H, I, Np); /* s = sigmoid(W1 x + b1) */
    for (int64_t h = 0; h < H; h++)
        sigmoid_row(b.s + h * Np, Np);
    zero_pad(b.s, H, N, Np);
    product(b.o, w2, 0, l2->bias->data, b.s, O, H, Np); /* o = W2 s + b2 */
    double sq = 0.0;
    float scale = 2.0f / (float)(N * O);
    for (int64_t o = 0; o < O; o++) { /* the loss, then o becomes its gradient */
        float *out = b.o + o * Np;
        const float *yo = b.yt + o * Np;
        sq += sq_dist(out, yo, N);
        for (int64_t n = 0; n < N; n++)
            out[n] = scale * (out[n] - yo[n]);
        zero_pad(out, 1, N, Np);
        l2->grad_bias->data[o] = sum(out, Np);
        for (int64_t h = 0; h < H; h++)
            l2->grad_weight->data[o * H + h] = dot(out, b.s + h * Np, Np);
    }
    product(b.gh, w2, 1, NULL, b.o, H, O, Np); /* gh = (W2^T go) s (1 - s), zero pads */
    for (int64_t h = 0; h < H; h++) {
        float *g = b.gh + h * Np;
        const float *s = b.s + h * Np;
        for (int64_t n = 0; n < Np; n++)
            g[n] *= s[n] * (1.0f - s[n]);
        l1->grad_bias->data[h] = sum(g, Np);
        for (int64_t i = 0; i < I; i++)
            l1->grad_weight->data[h * I + i] = dot(g, b.xt + i * Np, Np);
    }
    return sq / (double)(N * O);
}

sfew_status sfew_mlp_fused_step(sfew_linear *l1, sfew_linear *l2, const sfew_tensor *x,
                                const sfew_tensor *y, sfew_tensor *work, double *loss,
                                sfew_err *err)
{
    sfew_status st = sfew_mlp_fused_check(l1, l2, x, y, err);
    if (st)
        return st;
    int64_t N = x->shape[0], I = l1->in, H = l1->out, O = l2->out;
    int same = x->data == y->data && I == O;
    int64_t Np = (N + LANES - 1) / LANES * LANES;
    int64_t size[1] = {(I + 2 * H + (same ? 1 : 2) * O) * Np};
    if ((st = sfew_tensor_resize(work, 1, size, err)))
        return st;
    mlp_bufs b;
    b.xt = work->data;                      /* (I, Np) */
    b.yt = same ? b.xt : b.xt + I * Np;     /* (O, Np) */
    b.s = b.xt + (same ? I : I + O) * Np;   /* (H, Np) */
    b.o = b.s + H * Np;                     /* (O, Np) */
    b.gh = b.o + O * Np;                    /* (H, Np) */
    *loss = step_core(l1, l2, x->data, y->data, N, Np, b);
    return SFEW_OK;
}
