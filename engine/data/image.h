/* Images: decoding through stb_image (PNG, JPEG, BMP, GIF, TGA), ITU-R 601 luma,
 * area-style resizing, CHW floats in [0, 1]; PNG writing; many files in parallel. */
#ifndef SFEW_DATA_IMAGE_H
#define SFEW_DATA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../status.h"
#include "../tensor.h"

/* Images with more pixels than this are refused before decoding (a 64-megapixel frame
 * is far beyond any face data set, and the guard keeps a hostile header from turning
 * into a multi-gigabyte allocation). */
#define SFEW_IMAGE_MAX_PIXELS (INT64_C(1) << 26)
/* Files larger than this are refused before they are read. */
#define SFEW_IMAGE_MAX_BYTES (INT64_C(1) << 28)

typedef struct sfew_image_opts {
    int width, height; /* output size; 0 keeps the file's size (single loads only) */
    int gray;          /* 1: one luma channel; 0: three RGB channels */
    int64_t max_pixels; /* 0 means SFEW_IMAGE_MAX_PIXELS */
} sfew_image_opts;

/* ITU-R BT.601 luma of n interleaved RGB pixels: gray[i] = 0.299 R + 0.587 G + 0.114 B. */
void sfew_image_luma(const float *rgb, int64_t n, float *gray /* out (n) */);

/* Area-style resize of an interleaved (h, w, c) float image to (oh, ow, c): a box filter,
 * so an integer-ratio shrink averages whole blocks (720x576 -> 90x72 takes 8x8 means). */
sfew_status sfew_image_resize(const float *in, int w, int h, int c, float *out, int ow, int oh,
                              sfew_err *err);

/* Decodes the file at path into a new (C, H, W) tensor in [0, 1] that the caller owns.
 * SFEW_EIO for a missing, unreadable, oversized or undecodable file (the message names it). */
sfew_status sfew_image_load(const char *path, const sfew_image_opts *o, sfew_tensor **out,
                            sfew_err *err);

/* Checks a PNG (other formats pass) before stb_image sees it: every chunk must fit in the
 * file and the image data must not inflate past the size its header implies. SFEW_EIO
 * naming name otherwise. Called by the loaders; bounded memory (a 16 KiB scratch). */
sfew_status sfew_image_png_check(const unsigned char *buf, size_t len, const char *name,
                                 sfew_err *err);

/* Decodes len bytes of an image file held in memory (name is used in messages) into a new
 * (C, H, W) tensor the caller owns, resized to o->width x o->height (0 keeps the image's
 * side). The same checks as sfew_image_load: SFEW_EIO for empty, undecodable or oversized
 * (> max_pixels) data, refused before any pixel buffer is allocated. */
sfew_status sfew_image_decode_memory(const unsigned char *buf, size_t len, const char *name,
                                     const sfew_image_opts *o, sfew_tensor **out, sfew_err *err);

/* Decodes into out, which holds C*height*width floats (C = 1 if gray, else 3);
 * o->width and o->height must be set. Thread-safe apart from stb's failure text. */
sfew_status sfew_image_load_into(const char *path, const sfew_image_opts *o, float *out,
                                 sfew_err *err);

/* Decodes n files into a new (n, C, height, width) tensor, in parallel over threads.
 * Without skip_bad the first bad file (lowest index) fails the call, naming it. With
 * skip_bad the good images are packed in order; keep[i] (out, n entries) says which
 * stayed and *nbad how many did not. */
sfew_status sfew_image_load_many(const char *const *paths, int64_t n, const sfew_image_opts *o,
                                 int threads, int skip_bad, sfew_tensor **out, char *keep,
                                 int64_t *nbad, sfew_err *err);

/* Writes a (C, H, W) tensor, C = 1 or 3, values clamped to [0, 1], as PNG, through
 * io/atomic.h: a reader never sees half a file; a device or FIFO is written in place. */
sfew_status sfew_image_write_png(const sfew_tensor *t, const char *path, sfew_err *err);
/* The same from interleaved 8-bit pixels (h, w, c). sync = 0 skips the fsync, for many
 * files published together by renaming their folder (the synthetic set). */
sfew_status sfew_image_write_png8(const unsigned char *px, int w, int h, int c, const char *path,
                                  int sync, sfew_err *err);

#endif
