/* float32 N-d tensors: contiguous, row-major, with reference-counted storage so that
 * views (reshape, narrow along the first dimension) share memory safely. */
#ifndef SFEW_TENSOR_H
#define SFEW_TENSOR_H

#include <stdint.h>

#include "status.h"

#define SFEW_MAX_DIMS 8
/* No tensor may hold more elements than this (16 GiB of floats): a guard against
 * shapes read from corrupt files turning into absurd allocations. */
#define SFEW_MAX_NUMEL (INT64_C(1) << 32)

typedef struct sfew_storage sfew_storage; /* opaque: a refcounted float buffer */

/* Every tensor is contiguous: data points at numel floats inside storage.
 * Fields are read-only to callers; change them only through the functions below. */
typedef struct sfew_tensor {
    sfew_storage *storage;
    float *data;
    int ndim;
    int64_t shape[SFEW_MAX_DIMS];
    int64_t numel;
} sfew_tensor;

/* Sizes, indices and offsets are multiplied only through this: *out = a * b when a, b >= 0
 * and the product is at most limit (returns 0); otherwise returns 1, *out untouched. */
int sfew_size_mul(int64_t a, int64_t b, int64_t limit, int64_t *out);

/* Checks a shape: 0 <= ndim <= SFEW_MAX_DIMS, sizes >= 0, and the product of the nonzero
 * sizes within SFEW_MAX_NUMEL (so no product of a tensor's sizes can overflow, even for an
 * empty tensor). Writes the element count into *numel (may be NULL). */
sfew_status sfew_shape_check(int ndim, const int64_t *shape, int64_t *numel, sfew_err *err);

/* New zero-filled tensor; the caller owns *out and frees it with sfew_tensor_free. */
sfew_status sfew_tensor_new(int ndim, const int64_t *shape, sfew_tensor **out, sfew_err *err);
/* Same, for up to four dimensions given inline (unused trailing sizes ignored). */
sfew_status sfew_tensor_new4(int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                             sfew_tensor **out, sfew_err *err);
/* Releases the tensor and its reference on the storage; NULL does nothing. */
void sfew_tensor_free(sfew_tensor *t);

/* A new tensor of another shape over the same storage (one size may be -1). */
sfew_status sfew_tensor_reshape(const sfew_tensor *t, int ndim, const int64_t *shape,
                                sfew_tensor **out, sfew_err *err);
/* A view of rows [start, start+len) of the first dimension, sharing storage. */
sfew_status sfew_tensor_narrow(const sfew_tensor *t, int64_t start, int64_t len,
                               sfew_tensor **out, sfew_err *err);
/* A deep copy with its own storage. */
sfew_status sfew_tensor_clone(const sfew_tensor *t, sfew_tensor **out, sfew_err *err);

/* Gives t a new shape, reusing its storage when it is large enough and not shared,
 * otherwise allocating fresh storage (contents then undefined). Used for work buffers
 * that layers keep between calls, so a training loop does not allocate. */
sfew_status sfew_tensor_resize(sfew_tensor *t, int ndim, const int64_t *shape, sfew_err *err);
/* Points t at the storage of src (same numel required): t becomes a view of src. */
sfew_status sfew_tensor_set_storage(sfew_tensor *t, const sfew_tensor *src, sfew_err *err);

/* 1 if both have the same ndim and sizes. */
int sfew_tensor_same_shape(const sfew_tensor *a, const sfew_tensor *b);
/* Writes "2x3x4" into buf (at most size bytes, always terminated); returns buf. */
char *sfew_shape_str(int ndim, const int64_t *shape, char *buf, int size);
/* 1 if the two tensors' storage is the same buffer. */
int sfew_tensor_shares(const sfew_tensor *a, const sfew_tensor *b);
/* How many tensors hold a reference to t's storage (for tests of views). */
int sfew_tensor_refcount(const sfew_tensor *t);

void sfew_tensor_fill(sfew_tensor *t, float v);
/* Copies src's elements into dst in row-major order; SFEW_ESHAPE if numel differs. */
sfew_status sfew_tensor_copy(sfew_tensor *dst, const sfew_tensor *src, sfew_err *err);

/* Flat offset of a 0-based index tuple, or -1 with a message if out of range. */
int64_t sfew_tensor_offset(const sfew_tensor *t, int n, const int64_t *idx, sfew_err *err);

#endif
