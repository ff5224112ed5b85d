/* The Haar scan eight windows at a time with AVX2: the variance normalisation and each
 * stage are computed for eight neighbouring windows of one row (x, x + step, ...), whose
 * integral entries lie side by side in memory, so each rectangle corner is one or two
 * plain loads instead of eight scattered ones. Every lane does the scalar evaluator's
 * arithmetic in the same order and precision (float features, double stage sums, no
 * fused multiply-add: the target is AVX2 alone), so the windows found are identical; the
 * exactness specs run both paths. Trees of at most two nodes (every Haar face cascade of
 * OpenCV) take this path; deeper ones stay scalar. */
#include "scan.h"

#include <stdlib.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>

#include "../cpu.h"

#define TARGET __attribute__((target("avx2")))
#define INLINE TARGET __attribute__((always_inline)) static inline

/* A tree as the lanes evaluate it: node 0, and node 1 on one side of it or none. */
struct vtree {
    const hnode *n0, *n1;
    int n1_below;     /* node 1 is reached below node 0's threshold */
    float lo0, hi0;   /* node 0's leaves below / at or above its threshold (unused on
                         node 1's side) */
    float lo1, hi1;   /* node 1's leaves */
};

static float leaf_of(const sfew_cascade *c, const cc_tree *t, int child)
{
    return child <= 0 ? c->leaves[t->leaf0 - child] : 0.0f;
}

const char *sfew_detect_haar_scan_name(void)
{
    return sfew_cpu_isa() >= SFEW_ISA_AVX2 ? "avx2 (8 windows a vector)" : "scalar";
}

int sfew_detect_simd_prepare(det *d)
{
    const sfew_cascade *c = d->c;
    if (c->kind != SFEW_CASCADE_HAAR || c->max_nodes > 2 || c->ntrees <= 0 ||
        sfew_cpu_isa() < SFEW_ISA_AVX2)
        return 0;
    for (int t = 0; t < c->ntrees; t++) {
        const cc_tree *tr = &c->trees[t];
        const cc_node *n = &c->nodes[tr->node0];
        if (tr->nnodes == 2 && (n[1].left > 0 || n[1].right > 0))
            return 0;
    }
    if (!(d->vt = calloc((unsigned)c->ntrees, sizeof *d->vt)))
        return -1;
    for (int t = 0; t < c->ntrees; t++) {
        const cc_tree *tr = &c->trees[t];
        const cc_node *n = &c->nodes[tr->node0];
        vtree *v = &d->vt[t];
        v->n0 = &d->hn[tr->node0];
        v->lo0 = leaf_of(c, tr, n[0].left), v->hi0 = leaf_of(c, tr, n[0].right);
        if (tr->nnodes == 2 && (n[0].left == 1 || n[0].right == 1)) {
            v->n1 = &d->hn[tr->node0 + 1];
            v->n1_below = n[0].left == 1;
            v->lo1 = leaf_of(c, tr, n[1].left), v->hi1 = leaf_of(c, tr, n[1].right);
        }
    }
    return 1;
}

/* The eight integral entries p[0], p[step], ..., p[7 * step], for step 1 or 2. */
INLINE __m256i load8(const int32_t *p, int step)
{
    if (step == 1)
        return _mm256_loadu_si256((const __m256i *)p);
    __m256 a = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)p));
    __m256 b = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(p + 8)));
    __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)); /* a0 a2 b0 b2 a4 a6 b4 b6 */
    return _mm256_castpd_si256(
        _mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0)));
}

INLINE __m256i rect8(const int32_t *p, const int *o, int step)
{
    __m256i s = _mm256_sub_epi32(load8(p + o[0], step), load8(p + o[1], step));
    s = _mm256_sub_epi32(s, load8(p + o[2], step));
    return _mm256_add_epi32(s, load8(p + o[3], step));
}

/* Lanes where the node's feature, normalised, is below its threshold (haar_value). */
INLINE __m256 below8(const int32_t *p, const hnode *f, __m256 vnf, int step)
{
    __m256 v = _mm256_add_ps(
        _mm256_mul_ps(_mm256_set1_ps(f->w[0]), _mm256_cvtepi32_ps(rect8(p, f->o[0], step))),
        _mm256_mul_ps(_mm256_set1_ps(f->w[1]), _mm256_cvtepi32_ps(rect8(p, f->o[1], step))));
    if (f->w[2] != 0.0f)
        v = _mm256_add_ps(v, _mm256_mul_ps(_mm256_set1_ps(f->w[2]),
                                           _mm256_cvtepi32_ps(rect8(p, f->o[2], step))));
    return _mm256_cmp_ps(_mm256_mul_ps(v, vnf), _mm256_set1_ps(f->threshold), _CMP_LT_OQ);
}

/* The lanes (of live) that pass stage si. */
INLINE int stage8(const det *d, int si, const int32_t *p, __m256 vnf, int live, int step)
{
    const cc_stage *st = &d->c->stages[si];
    const vtree *v = &d->vt[st->first];
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
    __m256 livem = _mm256_castsi256_ps(_mm256_cmpgt_epi32(
        _mm256_and_si256(_mm256_set1_epi32(live), _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128)),
        _mm256_setzero_si256()));
    for (int t = 0; t < st->ntrees; t++, v++) {
        __m256 m0 = below8(p, v->n0, vnf, step);
        __m256 leaf = _mm256_blendv_ps(_mm256_set1_ps(v->hi0), _mm256_set1_ps(v->lo0), m0);
        if (v->n1) {
            __m256 side = v->n1_below ? m0 : _mm256_andnot_ps(m0, livem);
            if (_mm256_movemask_ps(_mm256_and_ps(side, livem))) {
                __m256 m1 = below8(p, v->n1, vnf, step);
                __m256 l1 = _mm256_blendv_ps(_mm256_set1_ps(v->hi1), _mm256_set1_ps(v->lo1), m1);
                leaf = _mm256_blendv_ps(leaf, l1, side);
            }
        }
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(leaf)));
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(leaf, 1)));
    }
    __m256d th = _mm256_set1_pd((double)st->threshold);
    int reject = _mm256_movemask_pd(_mm256_cmp_pd(lo, th, _CMP_LT_OQ)) |
                 _mm256_movemask_pd(_mm256_cmp_pd(hi, th, _CMP_LT_OQ)) << 4;
    return live & ~reject;
}

/* Four unsigned 32-bit integers as doubles. */
INLINE __m256d u32_to_pd(__m128i v)
{
    __m128i s = _mm_xor_si128(v, _mm_set1_epi32(INT32_MIN));
    return _mm256_add_pd(_mm256_cvtepi32_pd(s), _mm256_set1_pd(2147483648.0));
}

/* The variance factors of four windows; ok gets the lanes that are not flat. */
INLINE __m128 norm4(__m128i vsum, __m128i vsq, double area, int *ok)
{
    __m256d a = _mm256_set1_pd(area), s = _mm256_cvtepi32_pd(vsum);
    __m256d nf = _mm256_sub_pd(_mm256_mul_pd(a, u32_to_pd(vsq)), _mm256_mul_pd(s, s));
    __m128 vnf = _mm256_cvtpd_ps(_mm256_div_pd(_mm256_set1_pd(1.0), _mm256_sqrt_pd(nf)));
    __m256d scaled = _mm256_mul_pd(a, _mm256_cvtps_pd(vnf));
    *ok = _mm256_movemask_pd(_mm256_cmp_pd(nf, _mm256_setzero_pd(), _CMP_GT_OQ)) &
          _mm256_movemask_pd(_mm256_cmp_pd(scaled, _mm256_set1_pd(1e-1), _CMP_LT_OQ));
    return vnf;
}

INLINE int windows8(const det *d, size_t base, int step, int n, int *skip)
{
    const sfew_cascade *c = d->c;
    const int32_t *p = d->sum + base;
    const uint32_t *pq = d->sq + base;
    __m256i vsum = rect8(p, d->nofs, step);
    __m256i vsq = rect8((const int32_t *)pq, d->nofs, step);
    double area = (double)(c->win_w - 2) * (c->win_h - 2);
    int ok_lo, ok_hi;
    __m128 f_lo = norm4(_mm256_castsi256_si128(vsum), _mm256_castsi256_si128(vsq), area, &ok_lo);
    __m128 f_hi = norm4(_mm256_extracti128_si256(vsum, 1), _mm256_extracti128_si256(vsq, 1),
                        area, &ok_hi);
    __m256 vnf = _mm256_set_m128(f_hi, f_lo);
    int ok = (ok_lo | ok_hi << 4) & ((1 << n) - 1);
    int pass = ok ? stage8(d, 0, p, vnf, ok, step) : 0;
    /* the scan order: a window rejected by the first stage hides the next one */
    int live = 0;
    for (int k = 0; k < n; k++) {
        if (*skip) {
            *skip = 0;
            continue;
        }
        if (ok >> k & 1) {
            if (pass >> k & 1)
                live |= 1 << k;
            else
                *skip = 1;
        }
    }
    for (int si = 1; si < c->nstages && live; si++)
        live = stage8(d, si, p, vnf, live, step);
    return live;
}

TARGET int sfew_detect_haar8(const det *d, size_t base, int step, int n, int *skip)
{
    return step == 1 ? windows8(d, base, 1, n, skip) : windows8(d, base, 2, n, skip);
}

#else

const char *sfew_detect_haar_scan_name(void)
{
    return "scalar";
}

int sfew_detect_simd_prepare(det *d)
{
    (void)d;
    return 0;
}

int sfew_detect_haar8(const det *d, size_t base, int step, int n, int *skip)
{
    (void)d, (void)base, (void)step, (void)n, (void)skip;
    return 0;
}

#endif
