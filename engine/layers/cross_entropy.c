/* Cross-entropy from logits. Sums in double: the loss is a mean of many small terms. */
#include "cross_entropy.h"

#include <math.h>

sfew_status sfew_cross_entropy_check(const sfew_tensor *in, const int64_t *target,
                                     int64_t n_target, sfew_err *err)
{
    char buf[96];
    if (in->ndim != 2 || in->shape[1] < 1)
        return sfew_fail(err, SFEW_ESHAPE, "CrossEntropyLoss expects 2-D N x C logits, got %s",
                         sfew_shape_str(in->ndim, in->shape, buf, 96));
    if (n_target != in->shape[0])
        return sfew_fail(err, SFEW_ESHAPE, "CrossEntropyLoss: %lld targets for %lld rows",
                         (long long)n_target, (long long)in->shape[0]);
    for (int64_t n = 0; n < n_target; n++)
        if (target[n] < 0 || target[n] >= in->shape[1])
            return sfew_fail(err, SFEW_EINVAL, "CrossEntropyLoss: target %lld of row %lld is "
                             "outside 1..%lld", (long long)target[n] + 1, (long long)n + 1,
                             (long long)in->shape[1]);
    return SFEW_OK;
}

/* Row maximum and log of the sum of exp(x - max). */
static double row_lse(const float *x, int64_t C, double *max)
{
    double m = x[0], s = 0.0;
    for (int64_t c = 1; c < C; c++)
        if (x[c] > m)
            m = x[c];
    for (int64_t c = 0; c < C; c++)
        s += exp((double)x[c] - m);
    *max = m;
    return log(s);
}

sfew_status sfew_cross_entropy_forward(const sfew_tensor *in, const int64_t *target,
                                       int64_t n_target, double *loss, sfew_err *err)
{
    sfew_status st = sfew_cross_entropy_check(in, target, n_target, err);
    if (st)
        return st;
    int64_t N = in->shape[0], C = in->shape[1];
    double total = 0.0;
    for (int64_t n = 0; n < N; n++) {
        const float *x = in->data + n * C;
        double m, lse = row_lse(x, C, &m);
        total += m + lse - x[target[n]];
    }
    *loss = N > 0 ? total / (double)N : NAN; /* PyTorch's mean of nothing is NaN */
    return SFEW_OK;
}

sfew_status sfew_cross_entropy_backward(const sfew_tensor *in, const int64_t *target,
                                        int64_t n_target, sfew_tensor *grad_in, sfew_err *err)
{
    sfew_status st = sfew_cross_entropy_check(in, target, n_target, err);
    if (st || (st = sfew_tensor_resize(grad_in, 2, in->shape, err)))
        return st;
    int64_t N = in->shape[0], C = in->shape[1];
    for (int64_t n = 0; n < N; n++) {
        const float *x = in->data + n * C;
        float *g = grad_in->data + n * C;
        double m, lse = row_lse(x, C, &m);
        for (int64_t c = 0; c < C; c++)
            g[c] = (float)((exp((double)x[c] - m - lse) - (c == target[n])) / (double)N);
    }
    return SFEW_OK;
}

sfew_status sfew_cross_entropy_check_opts(const sfew_tensor *in, const int64_t *target,
                                          int64_t n_target, const sfew_cross_entropy_opts *o,
                                          sfew_err *err)
{
    char buf[96];
    sfew_status st = sfew_cross_entropy_check(in, target, n_target, err);
    if (st)
        return st;
    if (!(o->label_smoothing >= 0 && o->label_smoothing <= 1))
        return sfew_fail(err, SFEW_EINVAL, "CrossEntropyLoss: label_smoothing must be in "
                         "[0, 1], got %g", o->label_smoothing);
    if (o->weight && (o->weight->ndim != 1 || o->weight->shape[0] != in->shape[1]))
        return sfew_fail(err, SFEW_ESHAPE, "CrossEntropyLoss: weight is %s, expected %lld "
                         "class weights", sfew_shape_str(o->weight->ndim, o->weight->shape,
                         buf, 96), (long long)in->shape[1]);
    return SFEW_OK;
}

static double class_weight(const sfew_cross_entropy_opts *o, int64_t c)
{
    return o->weight ? o->weight->data[c] : 1.0;
}

/* W = the sum of the targets' weights. */
static double target_weight(const sfew_cross_entropy_opts *o, const int64_t *target, int64_t N)
{
    double w = 0.0;
    for (int64_t n = 0; n < N; n++)
        w += class_weight(o, target[n]);
    return w;
}

sfew_status sfew_cross_entropy_forward_opts(const sfew_tensor *in, const int64_t *target,
                                            int64_t n_target, const sfew_cross_entropy_opts *o,
                                            double *loss, sfew_err *err)
{
    sfew_status st = sfew_cross_entropy_check_opts(in, target, n_target, o, err);
    if (st)
        return st;
    int64_t N = in->shape[0], C = in->shape[1];
    double nll = 0.0, smooth = 0.0, ls = o->label_smoothing;
    for (int64_t n = 0; n < N; n++) {
        const float *x = in->data + n * C;
        double m, lse = row_lse(x, C, &m);
        nll += class_weight(o, target[n]) * (m + lse - x[target[n]]);
        for (int64_t c = 0; c < C && ls > 0; c++)
            smooth += class_weight(o, c) * (m + lse - x[c]);
    }
    double W = target_weight(o, target, N);
    *loss = ((1.0 - ls) * nll + ls / (double)C * smooth) / W;
    return SFEW_OK;
}

sfew_status sfew_cross_entropy_backward_opts(const sfew_tensor *in, const int64_t *target,
                                             int64_t n_target, const sfew_cross_entropy_opts *o,
                                             sfew_tensor *grad_in, sfew_err *err)
{
    sfew_status st = sfew_cross_entropy_check_opts(in, target, n_target, o, err);
    if (st || (st = sfew_tensor_resize(grad_in, 2, in->shape, err)))
        return st;
    int64_t N = in->shape[0], C = in->shape[1];
    double ls = o->label_smoothing, W = target_weight(o, target, N), sw = 0.0;
    for (int64_t c = 0; c < C; c++)
        sw += class_weight(o, c);
    for (int64_t n = 0; n < N; n++) {
        const float *x = in->data + n * C;
        float *g = grad_in->data + n * C;
        double m, lse = row_lse(x, C, &m), wy = class_weight(o, target[n]);
        for (int64_t c = 0; c < C; c++) {
            double p = exp((double)x[c] - m - lse);
            double hard = (1.0 - ls) * wy * (p - (c == target[n]));
            g[c] = (float)((hard + ls / (double)C * (p * sw - class_weight(o, c))) / W);
        }
    }
    return SFEW_OK;
}

sfew_status sfew_cross_entropy_correct(const sfew_tensor *in, const int64_t *target,
                                       int64_t n_target, int64_t *count, sfew_err *err)
{
    sfew_status st = sfew_cross_entropy_check(in, target, n_target, err);
    if (st)
        return st;
    int64_t N = in->shape[0], C = in->shape[1], hits = 0;
    for (int64_t n = 0; n < N; n++) {
        const float *x = in->data + n * C;
        int64_t best = 0;
        for (int64_t c = 1; c < C; c++)
            if (x[c] > x[best])
                best = c;
        hits += best == target[n];
    }
    *count = hits;
    return SFEW_OK;
}
