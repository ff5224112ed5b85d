/* Average pooling: windows and divisors computed as PyTorch's avg_pool2d CPU kernel. */
#include "avgpool2d.h"
#include "pool.h"
#include "../parallel.h"

#include <stdlib.h>
#include <string.h>

sfew_status sfew_avgpool2d_create(int64_t k, int64_t stride, int64_t pad,
                                  int count_include_pad, sfew_avgpool2d **out, sfew_err *err)
{
    if (k < 1 || k > 4096 || stride < 1 || stride > 4096)
        return sfew_fail(err, SFEW_EINVAL, "avgpool2d_create: bad kernel %lld or stride %lld",
                         (long long)k, (long long)stride);
    if (pad < 0 || pad > k / 2)
        return sfew_fail(err, SFEW_EINVAL, "avgpool2d_create: padding %lld must be in 0..%lld "
                         "(half the kernel)", (long long)pad, (long long)(k / 2));
    sfew_avgpool2d *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "avgpool2d_create: out of memory");
    l->k = k;
    l->stride = stride;
    l->pad = pad;
    l->count_include_pad = count_include_pad != 0;
    *out = l;
    return SFEW_OK;
}

void sfew_avgpool2d_free(sfew_avgpool2d *l) { free(l); }

sfew_status sfew_avgpool2d_check(const sfew_avgpool2d *l, const sfew_tensor *in, int64_t *oh,
                                 int64_t *ow, sfew_err *err)
{
    char buf[96];
    sfew_shape_str(in->ndim, in->shape, buf, 96);
    if (in->ndim != 4)
        return sfew_fail(err, SFEW_ESHAPE, "AvgPool2d expects 4-D N x C x H x W input, got %s",
                         buf);
    if (in->shape[2] + 2 * l->pad < l->k || in->shape[3] + 2 * l->pad < l->k)
        return sfew_fail(err, SFEW_ESHAPE, "AvgPool2d: input %s (padded by %lld) is smaller "
                         "than the %lldx%lld window", buf, (long long)l->pad, (long long)l->k,
                         (long long)l->k);
    if (oh)
        *oh = (in->shape[2] + 2 * l->pad - l->k) / l->stride + 1;
    if (ow)
        *ow = (in->shape[3] + 2 * l->pad - l->k) / l->stride + 1;
    return SFEW_OK;
}

/* Window [*lo, *hi) of output position o along a side of n pixels, and its extent before
 * clipping to the image (clipped to the padded image only). */
static int64_t window(const sfew_avgpool2d *l, int64_t o, int64_t n, int64_t *lo, int64_t *hi)
{
    int64_t a = o * l->stride - l->pad, b = a + l->k;
    if (b > n + l->pad)
        b = n + l->pad;
    int64_t padded = b - a;
    *lo = a < 0 ? 0 : a;
    *hi = b > n ? n : b;
    return padded;
}

/* A pass over planes [lo, hi): forward reads a = in, writes b = out; backward reads
 * a = grad_out and writes b = grad_in. */
typedef struct pool_job {
    const sfew_avgpool2d *l;
    const sfew_tensor *a;
    sfew_tensor *b;
    int64_t h, w, oh, ow;
    int backward;
} pool_job;

static void planes(void *ctx, int64_t lo, int64_t hi)
{
    pool_job *j = ctx;
    int64_t H = j->h, W = j->w, HW = H * W, O = j->oh * j->ow;
    for (int64_t p = lo; p < hi; p++) {
        const float *x = j->backward ? j->a->data + p * O : j->a->data + p * HW;
        float *y = j->backward ? j->b->data + p * HW : j->b->data + p * O;
        if (j->backward)
            memset(y, 0, (size_t)HW * sizeof *y);
        for (int64_t oh = 0; oh < j->oh; oh++) {
            int64_t h0, h1, w0, w1;
            int64_t ph = window(j->l, oh, H, &h0, &h1);
            for (int64_t ow = 0; ow < j->ow; ow++) {
                int64_t pw = window(j->l, ow, W, &w0, &w1);
                int64_t div = j->l->count_include_pad ? ph * pw : (h1 - h0) * (w1 - w0);
                if (j->backward) {
                    sfew_window_add(y, W, h0, h1, w0, w1, x[oh * j->ow + ow] / (float)div);
                    continue;
                }
                float s = sfew_window_sum(x, W, h0, h1, w0, w1);
                y[oh * j->ow + ow] = div > 0 ? s / (float)div : 0.0f;
            }
        }
    }
}

sfew_status sfew_avgpool2d_forward(sfew_avgpool2d *l, const sfew_tensor *in, sfew_tensor *out,
                                   int threads, sfew_err *err)
{
    int64_t oh, ow;
    sfew_status st = sfew_avgpool2d_check(l, in, &oh, &ow, err);
    if (st)
        return st;
    int64_t oshape[4] = {in->shape[0], in->shape[1], oh, ow};
    if ((st = sfew_tensor_resize(out, 4, oshape, err)))
        return st;
    pool_job j = {l, in, out, in->shape[2], in->shape[3], oh, ow, 0};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->shape[0] * in->shape[1],
                        planes, &j);
    return SFEW_OK;
}

sfew_status sfew_avgpool2d_backward(sfew_avgpool2d *l, const sfew_tensor *in,
                                    const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                    int threads, sfew_err *err)
{
    int64_t oh, ow;
    sfew_status st = sfew_avgpool2d_check(l, in, &oh, &ow, err);
    if (!st)
        st = sfew_pool_check_grad("AvgPool2d", grad_out, in->shape[0], in->shape[1], oh, ow,
                                  err);
    if (st)
        return st;
    if ((st = sfew_tensor_resize(grad_in, 4, in->shape, err)))
        return st;
    pool_job j = {l, grad_out, grad_in, in->shape[2], in->shape[3], oh, ow, 1};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->shape[0] * in->shape[1],
                        planes, &j);
    return SFEW_OK;
}
