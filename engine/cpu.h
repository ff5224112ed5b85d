/* What the CPU runs and which kernels we use on it: cpuid (with the operating system's
 * consent through xgetbv), OpenBLAS's core, and the choice between our own convolution
 * kernels and the im2col + OpenBLAS reference path. */
#ifndef SFEW_CPU_H
#define SFEW_CPU_H

/* Instruction-set levels, in order: a level implies the ones below it. */
typedef enum {
    SFEW_ISA_GENERIC = 0, /* x86-64 baseline (SSE2) or not x86 */
    SFEW_ISA_AVX2 = 1,    /* AVX2 + FMA, YMM state enabled by the OS */
    SFEW_ISA_AVX512 = 2   /* AVX-512 F, BW and VL, ZMM state enabled by the OS */
} sfew_isa;

/* The highest level the CPU and the OS support (cpuid and xgetbv, read on every call). */
sfew_isa sfew_cpu_isa_detected(void);
/* The level our kernels use: the detected one, lowered by the environment variable
 * SFEW_ISA ("generic", "avx2", "avx512"; never raised above what the CPU runs). */
sfew_isa sfew_cpu_isa(void);
/* Writes the CPU's brand string (cpuid), trimmed, into buf; "unknown CPU" without one. */
void sfew_cpu_name(char *buf, int size);
/* "generic", "avx2", "avx512". */
const char *sfew_cpu_isa_name(sfew_isa isa);

/* OpenBLAS's core as it chose it at load time ("Haswell", "Prescott", ...). */
const char *sfew_cpu_blas_core(void);
/* The level an OpenBLAS core name's kernels need (unknown names count as generic). */
sfew_isa sfew_cpu_blas_core_isa(const char *core);
/* The OpenBLAS core that matches isa: "Haswell" for AVX2, "SkylakeX" for AVX-512, NULL
 * for generic. OpenBLAS 0.3.21's SkylakeX kernels compute wrong results on some CPUs:
 * whoever picks them checks them with sfew_cpu_blas_selfcheck and falls back to Haswell. */
const char *sfew_cpu_blas_core_for(sfew_isa isa);
/* Runs a few small sgemm products of every transpose against a plain loop; 1 when
 * OpenBLAS's kernels agree within 1e-4 relative. Takes well under a millisecond. */
int sfew_cpu_blas_selfcheck(void);

/* Which convolution kernels run. */
typedef enum {
    SFEW_CONV_AUTO = 0,     /* ours where the ISA has them, else the reference */
    SFEW_CONV_REFERENCE = 1 /* im2col + OpenBLAS everywhere */
} sfew_conv_kernels;

/* The process-wide choice, like OpenBLAS's own thread count: SFEW_CONV=reference in the
 * environment forces the reference path until sfew_cpu_set_conv_kernels changes it. */
sfew_conv_kernels sfew_cpu_conv_kernels(void);
void sfew_cpu_set_conv_kernels(sfew_conv_kernels k);

#endif
