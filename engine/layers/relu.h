/* ReLU activation, element-wise on any shape: max(x, 0). Stateless, so there is no
 * _create/_free: backward recomputes what it needs from the input. */
#ifndef SFEW_RELU_H
#define SFEW_RELU_H

#include "../tensor.h"

/* Resizes out to in's shape and writes the activation. out may be in itself (in place:
 * then nothing is resized). */
sfew_status sfew_relu_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                              sfew_err *err);
/* SFEW_ESHAPE unless grad_out has in's shape. */
sfew_status sfew_relu_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                            sfew_err *err);
/* Overwrites grad_in (resized to in's shape; may be grad_out itself) with
 * grad_out * drelu/dx at in. */
sfew_status sfew_relu_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                               sfew_tensor *grad_in, int threads, sfew_err *err);

#endif
