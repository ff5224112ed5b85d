/* ELU activation, element-wise on any shape: x for x > 0, alpha * (exp(x) - 1) otherwise,
 * as torch.nn.ELU(alpha) (Clevert et al. 2016, eq. 15). Stateless: backward recomputes
 * from the input. */
#ifndef SFEW_ELU_H
#define SFEW_ELU_H

#include "../tensor.h"

/* SFEW_EINVAL unless alpha is finite (PyTorch's default is 1). */
sfew_status sfew_elu_check_alpha(double alpha, sfew_err *err);
/* Resizes out to in's shape (out may be in: in place) and writes the activation. */
sfew_status sfew_elu_forward(const sfew_tensor *in, sfew_tensor *out, double alpha,
                             int threads, sfew_err *err);
/* SFEW_ESHAPE unless grad_out has in's shape. */
sfew_status sfew_elu_check(const sfew_tensor *in, const sfew_tensor *grad_out, sfew_err *err);
/* Overwrites grad_in (resized to in's shape; may be grad_out itself) with grad_out for
 * x > 0 and grad_out * alpha * exp(x) otherwise. */
sfew_status sfew_elu_backward(const sfew_tensor *in, const sfew_tensor *grad_out,
                              sfew_tensor *grad_in, double alpha, int threads, sfew_err *err);

#endif
