/* Unfolding an image into the columns of a matrix product, and folding back. Internal
 * to conv2d. */
#ifndef SFEW_IM2COL_H
#define SFEW_IM2COL_H

#include <stdint.h>

typedef struct sfew_conv_geom {
    int64_t C, H, W, k, stride, pad, OH, OW;
} sfew_conv_geom;

/* col (C*k*k, OH*OW) from img (C, H, W); zeros where the window hangs over the edge. */
void sfew_im2col(const sfew_conv_geom *g, const float *img, float *col);
/* img (C, H, W) += the columns folded back (each entry adds to the pixel it came from). */
void sfew_col2im(const sfew_conv_geom *g, const float *col, float *img);

#endif
