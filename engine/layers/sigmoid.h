/* Sigmoid activation, element-wise on any shape: 1 / (1 + exp(-x)). Stateless, so there is no
 * _create/_free: backward recomputes what it needs from the input. */
#ifndef SFEW_SIGMOID_H
#define SFEW_SIGMOID_H

#include "../tensor.h"

/* Resizes out to in's shape and writes the activation. out may be in itself (in place:
 * then nothing is resized). */
sfew_status sfew_sigmoid_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                                 sfew_err *err);
/* SFEW_ESHAPE unless grad_out has in's shape. */
sfew_status sfew_sigmoid_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                               sfew_err *err);
/* Overwrites grad_in (resized to in's shape; may be grad_out itself) with
 * grad_out * dsigmoid/dx at in. */
sfew_status sfew_sigmoid_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                                  sfew_tensor *grad_in, int threads, sfew_err *err);

#endif
