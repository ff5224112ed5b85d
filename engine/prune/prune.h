/* Pruning primitives on tensors: angles between hidden units (distinctiveness, Gedeon
 * and Harris), kernel importance (the paper's eq. in sect. 2.3), and the surgery that
 * removes units or channels while folding what they contributed into biases. The
 * layer-level policy (which layer, which unit) lives in scripts/sfew/prune.lua. */
#ifndef SFEW_PRUNE_H
#define SFEW_PRUNE_H

#include "../tensor.h"

/* acts (P x U): each unit's outputs over P patterns. Writes angles (U x U, allocated,
 * caller owns) in degrees, 0..180, between the units' vectors centred at `center`
 * (0.5 for sigmoid units). A unit whose outputs vary by no more than const_tol over the
 * patterns is dead (constant): dead[u] = 1 (dead has U entries), and its angles are NaN.
 * The diagonal is 0 for live units. */
sfew_status sfew_prune_unit_angles(const sfew_tensor *acts, float center, float const_tol,
                                   sfew_tensor **angles, unsigned char *dead, sfew_err *err);

/* weight (K x ...): importance of each of the K kernels, sqrt(mean of squared weights):
 * the paper's I = sqrt(1/k^2 sum a^2), generalised to several input channels.
 * Writes *out (K), allocated. */
sfew_status sfew_prune_kernel_importance(const sfew_tensor *weight, sfew_tensor **out,
                                         sfew_err *err);

/* A copy of t without the rows of its first dimension flagged in drop (shape[0] flags).
 * Allocates *out. */
sfew_status sfew_prune_drop_rows(const sfew_tensor *t, const unsigned char *drop,
                                 sfew_tensor **out, sfew_err *err);

/* w (O x C x G, any shape whose first dim is O and numel O*C*G) and b (O): removes the
 * input groups flagged in drop (C flags). Each removed input c is taken to carry the
 * constant value[c] (may be NULL: all zero) over its G positions, so b[o] gains
 * value[c] * sum_g w[o, c, g]: exact for a constant input map (conv with no padding, or a
 * Linear after Flatten). Allocates *w_out (O x C' x rest, first dims as w) and *b_out. */
sfew_status sfew_prune_remove_inputs(const sfew_tensor *w, const sfew_tensor *b, int64_t C,
                                     const unsigned char *drop, const float *value,
                                     sfew_tensor **w_out, sfew_tensor **b_out, sfew_err *err);

/* w2 (O x H) and b2 (O), the layer after a hidden layer: merges hidden unit `drop` into
 * unit `keep` in place. Similar units (complementary = 0): w2[:, keep] += w2[:, drop].
 * Complementary sigmoid units (a_drop = 1 - a_keep): w2[:, keep] -= w2[:, drop] and
 * b2 += w2[:, drop]. Column `drop` is left for sfew_prune_remove_inputs to take out. */
sfew_status sfew_prune_merge_unit(sfew_tensor *w2, sfew_tensor *b2, int64_t keep, int64_t drop,
                                  int complementary, sfew_err *err);

#endif
