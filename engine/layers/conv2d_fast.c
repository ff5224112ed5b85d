/* The glue between conv2d and its direct kernels: which kernel, padded copies of the
 * input (or of the output gradient), and the weights in the kernels' layout. The input
 * gradient of a stride-1 convolution is the convolution of the output gradient, padded by
 * k - 1 - padding, with the kernels flipped and in and out channels swapped. */
#include "conv2d_fast.h"

#include <string.h>

#include "../cpu.h"

sfew_conv2d_direct_fn sfew_conv2d_fast_kernel(const sfew_conv2d *l)
{
#if SFEW_CONV2D_X86
    if (l->stride != 1 || l->padding > l->k - 1 ||
        sfew_cpu_conv_kernels() == SFEW_CONV_REFERENCE)
        return NULL;
    sfew_isa isa = sfew_cpu_isa();
    return isa == SFEW_ISA_AVX512 ? sfew_conv2d_direct_avx512
           : isa == SFEW_ISA_AVX2 ? sfew_conv2d_direct_avx2
                                  : NULL;
#else
    (void)l;
    return NULL;
#endif
}

sfew_conv2d_wgrad_fn sfew_conv2d_fast_wgrad_kernel(const sfew_conv2d *l)
{
#if SFEW_CONV2D_X86
    sfew_conv2d_direct_fn fn = sfew_conv2d_fast_kernel(l);
    return fn == sfew_conv2d_direct_avx512 ? sfew_conv2d_wgrad_avx512
           : fn == sfew_conv2d_direct_avx2 ? sfew_conv2d_wgrad_avx2
                                           : NULL;
#else
    (void)l;
    return NULL;
#endif
}

static int64_t round_up(int64_t n)
{
    return (n + SFEW_CONV2D_KB - 1) / SFEW_CONV2D_KB * SFEW_CONV2D_KB;
}

int64_t sfew_conv2d_fast_work(const sfew_conv2d *l, int64_t H, int64_t W, int64_t OH,
                              int64_t OW)
{
    int64_t p = l->padding, q = l->k - 1 - l->padding;
    int64_t fwd = l->C * (H + 2 * p) * (W + 2 * p), bwd = l->K * (OH + 2 * q) * (OW + 2 * q);
    return (fwd > bwd ? fwd : bwd) + SFEW_CONV2D_SLACK;
}

sfew_status sfew_conv2d_fast_weights(sfew_conv2d *l, int backward, sfew_err *err)
{
    int64_t C = l->C, K = l->K, k = l->k, kk = k * k;
    int64_t outs = backward ? C : K, Op = round_up(outs);
    int64_t shape[2] = {(backward ? K : C) * kk, Op};
    sfew_status st = sfew_tensor_resize(l->wt, 2, shape, err);
    if (st)
        return st;
    float *wt = l->wt->data;
    const float *w = l->weight->data; /* (K, C, k, k) */
    memset(wt, 0, (size_t)(shape[0] * Op) * sizeof *wt);
    for (int64_t o = 0; o < K; o++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t i = 0; i < kk; i++) {
                float v = w[(o * C + c) * kk + i];
                if (backward) /* row (o, flipped tap), column c */
                    wt[(o * kk + (kk - 1 - i)) * Op + c] = v;
                else          /* row (c, tap), column o */
                    wt[(c * kk + i) * Op + o] = v;
            }
    return SFEW_OK;
}

/* dst (C, H + 2p, W + 2p) = src (C, H, W) framed by p zeros, then SLACK zeros. */
static void pad_copy(const float *src, int64_t C, int64_t H, int64_t W, int64_t p, float *dst)
{
    int64_t Hp = H + 2 * p, Wp = W + 2 * p;
    memset(dst, 0, (size_t)(C * Hp * Wp + SFEW_CONV2D_SLACK) * sizeof *dst);
    for (int64_t c = 0; c < C; c++)
        for (int64_t y = 0; y < H; y++)
            memcpy(dst + (c * Hp + y + p) * Wp + p, src + (c * H + y) * W,
                   (size_t)W * sizeof *dst);
}

void sfew_conv2d_fast_image(const sfew_conv2d *l, sfew_conv2d_direct_fn fn, const float *img,
                            int64_t H, int64_t W, float *work, float *out)
{
    int64_t p = l->padding;
    /* copied even without padding: the kernel reads SLACK floats past the input's end */
    pad_copy(img, l->C, H, W, p, work);
    fn(work, l->C, H + 2 * p, W + 2 * p, l->wt->data, l->wt->shape[1],
       l->bias ? l->bias->data : NULL, l->K, l->k, out);
}

void sfew_conv2d_fast_wgrad_image(const sfew_conv2d *l, sfew_conv2d_wgrad_fn fn,
                                  const float *img, int64_t H, int64_t W, const float *gout,
                                  float *work, float *gp)
{
    int64_t p = l->padding;
    pad_copy(img, l->C, H, W, p, work);
    fn(work, l->C, H + 2 * p, W + 2 * p, gout, l->K, l->k, gp);
}

void sfew_conv2d_fast_grad_image(const sfew_conv2d *l, sfew_conv2d_direct_fn fn,
                                 const float *gout, int64_t OH, int64_t OW, float *work,
                                 float *gin)
{
    int64_t q = l->k - 1 - l->padding;
    pad_copy(gout, l->K, OH, OW, q, work);
    fn(work, l->K, OH + 2 * q, OW + 2 * q, l->wt->data, l->wt->shape[1], NULL, l->C, l->k,
       gin);
}
