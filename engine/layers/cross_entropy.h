/* Cross-entropy from logits (log-softmax + negative log-likelihood), mean over the batch,
 * as PyTorch's CrossEntropyLoss. Targets are 0-based class numbers. Stateless. */
#ifndef SFEW_CROSS_ENTROPY_H
#define SFEW_CROSS_ENTROPY_H

#include "../tensor.h"

/* SFEW_ESHAPE unless in is (N, C) with C >= 1 and n_target == N; SFEW_EINVAL naming the
 * row when a target lies outside [0, C). */
sfew_status sfew_cross_entropy_check(const sfew_tensor *in, const int64_t *target,
                                     int64_t n_target, sfew_err *err);
/* *loss = mean over rows of logsumexp(row) - row[target] (max-shifted: stable). */
sfew_status sfew_cross_entropy_forward(const sfew_tensor *in, const int64_t *target,
                                       int64_t n_target, double *loss, sfew_err *err);
/* Overwrites grad_in (resized to (N, C)) with (softmax(row) - onehot(target)) / N. */
sfew_status sfew_cross_entropy_backward(const sfew_tensor *in, const int64_t *target,
                                        int64_t n_target, sfew_tensor *grad_in,
                                        sfew_err *err);
/* Class weights and label smoothing, as CrossEntropyLoss(weight, label_smoothing) in
 * PyTorch 1.13 with mean reduction (Szegedy et al. 2016, sec. 7), p = softmax(row):
 *   loss = (1 - ls) sum_n w[y_n] (-log p[n, y_n]) / W
 *        + ls / C   sum_n sum_c w[c] (-log p[n, c]) / W,   W = sum_n w[y_n]
 * (w = 1 and W = N without weights). */
typedef struct sfew_cross_entropy_opts {
    const sfew_tensor *weight; /* (C) class weights, or NULL for all 1 */
    double label_smoothing;    /* in [0, 1] */
} sfew_cross_entropy_opts;

/* sfew_cross_entropy_check, and SFEW_EINVAL/ESHAPE unless the weight is (C) and the
 * smoothing in [0, 1]. */
sfew_status sfew_cross_entropy_check_opts(const sfew_tensor *in, const int64_t *target,
                                          int64_t n_target, const sfew_cross_entropy_opts *o,
                                          sfew_err *err);
/* *loss by the formula above (NaN when W is 0, as PyTorch). */
sfew_status sfew_cross_entropy_forward_opts(const sfew_tensor *in, const int64_t *target,
                                            int64_t n_target, const sfew_cross_entropy_opts *o,
                                            double *loss, sfew_err *err);
/* Overwrites grad_in (resized to (N, C)) with the loss's gradient:
 *   ((1 - ls) w[y_n] (p_j - [j = y_n]) + ls / C (p_j sum_c w[c] - w[j])) / W. */
sfew_status sfew_cross_entropy_backward_opts(const sfew_tensor *in, const int64_t *target,
                                             int64_t n_target, const sfew_cross_entropy_opts *o,
                                             sfew_tensor *grad_in, sfew_err *err);
/* *count = rows whose first maximum is at the target class (for accuracy). */
sfew_status sfew_cross_entropy_correct(const sfew_tensor *in, const int64_t *target,
                                       int64_t n_target, int64_t *count, sfew_err *err);

#endif
