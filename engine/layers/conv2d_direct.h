/* Direct stride-1 convolution for conv2d, written once and compiled per instruction set:
 * conv2d_avx2.c and conv2d_avx512.c define the vector macros below and include this file.
 * out[k][oh][ow] = bias[k] + sum over c, ki, kj (in that order, one FMA each) of
 * wt[(c k + ki) k + kj][k] * in[c][oh + ki][ow + kj], on an input padded beforehand. A tile
 * is KB kernels x NV vectors of VW output columns: its KB * NV sums stay in registers while
 * every input vector is loaded once and every weight broadcast once. Each output value's
 * sum runs in the same order at any vector width, so the AVX2 and AVX-512 builds give the
 * same bits, independent of threads. Internal to conv2d. */

/* Required: VEC, VW, KB, NV, ZERO(), SET1(x), LOADU(p), FMA(a, b, c) = a b + c,
 * STORE_N(p, v, n) (stores the first n < VW lanes), FN (the function's name), TARGET. */

/* in (C, Hp, Wp), padded, readable VW * NV floats past its end; wt (C*k*k, Kp) with
 * Kp >= the kernels rounded up to KB, zero beyond K; bias (K) or NULL; out (K, OH, OW)
 * with OH = Hp - k + 1, OW = Wp - k + 1. */
TARGET void FN(const float *in, int64_t C, int64_t Hp, int64_t Wp, const float *wt, int64_t Kp,
               const float *bias, int64_t K, int64_t k, float *out)
{
    int64_t OH = Hp - k + 1, OW = Wp - k + 1;
    for (int64_t k0 = 0; k0 < K; k0 += KB)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow0 = 0; ow0 < OW; ow0 += VW * NV) {
                VEC acc[KB][NV];
#pragma GCC unroll 16
                for (int b = 0; b < KB; b++) {
                    VEC b0 = bias && k0 + b < K ? SET1(bias[k0 + b]) : ZERO();
#pragma GCC unroll 4
                    for (int v = 0; v < NV; v++)
                        acc[b][v] = b0;
                }
                for (int64_t c = 0; c < C; c++)
                    for (int64_t ki = 0; ki < k; ki++) {
                        const float *row = in + (c * Hp + oh + ki) * Wp + ow0;
                        const float *wr = wt + (c * k + ki) * k * Kp + k0;
                        for (int64_t kj = 0; kj < k; kj++, wr += Kp) {
                            VEC x[NV];
#pragma GCC unroll 4
                            for (int v = 0; v < NV; v++)
                                x[v] = LOADU(row + kj + v * VW);
#pragma GCC unroll 16
                            for (int b = 0; b < KB; b++) {
                                VEC w = SET1(wr[b]);
#pragma GCC unroll 4
                                for (int v = 0; v < NV; v++)
                                    acc[b][v] = FMA(w, x[v], acc[b][v]);
                            }
                        }
                    }
                /* constant bounds: indexing the sums at run time would keep them in memory */
#pragma GCC unroll 16
                for (int b = 0; b < KB; b++)
#pragma GCC unroll 4
                    for (int v = 0; v < NV; v++) {
                        int64_t n = OW - ow0 - v * VW;
                        float *dst = out + ((k0 + b) * OH + oh) * OW + ow0 + v * VW;
                        if (k0 + b >= K || n <= 0)
                            continue;
                        if (n >= VW)
                            STOREU(dst, acc[b][v]);
                        else
                            STORE_N(dst, acc[b][v], n);
                    }
            }
}
