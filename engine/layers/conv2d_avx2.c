/* The direct convolution (conv2d_direct.h) and its weight gradient (conv2d_wgrad.h) for
 * AVX2 + FMA: 8 columns a vector; tiles of 4 kernels x 3 vectors, and of 2 kernels x 5
 * taps (12 and 10 of the 16 YMM registers hold sums). */
#include "conv2d_kernels.h"

#if SFEW_CONV2D_X86
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define VW 8
#define KB 4
#define NV 3
#define ZERO() _mm256_setzero_ps()
#define SET1(x) _mm256_set1_ps(x)
#define LOADU(p) _mm256_loadu_ps(p)
#define STOREU(p, v) _mm256_storeu_ps(p, v)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define FN sfew_conv2d_direct_avx2

/* The first n lanes of v into p. */
TARGET static inline void store_n(float *p, __m256 v, int64_t n)
{
    static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1};
    __m256i m = _mm256_loadu_si256((const __m256i *)(ones + 8 - n));
    _mm256_maskstore_ps(p, m, v);
}
#define STORE_N(p, v, n) store_n(p, v, n)

/* The first n <= 8 lanes as a mask. */
TARGET static inline __m256i mask_n(int64_t n)
{
    static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1};
    return _mm256_loadu_si256((const __m256i *)(ones + 8 - n));
}

/* The lanes' sum: halves, then pairs (a fixed order). */
TARGET static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#define KBW 2
#define TB 5
#define MASK __m256i
#define MASK_N(n) mask_n(n)
#define LOADM(p, m) _mm256_maskload_ps(p, m)
#define HSUM(v) hsum(v)
#define FNW sfew_conv2d_wgrad_avx2

#include "conv2d_direct.h"
#include "conv2d_wgrad.h"
#endif
