/* Helpers shared by the layers that own parameters (linear, conv2d). Internal. */
#ifndef SFEW_LAYERS_PARAMS_H
#define SFEW_LAYERS_PARAMS_H

#include "../rng.h"
#include "../tensor.h"

/* Fills t uniformly in [-bound, bound) from rng (PyTorch's kaiming_uniform(a=sqrt 5)
 * for weights and its bias rule both reduce to bound = 1/sqrt(fan_in)). */
void sfew_fill_uniform(sfew_tensor *t, double bound, sfew_rng *rng);

/* Copies weight (and bias, may be NULL) into fresh tensors with zeroed gradients,
 * then swaps them into *w, *b, *gw, *gb, freeing the old ones. On failure nothing
 * changes. gb/b stay NULL when bias is NULL. */
sfew_status sfew_params_replace(const sfew_tensor *weight, const sfew_tensor *bias,
                                sfew_tensor **w, sfew_tensor **b, sfew_tensor **gw,
                                sfew_tensor **gb, sfew_err *err);

#endif
