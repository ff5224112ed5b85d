/* Helpers shared by the layers that own parameters (linear, conv2d, batchnorm). Internal. */
#ifndef SFEW_LAYERS_PARAMS_H
#define SFEW_LAYERS_PARAMS_H

#include "../rng.h"
#include "../tensor.h"

/* Fills t uniformly in [-bound, bound) from rng (PyTorch's kaiming_uniform(a=sqrt 5)
 * for weights and its bias rule both reduce to bound = 1/sqrt(fan_in)). */
void sfew_fill_uniform(sfew_tensor *t, double bound, sfew_rng *rng);

/* PyTorch's default initialisation of a layer with fan_in inputs per output: weight and
 * bias (may be NULL) uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)), weight first. */
void sfew_params_init(sfew_tensor *weight, sfew_tensor *bias, int64_t fan_in, sfew_rng *rng);

/* Makes a zeroed weight of the given shape and its gradient in *w, *gw, and with nbias > 0
 * a zeroed (nbias) bias and its gradient in *b, *gb (left as they are with nbias 0). On
 * failure frees what it made and leaves the pointers NULL. */
sfew_status sfew_params_new(int ndim, const int64_t *shape, int64_t nbias, sfew_tensor **w,
                            sfew_tensor **b, sfew_tensor **gw, sfew_tensor **gb,
                            sfew_err *err);

/* sfew_params_replace after checking that bias is given exactly when the layer has one
 * (*b) and is (O) for a weight of O rows; fname names the caller in the messages. */
sfew_status sfew_params_set(const char *fname, const sfew_tensor *weight,
                            const sfew_tensor *bias, sfew_tensor **w, sfew_tensor **b,
                            sfew_tensor **gw, sfew_tensor **gb, sfew_err *err);

/* Frees a layer's weight, bias and their gradients (any may be NULL). */
void sfew_params_free(sfew_tensor *w, sfew_tensor *b, sfew_tensor *gw, sfew_tensor *gb);

/* Copies weight (and bias, may be NULL) into fresh tensors with zeroed gradients,
 * then swaps them into *w, *b, *gw, *gb, freeing the old ones. On failure nothing
 * changes. gb/b stay NULL when bias is NULL. */
sfew_status sfew_params_replace(const sfew_tensor *weight, const sfew_tensor *bias,
                                sfew_tensor **w, sfew_tensor **b, sfew_tensor **gw,
                                sfew_tensor **gb, sfew_err *err);

#endif
