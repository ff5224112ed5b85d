/* Conv2d: im2col + sfew_gemm per image, images split into P contiguous parts run by
 * threads (engine/parallel.h). Each part owns an im2col buffer and, in backward, its own parameter
 * gradient buffer; the parts are summed in a fixed order so results do not depend on
 * scheduling. BLAS runs single-threaded inside the parallel region (we already use every
 * thread; nested BLAS threads would oversubscribe the cores). */
#include "conv2d.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../gemm.h"
#include "conv2d_fast.h"
#include "im2col.h"
#include "../parallel.h"
#include "params.h"

sfew_status sfew_conv2d_create(int64_t C, int64_t K, int64_t k, int64_t stride,
                               int64_t padding, int bias, sfew_rng *rng, sfew_conv2d **out,
                               sfew_err *err)
{
    if (C < 1 || K < 1 || k < 1 || C > 65536 || K > 65536 || k > 1024)
        return sfew_fail(err, SFEW_EINVAL, "conv2d_create: bad sizes %lld -> %lld, kernel %lld",
                         (long long)C, (long long)K, (long long)k);
    if (stride < 1 || stride > 1024 || padding < 0 || padding > 1024)
        return sfew_fail(err, SFEW_EINVAL, "conv2d_create: bad stride %lld or padding %lld",
                         (long long)stride, (long long)padding);
    sfew_conv2d *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "conv2d_create: out of memory");
    l->C = C, l->K = K, l->k = k, l->stride = stride, l->padding = padding;
    int64_t shape[4] = {K, C, k, k}, zero[1] = {0};
    sfew_status st = sfew_tensor_new(4, shape, &l->weight, err);
    if (!st)
        st = sfew_tensor_new(4, shape, &l->grad_weight, err);
    if (!st && bias)
        st = sfew_tensor_new(1, &K, &l->bias, err);
    if (!st && bias)
        st = sfew_tensor_new(1, &K, &l->grad_bias, err);
    if (!st)
        st = sfew_tensor_new(1, zero, &l->cols, err);
    if (!st)
        st = sfew_tensor_new(1, zero, &l->part_grads, err);
    if (!st)
        st = sfew_tensor_new(1, zero, &l->wt, err);
    if (st)
        goto fail;
    double bound = 1.0 / sqrt((double)(C * k * k));
    sfew_fill_uniform(l->weight, bound, rng);
    if (bias)
        sfew_fill_uniform(l->bias, bound, rng);
    *out = l;
    return SFEW_OK;
fail:
    sfew_conv2d_free(l);
    return st;
}

void sfew_conv2d_free(sfew_conv2d *l)
{
    if (!l)
        return;
    sfew_tensor_free(l->weight);
    sfew_tensor_free(l->bias);
    sfew_tensor_free(l->grad_weight);
    sfew_tensor_free(l->grad_bias);
    sfew_tensor_free(l->mask);
    sfew_tensor_free(l->cols);
    sfew_tensor_free(l->part_grads);
    sfew_tensor_free(l->wt);
    free(l);
}

sfew_status sfew_conv2d_check(const sfew_conv2d *l, const sfew_tensor *in, int64_t *oh,
                              int64_t *ow, sfew_err *err)
{
    char buf[96];
    sfew_shape_str(in->ndim, in->shape, buf, 96);
    if (in->ndim != 4 || in->shape[1] != l->C)
        return sfew_fail(err, SFEW_ESHAPE, "Conv2d expects 4-D N x %lld x H x W input, got %s",
                         (long long)l->C, buf);
    int64_t h = (in->shape[2] + 2 * l->padding - l->k) / l->stride + 1;
    int64_t w = (in->shape[3] + 2 * l->padding - l->k) / l->stride + 1;
    if (in->shape[2] + 2 * l->padding < l->k || in->shape[3] + 2 * l->padding < l->k)
        return sfew_fail(err, SFEW_ESHAPE, "Conv2d: input %s is smaller than the %lldx%lld "
                         "kernel", buf, (long long)l->k, (long long)l->k);
    if (h * w * l->C * l->k * l->k > INT32_MAX || in->shape[0] > INT32_MAX)
        return sfew_fail(err, SFEW_ESHAPE, "Conv2d: input %s is too large", buf);
    if (oh)
        *oh = h;
    if (ow)
        *ow = w;
    return SFEW_OK;
}

static sfew_conv_geom geom_of(const sfew_conv2d *l, const sfew_tensor *in, int64_t oh,
                              int64_t ow)
{
    sfew_conv_geom g = {l->C, in->shape[2], in->shape[3], l->k, l->stride, l->padding, oh, ow};
    return g;
}

/* Number of parts: one per thread, never more than images. */
static int parts_for(int64_t n, int threads)
{
    int p = threads < 1 ? 1 : threads;
    return n < p ? (int)(n > 0 ? n : 1) : p;
}

/* Zeroes the masked kernels' rows of t (K, rest): weights in forward, their gradients in
 * backward, so a pruned kernel stays zero whatever the optimiser does. */
static void apply_mask(const sfew_conv2d *l, sfew_tensor *t)
{
    if (!l->mask)
        return;
    int64_t row = t->numel / l->K;
    for (int64_t k = 0; k < l->K; k++)
        if (l->mask->data[k] == 0.0f)
            memset(t->data + k * row, 0, (size_t)row * sizeof(float));
}

/* One call's shared state; part p takes images [N*p/P, N*(p+1)/P) and its own slices of
 * l->cols (per floats each) and l->part_grads. forward: a = in, b = out; backward: a = in,
 * b = grad_out, gin = grad_in (NULL when not wanted). fn: our direct kernel, or NULL for
 * the reference path. */
typedef struct conv_job {
    const sfew_conv2d *l;
    const sfew_conv_geom *g;
    const float *a;
    float *b;
    float *gin;
    int64_t N, per;
    sfew_conv2d_direct_fn fn;
    sfew_conv2d_wgrad_fn fw;
} conv_job;

/* Floats of l->cols one part needs: the im2col matrix, or our kernels' padded copy. */
static int64_t work_per_part(const sfew_conv2d *l, const sfew_conv_geom *g,
                             sfew_conv2d_direct_fn fn, int backward)
{
    int64_t ref = l->C * l->k * l->k * g->OH * g->OW;
    int64_t fast = fn ? sfew_conv2d_fast_work(l, g->H, g->W, g->OH, g->OW) : 0;
    return !fn ? ref : !backward ? fast : fast > ref ? fast : ref;
}

static void forward_part(void *ctx, int p, int P)
{
    conv_job *j = ctx;
    const sfew_conv2d *l = j->l;
    int64_t ckk = l->C * l->k * l->k, plane = j->g->OH * j->g->OW;
    int64_t in_img = l->C * j->g->H * j->g->W, out_img = l->K * plane;
    float *col = l->cols->data + p * j->per; /* (C*k*k, OH*OW) */
    for (int64_t n = j->N * p / P; n < j->N * (p + 1) / P; n++) {
        float *y = j->b + n * out_img; /* (K, OH*OW) */
        if (j->fn) {
            sfew_conv2d_fast_image(l, j->fn, j->a + n * in_img, j->g->H, j->g->W, col, y);
            continue;
        }
        sfew_im2col(j->g, j->a + n * in_img, col);
        for (int64_t k = 0; l->bias && k < l->K; k++)
            for (int64_t i = 0; i < plane; i++)
                y[k * plane + i] = l->bias->data[k];
        sfew_gemm(0, 0, (int)l->K, (int)plane, (int)ckk, 1.0f, l->weight->data, (int)ckk,
                  col, (int)plane, l->bias ? 1.0f : 0.0f, y, (int)plane);
    }
}

sfew_status sfew_conv2d_forward(sfew_conv2d *l, const sfew_tensor *in, sfew_tensor *out,
                                int threads, sfew_err *err)
{
    int64_t oh, ow;
    sfew_status st = sfew_conv2d_check(l, in, &oh, &ow, err);
    if (st)
        return st;
    int64_t N = in->shape[0];
    int P = parts_for(N, threads);
    sfew_conv_geom g = geom_of(l, in, oh, ow);
    sfew_conv2d_direct_fn fn = sfew_conv2d_fast_kernel(l);
    int64_t per = work_per_part(l, &g, fn, 0);
    int64_t oshape[4] = {N, l->K, oh, ow}, cshape[2] = {P, per};
    if ((st = sfew_tensor_resize(out, 4, oshape, err)) ||
        (st = sfew_tensor_resize(l->cols, 2, cshape, err)))
        return st;
    apply_mask(l, l->weight);
    if (fn && (st = sfew_conv2d_fast_weights(l, 0, err)))
        return st;
    conv_job j = {l, &g, in->data, out->data, NULL, N, per, fn, NULL};
    int old = sfew_blas_threads(1);
    sfew_parallel(P, forward_part, &j);
    sfew_blas_threads(old);
    return SFEW_OK;
}

/* Sum of n values in 8 float lanes (vectorisable, fixed order), then in double. */
static float plane_sum(const float *x, int64_t n)
{
    float lane[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            lane[j] += x[i + j];
    double s = 0.0;
    for (int j = 0; j < 8; j++)
        s += lane[j];
    for (; i < n; i++)
        s += x[i];
    return (float)s;
}

/* One part's share of backward: images [n0, n1) into its gradient buffer gp
 * (K*C*k*k weight entries, then K bias entries) and into grad_in. */
static void backward_part(const sfew_conv2d *l, const sfew_conv_geom *g,
                          sfew_conv2d_direct_fn fn, sfew_conv2d_wgrad_fn fw, const float *in,
                          const float *gout, float *gin, float *col, float *gp, int64_t n0,
                          int64_t n1)
{
    int64_t ckk = l->C * l->k * l->k, plane = g->OH * g->OW;
    int64_t in_img = l->C * g->H * g->W, out_img = l->K * plane;
    memset(gp, 0, (size_t)(l->K * ckk + l->K) * sizeof *gp);
    for (int64_t n = n0; n < n1; n++) {
        const float *go = gout + n * out_img; /* (K, OH*OW) */
        if (fw) {
            sfew_conv2d_fast_wgrad_image(l, fw, in + n * in_img, g->H, g->W, go, col, gp);
        } else {
            sfew_im2col(g, in + n * in_img, col);
            /* grad_weight^T (C*k*k, K) += col (C*k*k, OH*OW) * grad_out^T: transposed,
             * because OpenBLAS runs this shape (the long side as M) faster */
            sfew_gemm(0, 1, (int)ckk, (int)l->K, (int)plane, 1.0f, col, (int)plane, go,
                      (int)plane, 1.0f, gp, (int)l->K);
        }
        for (int64_t k = 0; k < l->K; k++)
            gp[l->K * ckk + k] += plane_sum(go + k * plane, plane);
        if (!gin)
            continue;
        if (fn) { /* our kernel writes every value of the image's grad_in */
            sfew_conv2d_fast_grad_image(l, fn, go, g->OH, g->OW, col, gin + n * in_img);
            continue;
        }
        /* col (C*k*k, OH*OW) = W^T (C*k*k, K) * grad_out, then folded into grad_in */
        sfew_gemm(1, 0, (int)ckk, (int)plane, (int)l->K, 1.0f, l->weight->data, (int)ckk, go,
                  (int)plane, 0.0f, col, (int)plane);
        memset(gin + n * in_img, 0, (size_t)in_img * sizeof *gin);
        sfew_col2im(g, col, gin + n * in_img);
    }
}

static void backward_job(void *ctx, int p, int P)
{
    conv_job *j = ctx;
    int64_t ckk = j->l->C * j->l->k * j->l->k;
    int64_t gsize = j->l->K * ckk + j->l->K;
    backward_part(j->l, j->g, j->fn, j->fw, j->a, j->b, j->gin, j->l->cols->data + p * j->per,
                  j->l->part_grads->data + p * gsize, j->N * p / P, j->N * (p + 1) / P);
}

sfew_status sfew_conv2d_backward(sfew_conv2d *l, const sfew_tensor *in,
                                 const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                 int threads, sfew_err *err)
{
    int64_t oh, ow;
    char buf[96];
    sfew_status st = sfew_conv2d_check(l, in, &oh, &ow, err);
    if (st)
        return st;
    int64_t N = in->shape[0], ckk = l->C * l->k * l->k;
    if (grad_out->ndim != 4 || grad_out->shape[0] != N || grad_out->shape[1] != l->K ||
        grad_out->shape[2] != oh || grad_out->shape[3] != ow)
        return sfew_fail(err, SFEW_ESHAPE, "Conv2d backward: grad_output is %s, expected "
                         "%lldx%lldx%lldx%lld", sfew_shape_str(grad_out->ndim, grad_out->shape,
                         buf, 96), (long long)N, (long long)l->K, (long long)oh, (long long)ow);
    int P = parts_for(N, threads);
    sfew_conv_geom g = geom_of(l, in, oh, ow);
    /* the input gradient is a convolution with C output channels: with fewer than 4,
     * most of our kernel's tile would be padding, and the reference is faster */
    sfew_conv2d_direct_fn fn = grad_in && l->C >= 4 ? sfew_conv2d_fast_kernel(l) : NULL;
    sfew_conv2d_wgrad_fn fw = sfew_conv2d_fast_wgrad_kernel(l);
    int64_t per = work_per_part(l, &g, fn || fw ? sfew_conv2d_fast_kernel(l) : NULL, 1);
    int64_t cshape[2] = {P, per}, gshape[2] = {P, l->K * ckk + l->K};
    if ((st = sfew_tensor_resize(l->cols, 2, cshape, err)) ||
        (st = sfew_tensor_resize(l->part_grads, 2, gshape, err)) ||
        (grad_in && (st = sfew_tensor_resize(grad_in, 4, in->shape, err))) ||
        (fn && (st = sfew_conv2d_fast_weights(l, 1, err))))
        return st;
    conv_job j = {l, &g, in->data, grad_out->data, grad_in ? grad_in->data : NULL,
                  N, per, fn, fw};
    int old = sfew_blas_threads(1);
    sfew_parallel(P, backward_job, &j);
    sfew_blas_threads(old);
    for (int p = 0; p < P; p++) { /* fixed order: deterministic sums */
        const float *gp = l->part_grads->data + p * gshape[1]; /* (C*k*k, K), transposed */
        for (int64_t k = 0; k < l->K; k++)
            for (int64_t r = 0; r < ckk; r++)
                l->grad_weight->data[k * ckk + r] += gp[r * l->K + k];
        for (int64_t k = 0; l->grad_bias && k < l->K; k++)
            l->grad_bias->data[k] += gp[l->K * ckk + k];
    }
    apply_mask(l, l->grad_weight);
    return SFEW_OK;
}

sfew_status sfew_conv2d_set_mask(sfew_conv2d *l, const sfew_tensor *mask, sfew_err *err)
{
    if (!mask) {
        sfew_tensor_free(l->mask);
        l->mask = NULL;
        return SFEW_OK;
    }
    char buf[96];
    if (mask->ndim != 1 || mask->shape[0] != l->K)
        return sfew_fail(err, SFEW_ESHAPE, "conv2d_set_mask: mask is %s, expected %lld",
                         sfew_shape_str(mask->ndim, mask->shape, buf, 96), (long long)l->K);
    sfew_tensor *m = NULL;
    sfew_status st = sfew_tensor_clone(mask, &m, err);
    if (st)
        return st;
    for (int64_t k = 0; k < l->K; k++)
        m->data[k] = m->data[k] != 0.0f ? 1.0f : 0.0f;
    sfew_tensor_free(l->mask);
    l->mask = m;
    return SFEW_OK;
}

sfew_status sfew_conv2d_set_params(sfew_conv2d *l, const sfew_tensor *weight,
                                   const sfew_tensor *bias, sfew_err *err)
{
    char buf[96];
    if (weight->ndim != 4 || weight->shape[0] < 1 || weight->shape[1] < 1 ||
        weight->shape[2] != l->k || weight->shape[3] != l->k)
        return sfew_fail(err, SFEW_ESHAPE, "conv2d_set_params: weight is %s, expected "
                         "K x C x %lld x %lld", sfew_shape_str(weight->ndim, weight->shape, buf,
                         96), (long long)l->k, (long long)l->k);
    if ((bias != NULL) != (l->bias != NULL))
        return sfew_fail(err, SFEW_EINVAL, "conv2d_set_params: the layer %s a bias",
                         l->bias ? "has" : "has no");
    if (bias && (bias->ndim != 1 || bias->shape[0] != weight->shape[0]))
        return sfew_fail(err, SFEW_ESHAPE, "conv2d_set_params: bias is %s, expected %lld",
                         sfew_shape_str(bias->ndim, bias->shape, buf, 96),
                         (long long)weight->shape[0]);
    sfew_status st = sfew_params_replace(weight, bias, &l->weight, &l->bias, &l->grad_weight,
                                         &l->grad_bias, err);
    if (st)
        return st;
    l->K = weight->shape[0];
    l->C = weight->shape[1];
    sfew_conv2d_set_mask(l, NULL, NULL);
    return SFEW_OK;
}

const char *sfew_conv2d_kernels_name(void)
{
    sfew_conv2d probe = {.stride = 1, .k = 1};
    sfew_conv2d_direct_fn fn = sfew_conv2d_fast_kernel(&probe);
#if SFEW_CONV2D_X86
    if (fn == sfew_conv2d_direct_avx512)
        return "direct AVX-512 (stride 1), else im2col + OpenBLAS";
    if (fn == sfew_conv2d_direct_avx2)
        return "direct AVX2 (stride 1), else im2col + OpenBLAS";
#endif
    return fn ? "direct" : "im2col + OpenBLAS (reference)";
}
