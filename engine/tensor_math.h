/* Element-wise arithmetic, reductions and the matrix product on tensors. */
#ifndef SFEW_TENSOR_MATH_H
#define SFEW_TENSOR_MATH_H

#include "tensor.h"

typedef enum { SFEW_ADD, SFEW_SUB, SFEW_MUL, SFEW_DIV } sfew_binop;

/* out = a op b with NumPy broadcasting (sizes equal or 1, aligned from the right).
 * Allocates *out; the caller owns it. */
sfew_status sfew_tensor_binary(sfew_binop op, const sfew_tensor *a, const sfew_tensor *b,
                               sfew_tensor **out, sfew_err *err);
/* out = a op s, or s op a when scalar_first. Allocates *out. */
sfew_status sfew_tensor_scalar(sfew_binop op, const sfew_tensor *a, float s, int scalar_first,
                               sfew_tensor **out, sfew_err *err);
/* In place: t = t op s. */
void sfew_tensor_scalar_(sfew_binop op, sfew_tensor *t, float s);
/* In place: y += alpha * x (same numel). */
sfew_status sfew_tensor_axpy(sfew_tensor *y, float alpha, const sfew_tensor *x, sfew_err *err);

typedef enum { SFEW_SQRT, SFEW_EXP, SFEW_LOG, SFEW_ABS, SFEW_POW, SFEW_CLAMP } sfew_unop;

/* out = f(a) element-wise; p and q are the exponent (POW) or the bounds (CLAMP).
 * Allocates *out. */
sfew_status sfew_tensor_unary(sfew_unop op, const sfew_tensor *a, float p, float q,
                              sfew_tensor **out, sfew_err *err);
/* out = the tensors of list (n of them, same sizes but the first) stacked along dim 1. */
sfew_status sfew_tensor_cat(const sfew_tensor *const *list, int n, sfew_tensor **out,
                            sfew_err *err);
/* out = the transpose of a 2-D tensor, copied. */
sfew_status sfew_tensor_transpose(const sfew_tensor *a, sfew_tensor **out, sfew_err *err);

/* Whole-tensor reductions, accumulated in double. max/min of an empty tensor is NaN. */
double sfew_tensor_sum(const sfew_tensor *t);
double sfew_tensor_max(const sfew_tensor *t);
double sfew_tensor_min(const sfew_tensor *t);
/* Flat 0-based index of the first maximum (-1 when empty). */
int64_t sfew_tensor_argmax_all(const sfew_tensor *t);

typedef enum { SFEW_RED_SUM, SFEW_RED_MEAN, SFEW_RED_MAX, SFEW_RED_MIN } sfew_reduce;

/* Reduces along dimension dim (0-based); out keeps the dimension with size 1.
 * With argidx non-NULL (max/min only) also writes 0-based positions as floats. */
sfew_status sfew_tensor_reduce_dim(sfew_reduce op, const sfew_tensor *t, int dim,
                                   sfew_tensor **out, sfew_tensor **argidx, sfew_err *err);

/* out (M x N) = a (M x K) * b (K x N); 2-D tensors only. Allocates *out. */
sfew_status sfew_tensor_matmul(const sfew_tensor *a, const sfew_tensor *b, sfew_tensor **out,
                               sfew_err *err);

/* 1 if every element is finite. */
int sfew_tensor_all_finite(const sfew_tensor *t);

#endif
