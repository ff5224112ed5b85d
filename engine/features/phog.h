/* Pyramid Histogram of Oriented Gradients (Bosch, Zisserman and Munoz, 2007): histograms
 * of edge orientation, weighted by gradient magnitude, over a spatial pyramid. */
#ifndef SFEW_FEATURES_PHOG_H
#define SFEW_FEATURES_PHOG_H

#include "../tensor.h"

typedef struct sfew_phog_opts {
    int bins;   /* orientation bins (default 8) */
    int levels; /* pyramid levels 0..levels (default 3): level l has 2^l x 2^l cells */
    int angle;  /* 180 (unsigned orientation, default) or 360 (signed) */
} sfew_phog_opts;

/* Fills o with the defaults above. */
void sfew_phog_opts_default(sfew_phog_opts *o);

/* Descriptor length: bins * (1 + 4 + ... + 4^levels). */
int64_t sfew_phog_size(const sfew_phog_opts *o);

/* Checks o: bins in 1..360, levels in 0..6, angle 180 or 360. */
sfew_status sfew_phog_check(const sfew_phog_opts *o, sfew_err *err);

/* Descriptors of the image(s) x ((H, W), (1, H, W) or (N, 1, H, W)) into out, (D) or
 * (N, D) with D = sfew_phog_size(o). Gradients are central differences (one-sided at
 * the border, as MATLAB's gradient). With angle 180 a pixel's orientation is that of
 * its edge, atan(gy/gx) + 90 degrees in [0, 180) (a vertical edge is 90); with 360 it
 * is atan2(gy, gx) + 180 in [0, 360). Bin b (0-based) holds [b, b+1) * angle / bins.
 * Level 0 comes first, then each level's cells row-major (cell of pixel (i, j) at level
 * l: (i 2^l / H, j 2^l / W)); the whole vector sums to 1 (all zero for a flat image). */
sfew_status sfew_phog_forward(const sfew_tensor *x, const sfew_phog_opts *o, sfew_tensor *out,
                              int threads, sfew_err *err);

#endif
