/* Our own convolution kernels, one per instruction set (conv2d_avx2.c, conv2d_avx512.c,
 * both from conv2d_direct.h), chosen at run time by conv2d.c. Internal to conv2d. */
#ifndef SFEW_CONV2D_KERNELS_H
#define SFEW_CONV2D_KERNELS_H

#include <stdint.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define SFEW_CONV2D_X86 1
#else
#define SFEW_CONV2D_X86 0
#endif

/* Widest tile in kernels (weights are padded to a multiple of it) and the floats a
 * kernel may read past the end of its padded input. */
#define SFEW_CONV2D_KB 8
#define SFEW_CONV2D_SLACK 64

/* Stride-1 direct convolution; see conv2d_direct.h for the layouts. */
typedef void (*sfew_conv2d_direct_fn)(const float *in, int64_t C, int64_t Hp, int64_t Wp,
                                      const float *wt, int64_t Kp, const float *bias,
                                      int64_t K, int64_t k, float *out);
/* Stride-1 weight gradient, added into gp (C*k*k, K); see conv2d_wgrad.h. */
typedef void (*sfew_conv2d_wgrad_fn)(const float *in, int64_t C, int64_t Hp, int64_t Wp,
                                     const float *gout, int64_t K, int64_t k, float *gp);
#if SFEW_CONV2D_X86
void sfew_conv2d_wgrad_avx2(const float *in, int64_t C, int64_t Hp, int64_t Wp,
                            const float *gout, int64_t K, int64_t k, float *gp);
void sfew_conv2d_wgrad_avx512(const float *in, int64_t C, int64_t Hp, int64_t Wp,
                              const float *gout, int64_t K, int64_t k, float *gp);
void sfew_conv2d_direct_avx2(const float *in, int64_t C, int64_t Hp, int64_t Wp,
                             const float *wt, int64_t Kp, const float *bias, int64_t K,
                             int64_t k, float *out);
void sfew_conv2d_direct_avx512(const float *in, int64_t C, int64_t Hp, int64_t Wp,
                               const float *wt, int64_t Kp, const float *bias, int64_t K,
                               int64_t k, float *out);
#endif

#endif
