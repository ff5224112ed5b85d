/* Local Phase Quantization (Ojansivu and Heikkila, 2008): the phase of a short-term
 * Fourier transform over an M x M window at four low frequencies, quantised into an
 * 8-bit code per pixel, histogrammed per image (or per cell of a grid). */
#ifndef SFEW_FEATURES_LPQ_H
#define SFEW_FEATURES_LPQ_H

#include "../tensor.h"

typedef struct sfew_lpq_opts {
    int window;      /* M, odd, >= 3 (default 7); frequency a = 1/M */
    int grid_rows;   /* cells per column and row of the code map (default 1 x 1) */
    int grid_cols;
    int decorrelate; /* whiten the 8 coefficients before quantising (default 0) */
    double rho;      /* correlation of neighbouring pixels for the whitening (0.9) */
} sfew_lpq_opts;

/* Fills o with the defaults above. */
void sfew_lpq_opts_default(sfew_lpq_opts *o);

/* Descriptor length: 256 * grid_rows * grid_cols. */
int64_t sfew_lpq_size(const sfew_lpq_opts *o);

/* Checks o against images of h x w pixels: M odd in 3..h and 3..w, grid sizes within
 * 1..the code map's sides, rho in (0, 1). */
sfew_status sfew_lpq_check(const sfew_lpq_opts *o, int64_t h, int64_t w, sfew_err *err);

/* The code map of one image img (H, W): out (H-M+1, W-M+1) holds each pixel's code
 * 0..255 (as floats) for the window centred on it ("valid" positions only). Bit 2j
 * is set when the real part of the j-th coefficient is positive, bit 2j+1 the
 * imaginary part, for the frequencies (vertical, horizontal) = (0, a), (a, 0), (a, a),
 * (a, -a). Coefficients within rounding noise of 0 count as not positive, so a
 * constant image has code 0 everywhere. */
sfew_status sfew_lpq_codes(const sfew_tensor *img, const sfew_lpq_opts *o, sfew_tensor *out,
                           sfew_err *err);

/* Descriptors of the image(s) x ((H, W), (1, H, W) or (N, 1, H, W)) into out, (D) or
 * (N, D) with D = sfew_lpq_size(o): one 256-bin histogram of codes per grid cell
 * (cells row-major), each normalised to sum 1. Uses up to `threads` threads. */
sfew_status sfew_lpq_forward(const sfew_tensor *x, const sfew_lpq_opts *o, sfew_tensor *out,
                             int threads, sfew_err *err);

#endif
