/* IDX files (the MNIST / Fashion-MNIST format), plain or gzipped. */
#ifndef SFEW_DATA_IDX_H
#define SFEW_DATA_IDX_H

#include <stdint.h>

#include "../status.h"
#include "../tensor.h"

#define SFEW_IDX_MAX_ELEMS (INT64_C(1) << 31)

/* Reads an IDX file of unsigned bytes (type code 0x08) with ndim dimensions into a new
 * float tensor the caller owns, each byte times scale (1/255 for images, 1 for labels).
 * Bad magic, a dimension count other than ndim, an absurd size or a short file is
 * SFEW_EIO with a message naming the file. Limits: every dimension and the element count
 * are at most 2^31 (SFEW_IDX_MAX_ELEMS); the body is read in growing steps, so a header
 * claiming more than the file holds fails after allocating about the file's size. */
sfew_status sfew_idx_read(const char *path, int ndim, float scale, sfew_tensor **out,
                          sfew_err *err);

#endif
