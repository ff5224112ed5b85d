/* Rearranging tensors along any dimension: permute, transpose of two dimensions, narrow,
 * select and index. Tensors are always contiguous, so each result is a new contiguous
 * tensor: a view sharing storage where the picked elements are already one contiguous
 * run (narrow/select on the first dimension), otherwise a copy with its own storage.
 * Dimensions and indices are 0-based here (the bindings turn Lua's 1-based ones). */
#ifndef SFEW_TENSOR_VIEW_H
#define SFEW_TENSOR_VIEW_H

#include "tensor.h"

/* perm holds t->ndim distinct dimensions, 0..ndim-1: out dimension i is t's dimension
 * perm[i]. Writes *out (a copy, caller owns). SFEW_EINVAL on a bad perm. */
sfew_status sfew_tensor_permute(const sfew_tensor *t, const int *perm, sfew_tensor **out,
                                sfew_err *err);

/* t with dimensions d1 and d2 swapped (d1 == d2 gives a copy). Writes *out (a copy). */
sfew_status sfew_tensor_transpose_dims(const sfew_tensor *t, int d1, int d2, sfew_tensor **out,
                                       sfew_err *err);

/* Elements start..start+len-1 of dimension dim, other dimensions whole. Writes *out: a
 * view sharing storage when dim is 0, a copy otherwise. */
sfew_status sfew_tensor_narrow_dim(const sfew_tensor *t, int dim, int64_t start, int64_t len,
                                   sfew_tensor **out, sfew_err *err);

/* Slice i of dimension dim, that dimension removed (ndim - 1 dimensions). Writes *out: a
 * view when dim is 0, a copy otherwise. */
sfew_status sfew_tensor_select_dim(const sfew_tensor *t, int dim, int64_t i, sfew_tensor **out,
                                   sfew_err *err);

/* The n slices idx[0..n-1] of dimension dim, in that order (repeats allowed): dimension
 * dim of *out has size n. Writes *out (a copy). */
sfew_status sfew_tensor_index_dim(const sfew_tensor *t, int dim, int64_t n, const int64_t *idx,
                                  sfew_tensor **out, sfew_err *err);

#endif
