/* The plumbing the element-wise activations (ReLU, Sigmoid, Tanh, LeakyReLU, ELU) share:
 * shape checks, resizing the output and running a formula over ranges on several threads. Each
 * activation's own file holds just its formula. */
#ifndef SFEW_ELEMENTWISE_H
#define SFEW_ELEMENTWISE_H

#include "../tensor.h"

/* One element-wise pass: x the input, g the gradient (backward only), y the result, a the
 * activation's one parameter (LeakyReLU's slope, ELU's alpha; unused by the others). */
typedef struct sfew_ew {
    const float *x, *g;
    float *y;
    float a;
} sfew_ew;

/* Applies the formula to elements [lo, hi) of the pass. */
typedef void (*sfew_ew_range)(const sfew_ew *c, int64_t lo, int64_t hi);

/* Resizes out to in's shape (unless out is in: in place) and runs fwd over it. */
sfew_status sfew_ew_forward(const sfew_tensor *in, sfew_tensor *out, int threads,
                            sfew_ew_range fwd, sfew_err *err);
/* The same two passes for an activation with a parameter a (sfew_ew.a). */
sfew_status sfew_ew_forward_a(const sfew_tensor *in, sfew_tensor *out, float a, int threads,
                              sfew_ew_range fwd, sfew_err *err);
sfew_status sfew_ew_backward_a(const char *name, const sfew_tensor *in,
                               const sfew_tensor *grad_out, sfew_tensor *grad_in, float a,
                               int threads, sfew_ew_range bwd, sfew_err *err);
/* SFEW_ESHAPE, naming the layer, unless grad_out has in's shape. */
sfew_status sfew_ew_check(const char *name, const sfew_tensor *in, const sfew_tensor *grad_out,
                          sfew_err *err);
/* Checks, resizes grad_in (unless it is grad_out) and runs bwd over it. */
sfew_status sfew_ew_backward(const char *name, const sfew_tensor *in,
                             const sfew_tensor *grad_out, sfew_tensor *grad_in, int threads,
                             sfew_ew_range bwd, sfew_err *err);

#endif
