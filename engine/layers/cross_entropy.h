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
/* *count = rows whose first maximum is at the target class (for accuracy). */
sfew_status sfew_cross_entropy_correct(const sfew_tensor *in, const int64_t *target,
                                       int64_t n_target, int64_t *count, sfew_err *err);

#endif
