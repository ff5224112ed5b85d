/* Max pooling with cached argmax offsets (int32: one plane never exceeds 2^31 pixels), and
 * the same fused with the ReLU before it (one pass over the big conv output, not three). */
#include "maxpool2d.h"
#include "pool.h"
#include "../parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sfew_status sfew_maxpool2d_create(int64_t k, int64_t stride, sfew_maxpool2d **out,
                                  sfew_err *err)
{
    if (k < 1 || k > 4096 || stride < 1 || stride > 4096)
        return sfew_fail(err, SFEW_EINVAL, "maxpool2d_create: bad kernel %lld or stride %lld",
                         (long long)k, (long long)stride);
    sfew_maxpool2d *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "maxpool2d_create: out of memory");
    l->k = k;
    l->stride = stride;
    *out = l;
    return SFEW_OK;
}

void sfew_maxpool2d_free(sfew_maxpool2d *l)
{
    if (!l)
        return;
    free(l->argmax);
    free(l);
}

sfew_status sfew_maxpool2d_check(const sfew_maxpool2d *l, const sfew_tensor *in, int64_t *oh,
                                 int64_t *ow, sfew_err *err)
{
    char buf[96];
    sfew_shape_str(in->ndim, in->shape, buf, 96);
    if (in->ndim != 4)
        return sfew_fail(err, SFEW_ESHAPE, "MaxPool2d expects 4-D N x C x H x W input, got %s",
                         buf);
    if (in->shape[2] < l->k || in->shape[3] < l->k)
        return sfew_fail(err, SFEW_ESHAPE, "MaxPool2d: input %s is smaller than the %lldx%lld "
                         "window", buf, (long long)l->k, (long long)l->k);
    if (in->shape[2] * in->shape[3] > INT32_MAX)
        return sfew_fail(err, SFEW_ESHAPE, "MaxPool2d: input %s is too large", buf);
    if (oh)
        *oh = (in->shape[2] - l->k) / l->stride + 1;
    if (ow)
        *ow = (in->shape[3] - l->k) / l->stride + 1;
    return SFEW_OK;
}

/* Pools one plane (H, W) into y (OH, OW) and idx. */
static void pool_plane(const sfew_maxpool2d *l, const float *x, int64_t H, int64_t W, float *y,
                       int32_t *idx, int64_t OH, int64_t OW)
{
    (void)H;
    for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
            int64_t best = oh * l->stride * W + ow * l->stride;
            float m = x[best];
            for (int64_t i = 0; i < l->k; i++) {
                const float *row = x + (oh * l->stride + i) * W + ow * l->stride;
                for (int64_t j = 0; j < l->k; j++)
                    if (row[j] > m || isnan(row[j])) {
                        m = row[j];
                        best = row + j - x;
                        if (isnan(m))
                            goto done;
                    }
            }
        done:
            y[oh * OW + ow] = m;
            idx[oh * OW + ow] = (int32_t)best;
        }
}

/* Pools ReLU of one plane: the running maximum starts at 0, so only a strictly positive
 * value (the first of equal ones, as the unfused pool picks) takes the window. */
static void pool_plane_relu(const sfew_maxpool2d *l, const float *x, int64_t W, float *y,
                            int32_t *idx, int64_t OH, int64_t OW)
{
    int64_t k = l->k, s = l->stride;
    for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
            int64_t best = -1;
            float m = 0.0f;
            const float *win = x + oh * s * W + ow * s;
            for (int64_t i = 0; i < k; i++)
                for (int64_t j = 0; j < k; j++)
                    if (win[i * W + j] > m) {
                        m = win[i * W + j];
                        best = (oh * s + i) * W + ow * s + j;
                    }
            y[oh * OW + ow] = m;
            idx[oh * OW + ow] = (int32_t)best;
        }
}

/* A pass over planes [lo, hi): forward reads a (N, C, H, W) into b (N, C, OH, OW); backward
 * reads a = grad_out and writes b = grad_in. */
typedef struct pool_job {
    sfew_maxpool2d *l;
    const sfew_tensor *a;
    sfew_tensor *b;
    int64_t oh, ow;
    int relu; /* forward: pool ReLU(a) */
} pool_job;

static void forward_planes(void *ctx, int64_t lo, int64_t hi)
{
    pool_job *j = ctx;
    int64_t H = j->a->shape[2], W = j->a->shape[3], o = j->oh * j->ow;
    for (int64_t p = lo; p < hi; p++) {
        if (j->relu)
            pool_plane_relu(j->l, j->a->data + p * H * W, W, j->b->data + p * o,
                            j->l->argmax + p * o, j->oh, j->ow);
        else
            pool_plane(j->l, j->a->data + p * H * W, H, W, j->b->data + p * o,
                       j->l->argmax + p * o, j->oh, j->ow);
    }
}

static void backward_planes(void *ctx, int64_t lo, int64_t hi)
{
    pool_job *j = ctx;
    int64_t HW = j->b->shape[2] * j->b->shape[3], o = j->oh * j->ow;
    for (int64_t p = lo; p < hi; p++) {
        float *gi = j->b->data + p * HW;
        const float *go = j->a->data + p * o;
        const int32_t *idx = j->l->argmax + p * o;
        memset(gi, 0, (size_t)HW * sizeof *gi);
        for (int64_t i = 0; i < o; i++)
            if (idx[i] >= 0)
                gi[idx[i]] += go[i];
    }
}

/* Sizes out and the argmax cache for in; the shared start of both forwards. */
static sfew_status prepare(sfew_maxpool2d *l, const sfew_tensor *in, sfew_tensor *out,
                           int64_t *oh, int64_t *ow, sfew_err *err)
{
    sfew_status st = sfew_maxpool2d_check(l, in, oh, ow, err);
    if (st)
        return st;
    int64_t planes = in->shape[0] * in->shape[1];
    int64_t oshape[4] = {in->shape[0], in->shape[1], *oh, *ow}, n = planes * *oh * *ow;
    if (n > l->argmax_cap) {
        int32_t *a = calloc((size_t)n, sizeof *a);
        if (!a)
            return sfew_fail(err, SFEW_ENOMEM, "maxpool2d_forward: cannot cache %lld indices",
                             (long long)n);
        free(l->argmax);
        l->argmax = a;
        l->argmax_cap = n;
    }
    if ((st = sfew_tensor_resize(out, 4, oshape, err)))
        return st;
    l->ndim_in = 4;
    memcpy(l->in_shape, in->shape, sizeof l->in_shape);
    return SFEW_OK;
}

sfew_status sfew_maxpool2d_forward_relu(sfew_maxpool2d *l, const sfew_tensor *in,
                                        sfew_tensor *out, int threads, sfew_err *err)
{
    int64_t oh, ow;
    sfew_status st = prepare(l, in, out, &oh, &ow, err);
    if (st)
        return st;
    pool_job j = {l, in, out, oh, ow, 1};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->shape[0] * in->shape[1],
                        forward_planes, &j);
    return SFEW_OK;
}

sfew_status sfew_maxpool2d_forward(sfew_maxpool2d *l, const sfew_tensor *in, sfew_tensor *out,
                                   int threads, sfew_err *err)
{
    int64_t oh, ow;
    sfew_status st = prepare(l, in, out, &oh, &ow, err);
    if (st)
        return st;
    pool_job j = {l, in, out, oh, ow, 0};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), in->shape[0] * in->shape[1],
                        forward_planes, &j);
    return SFEW_OK;
}

sfew_status sfew_maxpool2d_backward(sfew_maxpool2d *l, const sfew_tensor *in,
                                    const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                    int threads, sfew_err *err)
{
    int64_t oh, ow;
    char buf[96];
    sfew_status st = sfew_maxpool2d_check(l, in, &oh, &ow, err);
    if (st)
        return st;
    if (l->ndim_in != 4 || memcmp(l->in_shape, in->shape, sizeof l->in_shape) != 0)
        return sfew_fail(err, SFEW_ESHAPE, "MaxPool2d backward: input %s is not the one of "
                         "the last forward", sfew_shape_str(in->ndim, in->shape, buf, 96));
    int64_t planes = in->shape[0] * in->shape[1];
    if ((st = sfew_pool_check_grad("MaxPool2d", grad_out, in->shape[0], in->shape[1], oh, ow,
                                   err)))
        return st;
    if ((st = sfew_tensor_resize(grad_in, 4, in->shape, err)))
        return st;
    pool_job j = {l, grad_out, grad_in, oh, ow, 0};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), planes, backward_planes, &j);
    return SFEW_OK;
}
