/* Dropout (Srivastava et al. 2014) as torch.nn.Dropout and Dropout2d: in training each
 * element (Dropout) or each whole channel plane (Dropout2d, Tompson et al. 2015) is zeroed
 * with probability p and the survivors are scaled by 1 / (1 - p); in evaluation the layer
 * is the identity. The mask comes from a generator the caller passes. */
#ifndef SFEW_DROPOUT_H
#define SFEW_DROPOUT_H

#include "../rng.h"
#include "../tensor.h"

typedef struct sfew_dropout {
    double p;          /* drop probability in [0, 1] */
    int planes;        /* 1: Dropout2d (one draw per (n, c) plane); 0: one per element */
    int training;      /* 0: identity */
    float *mask;       /* cache: 0 or 1 / (1 - p) per element or plane of the last forward */
    int64_t mask_cap;
    int cached_training; /* cache: whether the last forward drew a mask */
    int ndim_in;       /* cache: the input shape the mask belongs to (0 = none yet) */
    int64_t in_shape[SFEW_MAX_DIMS];
} sfew_dropout;

/* p in [0, 1]; planes 0 for Dropout, 1 for Dropout2d. Starts in training mode. Caller owns
 * *out. */
sfew_status sfew_dropout_create(double p, int planes, sfew_dropout **out, sfew_err *err);
void sfew_dropout_free(sfew_dropout *l);
/* SFEW_ESHAPE unless in is (N, C, H, W) for Dropout2d; Dropout takes any shape. */
sfew_status sfew_dropout_check(const sfew_dropout *l, const sfew_tensor *in, sfew_err *err);
/* Resizes out to in's shape (out may be in: in place). In training draws the mask from rng
 * (uniform < p drops; one draw per element or plane, in row-major order) and caches it;
 * in evaluation copies. rng may be NULL in evaluation. */
sfew_status sfew_dropout_forward(sfew_dropout *l, const sfew_tensor *in, sfew_tensor *out,
                                 sfew_rng *rng, sfew_err *err);
/* Overwrites grad_in (resized to in's shape; may be grad_out) with grad_out times the
 * cached mask, or a copy after an evaluation forward. in must have the shape of the last
 * forward's input. */
sfew_status sfew_dropout_backward(sfew_dropout *l, const sfew_tensor *in,
                                  const sfew_tensor *grad_out, sfew_tensor *grad_in,
                                  sfew_err *err);

#endif
