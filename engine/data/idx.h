/* IDX files (the MNIST / Fashion-MNIST format), plain or gzipped. */
#ifndef SFEW_DATA_IDX_H
#define SFEW_DATA_IDX_H

#include "../status.h"
#include "../tensor.h"

/* Reads an IDX file of unsigned bytes (type code 0x08) with ndim dimensions into a new
 * float tensor the caller owns, each byte times scale (1/255 for images, 1 for labels).
 * Bad magic, a dimension count other than ndim, an absurd size or a short file is
 * SFEW_EIO with a message naming the file. */
sfew_status sfew_idx_read(const char *path, int ndim, float scale, sfew_tensor **out,
                          sfew_err *err);

#endif
