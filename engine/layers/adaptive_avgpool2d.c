/* Adaptive average pooling with PyTorch's start/end index rule. */
#include "adaptive_avgpool2d.h"
#include "pool.h"
#include "../parallel.h"

#include <stdlib.h>
#include <string.h>

sfew_status sfew_adaptive_avgpool2d_create(int64_t oh, int64_t ow,
                                           sfew_adaptive_avgpool2d **out, sfew_err *err)
{
    if (oh < 1 || ow < 1 || oh > INT32_MAX || ow > INT32_MAX)
        return sfew_fail(err, SFEW_EINVAL, "adaptive_avgpool2d_create: output size %lldx%lld "
                         "must be positive", (long long)oh, (long long)ow);
    sfew_adaptive_avgpool2d *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "adaptive_avgpool2d_create: out of memory");
    l->oh = oh;
    l->ow = ow;
    *out = l;
    return SFEW_OK;
}

void sfew_adaptive_avgpool2d_free(sfew_adaptive_avgpool2d *l) { free(l); }

sfew_status sfew_adaptive_avgpool2d_check(const sfew_adaptive_avgpool2d *l,
                                          const sfew_tensor *in, sfew_err *err)
{
    char buf[96];
    (void)l;
    if (in->ndim != 4 || in->shape[2] < 1 || in->shape[3] < 1)
        return sfew_fail(err, SFEW_ESHAPE, "AdaptiveAvgPool2d expects 4-D N x C x H x W input "
                         "with H, W >= 1, got %s", sfew_shape_str(in->ndim, in->shape, buf, 96));
    return SFEW_OK;
}

/* Region of output index o of O along a side of n: [floor(o n / O), ceil((o + 1) n / O)). */
static void region(int64_t o, int64_t O, int64_t n, int64_t *lo, int64_t *hi)
{
    *lo = o * n / O;
    *hi = ((o + 1) * n + O - 1) / O;
}

/* A pass over planes [lo, hi): forward reads a = in, writes b = out; backward reads
 * a = grad_out and writes b = grad_in. */
typedef struct pool_job {
    const sfew_adaptive_avgpool2d *l;
    const sfew_tensor *a;
    sfew_tensor *b;
    int64_t h, w;
    int backward;
} pool_job;

static void planes(void *ctx, int64_t lo, int64_t hi)
{
    pool_job *j = ctx;
    int64_t H = j->h, W = j->w, HW = H * W, OH = j->l->oh, OW = j->l->ow, O = OH * OW;
    for (int64_t p = lo; p < hi; p++) {
        const float *x = j->backward ? j->a->data + p * O : j->a->data + p * HW;
        float *y = j->backward ? j->b->data + p * HW : j->b->data + p * O;
        if (j->backward)
            memset(y, 0, (size_t)HW * sizeof *y);
        for (int64_t oh = 0; oh < OH; oh++) {
            int64_t h0, h1, w0, w1;
            region(oh, OH, H, &h0, &h1);
            for (int64_t ow = 0; ow < OW; ow++) {
                region(ow, OW, W, &w0, &w1);
                float div = (float)((h1 - h0) * (w1 - w0));
                if (j->backward)
                    sfew_window_add(y, W, h0, h1, w0, w1, x[oh * OW + ow] / div);
                else
                    y[oh * OW + ow] = sfew_window_sum(x, W, h0, h1, w0, w1) / div;
            }
        }
    }
}

sfew_status sfew_adaptive_avgpool2d_forward(sfew_adaptive_avgpool2d *l, const sfew_tensor *in,
                                            sfew_tensor *out, int threads, sfew_err *err)
{
    sfew_status st = sfew_adaptive_avgpool2d_check(l, in, err);
    if (st)
        return st;
    int64_t oshape[4] = {in->shape[0], in->shape[1], l->oh, l->ow};
    if ((st = sfew_tensor_resize(out, 4, oshape, err)))
        return st;
    pool_job j = {l, in, out, in->shape[2], in->shape[3], 0};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->shape[0] * in->shape[1],
                        planes, &j);
    return SFEW_OK;
}

sfew_status sfew_adaptive_avgpool2d_backward(sfew_adaptive_avgpool2d *l, const sfew_tensor *in,
                                             const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                             int threads, sfew_err *err)
{
    sfew_status st = sfew_adaptive_avgpool2d_check(l, in, err);
    if (!st)
        st = sfew_pool_check_grad("AdaptiveAvgPool2d", grad_out, in->shape[0], in->shape[1],
                                  l->oh, l->ow, err);
    if (st)
        return st;
    if ((st = sfew_tensor_resize(grad_in, 4, in->shape, err)))
        return st;
    pool_job j = {l, grad_out, grad_in, in->shape[2], in->shape[3], 1};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->shape[0] * in->shape[1],
                        planes, &j);
    return SFEW_OK;
}
