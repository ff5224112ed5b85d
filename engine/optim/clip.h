/* Gradient clipping by total norm, as torch.nn.utils.clip_grad_norm_ (1.13, norm_type 2;
 * Pascanu et al. 2013, Algorithm 1):
 *   total = || (||g_1||, ..., ||g_n||) ||,  coef = min(1, max_norm / (total + 1e-6)),
 *   g_i *= coef for every i. */
#ifndef SFEW_OPTIM_CLIP_H
#define SFEW_OPTIM_CLIP_H

#include "../status.h"
#include "../tensor.h"

/* Scales the n gradients in place (each may be any shape) and writes the total norm before
 * clipping into *total (may be NULL). SFEW_EINVAL unless max_norm >= 0; a NaN or infinite
 * total leaves the gradients multiplied by NaN or 0 as PyTorch does. */
sfew_status sfew_clip_grad_norm(int n, sfew_tensor *const *grads, double max_norm,
                                double *total, sfew_err *err);

#endif
