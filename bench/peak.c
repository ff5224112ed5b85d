/* FMA peak of the machine it runs on: every thread runs independent chains of 256-bit
 * FMAs (AVX2/FMA intrinsics; only this file is compiled with -mavx2 -mfma). Prints GFLOP/s
 * for 1 thread and for the thread count given (default 2), and the 512-bit peak when the
 * CPU has AVX-512. Usage: peak [threads] */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12 /* enough independent FMAs in flight to cover latency x 2 pipes */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* iters x CHAINS FMAs of 8 floats (2 flops each); returns a sum so nothing is dead. */
static float fma_loop(long iters)
{
    __m256 acc[CHAINS];
    __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++)
        acc[i] = _mm256_set1_ps((float)i);
    for (long it = 0; it < iters; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 s = acc[0];
    for (int i = 1; i < CHAINS; i++)
        s = _mm256_add_ps(s, acc[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

/* The same with 512-bit FMAs, for CPUs that have them (compiled for AVX-512 only here and
 * called only after a runtime check). */
__attribute__((target("avx512f"))) static float fma_loop512(long iters)
{
    __m512 acc[CHAINS];
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++)
        acc[i] = _mm512_set1_ps((float)i);
    for (long it = 0; it < iters; it++) {
#pragma GCC unroll 12
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 s = acc[0];
    for (int i = 1; i < CHAINS; i++)
        s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

static double gflops(int threads, long iters, int wide)
{
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        volatile float sink = 0.0f;
        double t0 = now();
#pragma omp parallel num_threads(threads)
        {
            float r = wide ? fma_loop512(iters) : fma_loop(iters);
#pragma omp atomic
            sink += r;
        }
        double t = now() - t0;
        double g = (double)threads * iters * CHAINS * (wide ? 32.0 : 16.0) / t * 1e-9;
        if (g > best)
            best = g;
    }
    return best;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "peak: bad thread count\n");
        return 1;
    }
    long iters = 20000000;
    printf("peak1 %.1f\n", gflops(1, iters, 0));
    printf("peak %d %.1f\n", threads, gflops(threads, iters, 0));
    if (__builtin_cpu_supports("avx512f"))
        printf("peak512 %d %.1f\n", threads, gflops(threads, iters / 2, 1));
    return 0;
}
