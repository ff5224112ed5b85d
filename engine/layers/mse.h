/* Mean squared error, mean over all elements (PyTorch's MSELoss). Stateless. */
#ifndef SFEW_MSE_H
#define SFEW_MSE_H

#include "../tensor.h"

/* SFEW_ESHAPE unless target has in's shape. */
sfew_status sfew_mse_check(const sfew_tensor *in, const sfew_tensor *target, sfew_err *err);
/* *loss = mean((in - target)^2), accumulated in double. */
sfew_status sfew_mse_forward(const sfew_tensor *in, const sfew_tensor *target, double *loss,
                             sfew_err *err);
/* Overwrites grad_in (resized to in's shape) with 2 (in - target) / numel. */
sfew_status sfew_mse_backward(const sfew_tensor *in, const sfew_tensor *target,
                              sfew_tensor *grad_in, sfew_err *err);

#endif
