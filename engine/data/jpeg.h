/* JPEG decoding through libjpeg-turbo. Debian's stb_image aborts on an assertion for some
 * corrupt JPEG Huffman streams, so JPEG files never reach it; libjpeg reports a corrupt
 * stream as an error, and decodes the same pixels as the libjpeg other tools use. */
#ifndef SFEW_DATA_JPEG_H
#define SFEW_DATA_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "../status.h"

/* True when buf starts like a JPEG file: 0xFF fill bytes, then the SOI marker. */
int sfew_jpeg_is(const unsigned char *buf, size_t len);

/* Decodes the JPEG in buf (named name in messages) to interleaved bytes (h, w, want) with
 * want = 1 (a gray file kept gray) or 3 (RGB). The size is read from the header and
 * checked against limit pixels before anything is allocated. *comp gets the file's
 * component count. On success the caller frees *out with free(). Any libjpeg warning
 * (a truncated or damaged stream) counts as an error: SFEW_EIO, nothing allocated. gray:
 * when set and the file is gray, want is 1, else 3 (written to *want). */
sfew_status sfew_jpeg_decode(const unsigned char *buf, size_t len, const char *name,
                             int64_t limit, int gray, unsigned char **out, int *w, int *h,
                             int *want, sfew_err *err);

#endif
