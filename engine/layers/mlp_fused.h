/* One training step of a small Linear -> Sigmoid -> Linear network under MSELoss in one
 * call: forward, loss and every gradient, with the activations kept feature-major so each
 * inner loop runs over the batch (vectorised, no per-element branches). The optimiser
 * step stays the caller's. Made for the PIC autoencoder (N -> 10 -> N, a few hundred
 * rows), where the per-layer calls cost more than the arithmetic. */
#ifndef SFEW_MLP_FUSED_H
#define SFEW_MLP_FUSED_H

#include "../status.h"
#include "../tensor.h"
#include "linear.h"

/* SFEW_ESHAPE unless x is (N, I) with I = l1->in, l1->out = l2->in, y is (N, l2->out),
 * N >= 1, and both layers have a bias. */
sfew_status sfew_mlp_fused_check(const sfew_linear *l1, const sfew_linear *l2,
                                 const sfew_tensor *x, const sfew_tensor *y, sfew_err *err);
/* Writes the mean squared error of l2(sigmoid(l1(x))) against y into *loss and
 * OVERWRITES the four parameter gradients with its gradient (as zero_grad followed by a
 * backward pass would). work is resized to hold the activations (no allocation after the
 * first step of a given size). The same numbers as the layer-by-layer path to rounding. */
sfew_status sfew_mlp_fused_step(sfew_linear *l1, sfew_linear *l2, const sfew_tensor *x,
                                const sfew_tensor *y, sfew_tensor *work, double *loss,
                                sfew_err *err);

#endif
