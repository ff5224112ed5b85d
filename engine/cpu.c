/* CPU features from cpuid/xgetbv, OpenBLAS's core, the sgemm self-check and the
 * process-wide convolution-kernel choice. */
#define _POSIX_C_SOURCE 200809L
#include "cpu.h"

#include <math.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cblas.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* XCR0: which register states the OS saves on a context switch. */
static unsigned long long xgetbv0(void)
{
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

sfew_isa sfew_cpu_isa_detected(void)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return SFEW_ISA_GENERIC;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx || !fma)
        return SFEW_ISA_GENERIC;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) /* XMM and YMM state */
        return SFEW_ISA_GENERIC;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !((b >> 5) & 1)) /* AVX2 */
        return SFEW_ISA_GENERIC;
    int f = (b >> 16) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    if (f && bw && vl && (xcr0 & 0xe6) == 0xe6) /* opmask, ZMM0-15 high, ZMM16-31 */
        return SFEW_ISA_AVX512;
    return SFEW_ISA_AVX2;
}

void sfew_cpu_name(char *buf, int size)
{
    unsigned int r[12] = {0}, top = __get_cpuid_max(0x80000000, NULL);
    char s[49] = {0};
    if (top >= 0x80000004)
        for (unsigned int i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
    memcpy(s, r, 48);
    char *p = s;
    while (*p == ' ')
        p++;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == ' ')
        p[--n] = '\0';
    snprintf(buf, (size_t)size, "%s", *p ? p : "unknown CPU");
}
#else
sfew_isa sfew_cpu_isa_detected(void)
{
    return SFEW_ISA_GENERIC;
}

void sfew_cpu_name(char *buf, int size)
{
    snprintf(buf, (size_t)size, "unknown CPU");
}
#endif

sfew_isa sfew_cpu_isa(void)
{
    sfew_isa isa = sfew_cpu_isa_detected();
    const char *want = getenv("SFEW_ISA");
    if (!want)
        return isa;
    sfew_isa w = strcmp(want, "avx2") == 0     ? SFEW_ISA_AVX2
                 : strcmp(want, "generic") == 0 ? SFEW_ISA_GENERIC
                                                : SFEW_ISA_AVX512;
    return w < isa ? w : isa;
}

const char *sfew_cpu_isa_name(sfew_isa isa)
{
    return isa == SFEW_ISA_AVX512 ? "avx512" : isa == SFEW_ISA_AVX2 ? "avx2" : "generic";
}

const char *sfew_cpu_blas_core(void)
{
    return openblas_get_corename();
}

sfew_isa sfew_cpu_blas_core_isa(const char *core)
{
    static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids", NULL};
    static const char *const avx2[] = {"Haswell", "Zen", "Excavator", NULL};
    for (int i = 0; avx512[i]; i++)
        if (strcasecmp(core, avx512[i]) == 0)
            return SFEW_ISA_AVX512;
    for (int i = 0; avx2[i]; i++)
        if (strcasecmp(core, avx2[i]) == 0)
            return SFEW_ISA_AVX2;
    return SFEW_ISA_GENERIC;
}

const char *sfew_cpu_blas_core_for(sfew_isa isa)
{
    return isa == SFEW_ISA_AVX512 ? "SkylakeX" : isa == SFEW_ISA_AVX2 ? "Haswell" : NULL;
}

/* One product C = A op B + C against a double-precision loop; 1 when they agree. */
static int check_one(int ta, int tb, int M, int N, int K, const float *a, const float *b,
                     float *c)
{
    int lda = ta ? M : K, ldb = tb ? K : N;
    for (int i = 0; i < M * N; i++)
        c[i] = 0.25f;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, 1.0f, a, lda, b, ldb, 1.0f, c, N);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.25;
            for (int k = 0; k < K; k++)
                s += (double)(ta ? a[k * lda + i] : a[i * lda + k]) *
                     (tb ? b[j * ldb + k] : b[k * ldb + j]);
            if (!(fabs(s - c[i * N + j]) <= 1e-4 * (1.0 + fabs(s))))
                return 0;
        }
    return 1;
}

int sfew_cpu_blas_selfcheck(void)
{
    /* odd sizes (edge kernels), a small product (OpenBLAS's small-matrix path) and one
     * past it (the packed path) */
    static const int sizes[][3] = {{7, 5, 3}, {17, 33, 25}, {50, 70, 40}};
    enum { MAXN = 50 * 70 };
    float *a = calloc(3 * MAXN, sizeof *a);
    if (!a)
        return 1; /* nothing to judge by; the caller keeps what it has */
    float *b = a + MAXN, *c = b + MAXN;
    for (int i = 0; i < MAXN; i++) {
        a[i] = (float)((i * 37 % 101) - 50) / 64.0f;
        b[i] = (float)((i * 53 % 97) - 48) / 64.0f;
    }
    int ok = 1;
    for (int s = 0; ok && s < 3; s++)
        for (int t = 0; ok && t < 4; t++)
            ok = check_one(t & 1, t >> 1, sizes[s][0], sizes[s][1], sizes[s][2], a, b, c);
    free(a);
    return ok;
}

/* -1 = not yet read from the environment. Atomic: layers on any thread may ask. */
static atomic_int conv_kernels = -1;

sfew_conv_kernels sfew_cpu_conv_kernels(void)
{
    int k = atomic_load(&conv_kernels);
    if (k < 0) {
        const char *env = getenv("SFEW_CONV");
        k = env && strcmp(env, "reference") == 0 ? SFEW_CONV_REFERENCE : SFEW_CONV_AUTO;
        int expected = -1;
        atomic_compare_exchange_strong(&conv_kernels, &expected, k);
        k = atomic_load(&conv_kernels);
    }
    return (sfew_conv_kernels)k;
}

void sfew_cpu_set_conv_kernels(sfew_conv_kernels k)
{
    atomic_store(&conv_kernels, (int)k);
}
