/* The direct convolution (conv2d_direct.h) and its weight gradient (conv2d_wgrad.h) for
 * AVX-512: 16 columns a vector; tiles of 8 kernels x 3 vectors, and of 4 kernels x 5 taps
 * (24 and 20 of the 32 ZMM registers hold sums). */
#include "conv2d_kernels.h"

#if SFEW_CONV2D_X86
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,fma")))
#define VEC __m512
#define VW 16
#define KB 8
#define NV 3
#define ZERO() _mm512_setzero_ps()
#define SET1(x) _mm512_set1_ps(x)
#define LOADU(p) _mm512_loadu_ps(p)
#define STOREU(p, v) _mm512_storeu_ps(p, v)
#define STORE_N(p, v, n) _mm512_mask_storeu_ps(p, (__mmask16)((1u << (n)) - 1u), v)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define FN sfew_conv2d_direct_avx512
#define KBW 4
#define TB 5
#define MASK __mmask16
#define MASK_N(n) ((__mmask16)((1u << (n)) - 1u))
#define LOADM(p, m) _mm512_maskz_loadu_ps(m, p)
#define HSUM(v) _mm512_reduce_add_ps(v)
#define FNW sfew_conv2d_wgrad_avx512

#include "conv2d_direct.h"
#include "conv2d_wgrad.h"
#endif
