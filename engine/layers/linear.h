/* Fully connected layer: out = in W^T + b, with W (O, I) as in PyTorch. */
#ifndef SFEW_LINEAR_H
#define SFEW_LINEAR_H

#include "../rng.h"
#include "../tensor.h"

typedef struct sfew_linear {
    int64_t in, out;          /* I and O */
    sfew_tensor *weight;      /* (O, I) */
    sfew_tensor *bias;        /* (O), or NULL without bias */
    sfew_tensor *grad_weight; /* (O, I) */
    sfew_tensor *grad_bias;   /* (O), or NULL */
} sfew_linear;

/* A layer with PyTorch's default initialisation: weight and bias uniform in
 * +-1/sqrt(in), drawn from rng (weight first, then bias). Gradients start at zero.
 * The caller owns *out (sfew_linear_free). */
sfew_status sfew_linear_create(int64_t in, int64_t out_features, int bias, sfew_rng *rng,
                               sfew_linear **out, sfew_err *err);
void sfew_linear_free(sfew_linear *l);
/* SFEW_ESHAPE unless in is 2-D (N, I). */
sfew_status sfew_linear_check(const sfew_linear *l, const sfew_tensor *in, sfew_err *err);
/* Resizes out to (N, O) and writes in W^T + b. Caches nothing: backward gets in again. */
sfew_status sfew_linear_forward(sfew_linear *l, const sfew_tensor *in, sfew_tensor *out,
                                sfew_err *err);
/* Adds into grad_weight/grad_bias; overwrites grad_in (resized to in's shape; may be NULL
 * when the input gradient is not wanted). grad_out is (N, O). */
sfew_status sfew_linear_backward(sfew_linear *l, const sfew_tensor *in,
                                 const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                 sfew_err *err);
/* Replaces the parameters by copies of weight (O', I') and bias ((O') or NULL when the
 * layer has none); gradients become zero tensors of the new shapes. */
sfew_status sfew_linear_set_params(sfew_linear *l, const sfew_tensor *weight,
                                   const sfew_tensor *bias, sfew_err *err);

#endif
