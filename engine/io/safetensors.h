/* Checkpoints in the safetensors format: an unsigned 64-bit little-endian header length,
 * a JSON header {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}},
 * then the raw little-endian tensor bytes. */
#ifndef SFEW_SAFETENSORS_H
#define SFEW_SAFETENSORS_H

#include <stdint.h>

#include "../status.h"
#include "../tensor.h"

/* Default per-tensor limit on the float32 bytes a load may allocate (1 GiB). */
#define SFEW_SAFETENSORS_MAX_BYTES (INT64_C(1) << 30)
/* Headers above this are refused, as the reference implementation does (100 MB). */
#define SFEW_SAFETENSORS_MAX_HEADER (INT64_C(100) * 1000 * 1000)

/* What a file holds, in header order. Owned by whoever loaded it. */
typedef struct sfew_safetensors {
    int n;                 /* tensors */
    char **names;          /* n names */
    sfew_tensor **tensors; /* n float32 tensors */
    int n_meta;            /* "__metadata__" entries */
    char **keys, **values; /* n_meta strings each */
} sfew_safetensors;

/* Reads and validates path. Accepts F32, and converts F64, F16, BF16, I64 and I32 to
 * float32; refuses other dtypes. A tensor needing more than max_bytes bytes as float32 is
 * refused (max_bytes <= 0 means SFEW_SAFETENSORS_MAX_BYTES). The caller owns *out
 * (sfew_safetensors_free). Every problem with the file, including a corrupt header, is
 * SFEW_EIO with a message naming the file; SFEW_ENOMEM if memory runs out. */
sfew_status sfew_safetensors_load(const char *path, int64_t max_bytes, sfew_safetensors **out,
                                  sfew_err *err);
void sfew_safetensors_free(sfew_safetensors *st);

/* Writes n float32 tensors (names must be distinct, non-empty, not "__metadata__") and
 * n_meta metadata strings to path, in the given order, the header padded with spaces to a
 * multiple of 8 bytes, through atomic.h: an interrupted save leaves any previous file
 * intact, and a device or FIFO at path is written in place. SFEW_EINVAL on bad names,
 * SFEW_EIO (naming the file) when writing fails. */
sfew_status sfew_safetensors_save(const char *path, int n, const char *const *names,
                                  const sfew_tensor *const *tensors, int n_meta,
                                  const char *const *keys, const char *const *values,
                                  sfew_err *err);

#endif
