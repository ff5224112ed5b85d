/* LeakyReLU activation, element-wise on any shape: x for x > 0, slope * x otherwise, as
 * torch.nn.LeakyReLU(negative_slope). Stateless: backward recomputes from the input. */
#ifndef SFEW_LEAKY_RELU_H
#define SFEW_LEAKY_RELU_H

#include "../tensor.h"

/* SFEW_EINVAL unless slope is finite (PyTorch's default is 0.01). */
sfew_status sfew_leaky_relu_check_slope(double slope, sfew_err *err);
/* Resizes out to in's shape (out may be in: in place) and writes the activation. */
sfew_status sfew_leaky_relu_forward(const sfew_tensor *in, sfew_tensor *out, double slope,
                                    int threads, sfew_err *err);
/* SFEW_ESHAPE unless grad_out has in's shape. */
sfew_status sfew_leaky_relu_check(const sfew_tensor *in, const sfew_tensor *grad_out,
                                  sfew_err *err);
/* Overwrites grad_in (resized to in's shape; may be grad_out itself) with grad_out for
 * x > 0 and slope * grad_out otherwise (PyTorch's choice at x = 0). */
sfew_status sfew_leaky_relu_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                                     sfew_tensor *grad_in, double slope, int threads,
                                     sfew_err *err);

#endif
