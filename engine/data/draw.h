/* Drawing on (C, H, W) images, for contact sheets: pasting tiles and writing labels. */
#ifndef SFEW_DATA_DRAW_H
#define SFEW_DATA_DRAW_H

#include "../status.h"
#include "../tensor.h"

/* Copies src (C, h, w) into dst (C, H, W) with its top-left corner at row y, column x
 * (0-based; the part outside dst is cut off). A one-channel src goes into every channel
 * of a three-channel dst. */
sfew_status sfew_draw_paste(sfew_tensor *dst, const sfew_tensor *src, int64_t y, int64_t x,
                            sfew_err *err);
/* Writes text (ASCII, '\n' breaks lines) into dst (C, H, W) with stb_easy_font's bitmap
 * letters, each font pixel scale x scale image pixels, top-left at (y, x), in colour rgb
 * (the first channel only for C = 1). */
sfew_status sfew_draw_text(sfew_tensor *dst, const char *text, int64_t y, int64_t x, int scale,
                           const float rgb[3], sfew_err *err);

#endif
