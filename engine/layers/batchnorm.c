/* Batch normalisation over channels. Per-channel sums run in double in a fixed order, so
 * the result does not depend on how channels are spread over threads. */
#include "batchnorm.h"
#include "elementwise.h"
#include "params.h"
#include "../parallel.h"

#include <math.h>
#include <stdlib.h>

sfew_status sfew_batchnorm_create(int dims, int64_t c, double eps, double momentum, int affine,
                                  sfew_batchnorm **out, sfew_err *err)
{
    if (dims != 1 && dims != 2)
        return sfew_fail(err, SFEW_EINVAL, "batchnorm_create: dims must be 1 or 2, got %d",
                         dims);
    if (c < 1 || c > INT32_MAX)
        return sfew_fail(err, SFEW_EINVAL, "batchnorm_create: %lld channels", (long long)c);
    if (!(eps > 0) || !isfinite(eps))
        return sfew_fail(err, SFEW_EINVAL, "batchnorm_create: eps must be positive, got %g",
                         eps);
    if (!(momentum >= 0 && momentum <= 1))
        return sfew_fail(err, SFEW_EINVAL, "batchnorm_create: momentum must be in [0, 1], "
                         "got %g", momentum);
    sfew_batchnorm *l = calloc(1, sizeof *l);
    if (!l)
        return sfew_fail(err, SFEW_ENOMEM, "batchnorm_create: out of memory");
    l->dims = dims;
    l->c = c;
    l->eps = eps;
    l->momentum = momentum;
    l->training = 1;
    sfew_status st = sfew_tensor_new4(1, c, 0, 0, 0, &l->running_mean, err);
    if (!st)
        st = sfew_tensor_new4(1, c, 0, 0, 0, &l->running_var, err);
    if (!st)
        st = sfew_tensor_new4(1, c, 0, 0, 0, &l->invstd, err);
    if (!st)
        st = sfew_tensor_new4(1, 0, 0, 0, 0, &l->xhat, err);
    if (!st && affine)
        st = sfew_params_new(1, &c, c, &l->weight, &l->bias, &l->grad_weight, &l->grad_bias,
                             err);
    if (st) {
        sfew_batchnorm_free(l);
        return st;
    }
    sfew_tensor_fill(l->running_var, 1.0f);
    if (affine)
        sfew_tensor_fill(l->weight, 1.0f);
    *out = l;
    return SFEW_OK;
}

void sfew_batchnorm_free(sfew_batchnorm *l)
{
    if (!l)
        return;
    sfew_params_free(l->weight, l->bias, l->grad_weight, l->grad_bias);
    sfew_tensor_free(l->running_mean);
    sfew_tensor_free(l->running_var);
    sfew_tensor_free(l->xhat);
    sfew_tensor_free(l->invstd);
    free(l);
}

/* Values per channel and image: H * W, L, or 1. */
static int64_t spatial(const sfew_tensor *in)
{
    int64_t s = 1;
    for (int d = 2; d < in->ndim; d++)
        s *= in->shape[d];
    return s;
}

sfew_status sfew_batchnorm_check(const sfew_batchnorm *l, const sfew_tensor *in,
                                 sfew_err *err)
{
    char buf[96];
    const char *name = l->dims == 2 ? "BatchNorm2d" : "BatchNorm1d";
    sfew_shape_str(in->ndim, in->shape, buf, 96);
    int ok = l->dims == 2 ? in->ndim == 4 : in->ndim == 2 || in->ndim == 3;
    if (!ok || in->shape[1] != l->c)
        return sfew_fail(err, SFEW_ESHAPE, "%s expects %s input with %lld channels, got %s",
                         name, l->dims == 2 ? "4-D N x C x H x W" : "2-D N x C or 3-D N x C x L",
                         (long long)l->c, buf);
    if (l->training && in->shape[0] * spatial(in) < 2)
        return sfew_fail(err, SFEW_ESHAPE, "%s: input %s has one value per channel; training "
                         "needs more than one", name, buf);
    return SFEW_OK;
}

/* One pass over channels [lo, hi): forward reads x and writes y (and the cache); backward
 * reads g (grad_out) and writes y (grad_in). */
typedef struct bn_job {
    sfew_batchnorm *l;
    const float *x, *g;
    float *y;
    int64_t n, s; /* N and the spatial size */
} bn_job;

/* Mean and biased variance of channel c over N and the spatial positions. */
static void channel_stats(const bn_job *j, int64_t c, double *mean, double *var)
{
    int64_t C = j->l->c, m = j->n * j->s;
    double sum = 0.0, sq = 0.0;
    for (int64_t n = 0; n < j->n; n++) {
        const float *p = j->x + (n * C + c) * j->s;
        for (int64_t i = 0; i < j->s; i++)
            sum += p[i];
    }
    *mean = sum / (double)m;
    for (int64_t n = 0; n < j->n; n++) {
        const float *p = j->x + (n * C + c) * j->s;
        for (int64_t i = 0; i < j->s; i++)
            sq += (p[i] - *mean) * (p[i] - *mean);
    }
    *var = sq / (double)m;
}

static void forward_channels(void *ctx, int64_t lo, int64_t hi)
{
    bn_job *j = ctx;
    sfew_batchnorm *l = j->l;
    int64_t C = l->c, m = j->n * j->s;
    for (int64_t c = lo; c < hi; c++) {
        double mean, var;
        if (l->training) {
            channel_stats(j, c, &mean, &var);
            double mo = l->momentum, unbiased = var * (double)m / (double)(m - 1);
            l->running_mean->data[c] =
                (float)((1.0 - mo) * l->running_mean->data[c] + mo * mean);
            l->running_var->data[c] =
                (float)((1.0 - mo) * l->running_var->data[c] + mo * unbiased);
        } else {
            mean = l->running_mean->data[c];
            var = l->running_var->data[c];
        }
        double invstd = 1.0 / sqrt(var + l->eps);
        double w = l->weight ? l->weight->data[c] : 1.0, b = l->bias ? l->bias->data[c] : 0.0;
        l->invstd->data[c] = (float)invstd;
        for (int64_t n = 0; n < j->n; n++) {
            int64_t off = (n * C + c) * j->s;
            for (int64_t i = 0; i < j->s; i++) {
                double xh = (j->x[off + i] - mean) * invstd;
                l->xhat->data[off + i] = (float)xh;
                j->y[off + i] = (float)(xh * w + b);
            }
        }
    }
}

sfew_status sfew_batchnorm_forward(sfew_batchnorm *l, const sfew_tensor *in, sfew_tensor *out,
                                   int threads, sfew_err *err)
{
    sfew_status st = sfew_batchnorm_check(l, in, err);
    if (st || (st = sfew_tensor_resize(l->xhat, in->ndim, in->shape, err))
        || (st = sfew_tensor_resize(out, in->ndim, in->shape, err)))
        return st;
    bn_job j = {l, in->data, NULL, out->data, in->shape[0], spatial(in)};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), l->c, forward_channels, &j);
    l->cached_training = l->training;
    if (l->training)
        l->batches++;
    return SFEW_OK;
}

/* With batch statistics, per channel (M values):
 *   dx = invstd / M * (M dxhat - sum(dxhat) - xhat sum(dxhat xhat)),  dxhat = g w;
 * with running statistics the normalisation is affine: dx = g w invstd. */
static void backward_channels(void *ctx, int64_t lo, int64_t hi)
{
    bn_job *j = ctx;
    sfew_batchnorm *l = j->l;
    int64_t C = l->c;
    double m = (double)(j->n * j->s);
    const float *xh = l->xhat->data;
    for (int64_t c = lo; c < hi; c++) {
        double sg = 0.0, sgx = 0.0;
        for (int64_t n = 0; n < j->n; n++) {
            int64_t off = (n * C + c) * j->s;
            for (int64_t i = 0; i < j->s; i++) {
                sg += j->g[off + i];
                sgx += (double)j->g[off + i] * xh[off + i];
            }
        }
        if (l->grad_weight) {
            l->grad_weight->data[c] += (float)sgx;
            l->grad_bias->data[c] += (float)sg;
        }
        double w = l->weight ? l->weight->data[c] : 1.0, k = w * l->invstd->data[c];
        int batch = l->cached_training;
        for (int64_t n = 0; n < j->n; n++) {
            int64_t off = (n * C + c) * j->s;
            for (int64_t i = 0; i < j->s; i++)
                j->y[off + i] = (float)(batch ? k * (j->g[off + i] - sg / m - xh[off + i] * sgx / m)
                                              : k * j->g[off + i]);
        }
    }
}

sfew_status sfew_batchnorm_backward(sfew_batchnorm *l, const sfew_tensor *in,
                                    const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                    int threads, sfew_err *err)
{
    char a[96];
    const char *name = l->dims == 2 ? "BatchNorm2d" : "BatchNorm1d";
    int ok = in->ndim == 4 || in->ndim == 3 || in->ndim == 2;
    if (!ok || in->shape[1] != l->c || !sfew_tensor_same_shape(in, l->xhat))
        return sfew_fail(err, SFEW_ESHAPE, "%s backward: input %s is not the one of the last "
                         "forward", name, sfew_shape_str(in->ndim, in->shape, a, 96));
    sfew_status st = sfew_ew_check(name, in, grad_out, err);
    if (!st)
        st = sfew_tensor_resize(grad_in, in->ndim, in->shape, err);
    if (st)
        return st;
    bn_job j = {l, NULL, grad_out->data, grad_in->data, in->shape[0], spatial(in)};
    sfew_parallel_range(sfew_par_threads(threads, in->numel), l->c, backward_channels, &j);
    return SFEW_OK;
}

/* 1 if t is (c). */
static int is_channels(const sfew_tensor *t, int64_t c)
{
    return t->ndim == 1 && t->shape[0] == c;
}

sfew_status sfew_batchnorm_set_params(sfew_batchnorm *l, const sfew_tensor *weight,
                                      const sfew_tensor *bias, const sfew_tensor *running_mean,
                                      const sfew_tensor *running_var, sfew_err *err)
{
    char buf[96];
    int64_t c = running_mean->ndim == 1 ? running_mean->shape[0] : 0;
    if (c < 1 || c > INT32_MAX || !is_channels(running_var, c))
        return sfew_fail(err, SFEW_ESHAPE, "batchnorm_set_params: running statistics must "
                         "both be (C), got %s and a variance of %lld values",
                         sfew_shape_str(running_mean->ndim, running_mean->shape, buf, 96),
                         (long long)running_var->numel);
    if ((weight != NULL) != (l->weight != NULL) || (bias != NULL) != (weight != NULL))
        return sfew_fail(err, SFEW_EINVAL, "batchnorm_set_params: the layer %s weight and bias",
                         l->weight ? "has" : "has no");
    if (weight && (!is_channels(weight, c) || !is_channels(bias, c)))
        return sfew_fail(err, SFEW_ESHAPE, "batchnorm_set_params: weight and bias must be "
                         "(%lld) like the running statistics", (long long)c);
    sfew_tensor *rm = NULL, *rv = NULL, *inv = NULL;
    sfew_status st = sfew_tensor_clone(running_mean, &rm, err);
    if (!st)
        st = sfew_tensor_clone(running_var, &rv, err);
    if (!st)
        st = sfew_tensor_new4(1, c, 0, 0, 0, &inv, err);
    if (!st && weight)
        st = sfew_params_replace(weight, bias, &l->weight, &l->bias, &l->grad_weight,
                                 &l->grad_bias, err);
    if (st)
        goto fail;
    sfew_tensor_free(l->running_mean);
    sfew_tensor_free(l->running_var);
    sfew_tensor_free(l->invstd);
    l->running_mean = rm;
    l->running_var = rv;
    l->invstd = inv;
    l->c = c;
    int64_t none = 0;
    sfew_tensor_resize(l->xhat, 1, &none, NULL); /* backward needs a new forward */
    return SFEW_OK;
fail:
    sfew_tensor_free(rm);
    sfew_tensor_free(rv);
    sfew_tensor_free(inv);
    return st;
}
