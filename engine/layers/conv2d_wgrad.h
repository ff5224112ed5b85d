/* The weight gradient of a stride-1 convolution, written once and compiled per instruction
 * set (conv2d_avx2.c, conv2d_avx512.c define the macros and include this file):
 * gp[(c k k + t) K + o] += sum over output pixels of gout[o][pixel] * in[c][pixel + tap t],
 * on an input padded beforehand. A tile is KBW kernels x TB taps: its sums stay in
 * registers over the whole image, each pixel vector of gout and of the input loaded once;
 * the tail vector of a row is loaded masked (zeros), so nothing outside the image counts.
 * Fixed order for every value: deterministic. Internal to conv2d. */

/* Required besides conv2d_direct.h's macros: KBW, TB, MASK (a lane-mask type),
 * MASK_N(n) (the first n <= VW lanes), LOADM(p, m) (the masked lanes, zeros elsewhere),
 * HSUM(v) (the lanes' sum, fixed order), FNW (the function's name). One loop for full
 * and tail vectors alike: a separate tail loop made the compiler keep the sums in
 * memory. */

/* in (C, Hp, Wp) padded; gout (K, OH, OW) with OH = Hp - k + 1, OW = Wp - k + 1;
 * gp (C*k*k, K) is added into. */
TARGET void FNW(const float *in, int64_t C, int64_t Hp, int64_t Wp, const float *gout,
                int64_t K, int64_t k, float *gp)
{
    int64_t OH = Hp - k + 1, OW = Wp - k + 1, kk = k * k;
    int64_t full = OW / VW, nv = (OW + VW - 1) / VW;
    MASK mall = MASK_N(VW), mtail = MASK_N(OW - full * VW);
    for (int64_t c = 0; c < C; c++)
        for (int64_t t0 = 0; t0 < kk; t0 += TB) {
            int64_t off[TB], nt = kk - t0 < TB ? kk - t0 : TB;
            for (int t = 0; t < TB; t++) { /* taps past the last repeat it, unused */
                int64_t tt = t0 + (t < nt ? t : nt - 1);
                off[t] = (tt / k) * Wp + tt % k;
            }
            for (int64_t k0 = 0; k0 < K; k0 += KBW) {
                int64_t nk = K - k0 < KBW ? K - k0 : KBW;
                const float *gr[KBW];
                for (int b = 0; b < KBW; b++)
                    gr[b] = gout + (k0 + (b < nk ? b : nk - 1)) * OH * OW;
                VEC acc[KBW][TB];
#pragma GCC unroll 16
                for (int b = 0; b < KBW; b++)
#pragma GCC unroll 16
                    for (int t = 0; t < TB; t++)
                        acc[b][t] = ZERO();
                for (int64_t oh = 0; oh < OH; oh++) {
                    const float *base = in + (c * Hp + oh) * Wp;
                    int64_t go = oh * OW;
                    for (int64_t v = 0; v < nv; v++) {
                        MASK m = v < full ? mall : mtail;
                        VEC g[KBW];
#pragma GCC unroll 16
                        for (int b = 0; b < KBW; b++)
                            g[b] = LOADM(gr[b] + go + v * VW, m);
#pragma GCC unroll 16
                        for (int t = 0; t < TB; t++) {
                            VEC x = LOADM(base + off[t] + v * VW, m);
#pragma GCC unroll 16
                            for (int b = 0; b < KBW; b++)
                                acc[b][t] = FMA(g[b], x, acc[b][t]);
                        }
                    }
                }
                /* constant bounds: indexing the sums at run time would keep them in memory */
#pragma GCC unroll 16
                for (int b = 0; b < KBW; b++)
#pragma GCC unroll 16
                    for (int t = 0; t < TB; t++)
                        if (b < nk && t < nt)
                            gp[(c * kk + t0 + t) * K + k0 + b] += HSUM(acc[b][t]);
            }
        }
}
