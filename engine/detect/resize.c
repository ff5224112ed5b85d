/* OpenCV's INTER_LINEAR_EXACT for one 8-bit channel: source coordinates in double,
 * weights rounded to 8 fractional bits, rows interpolated exactly in 16.16 fixed point and
 * rounded once. The cascade's pyramid levels must match OpenCV's pixel for pixel, or the
 * windows found at scales other than 1 drift. */
#include "cascade.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* For each destination index: the left source index and the right weight (0..256), with
 * lo/hi marking where the sample falls off the left or right edge. */
static void coeffs(int ssize, int dsize, int *ofs, int *w1, int *lo, int *hi)
{
    double scale = 1.0 / ((double)dsize / (double)ssize);
    *lo = 0, *hi = dsize;
    for (int d = 0; d < dsize; d++) {
        double pos = scale * ((double)d + 0.5);
        pos = pos - 0.5;
        int i = (int)floor(pos);
        ofs[d] = 0, w1[d] = 0;
        if (i >= 0 && ssize > 1) {
            if (i < ssize - 1) {
                ofs[d] = i;
                w1[d] = (int)lrint((pos - (double)i) * 256.0);
            } else {
                ofs[d] = ssize - 1;
                if (d < *hi)
                    *hi = d;
            }
        } else if (d + 1 > *lo) {
            *lo = d + 1;
        }
    }
}

/* One source row to dw values with 8 fractional bits. */
static void hline(const uint8_t *s, int sw, const int *ofs, const int *w1, int lo, int hi,
                  int dw, uint32_t *out)
{
    int d = 0;
    for (; d < lo && d < dw; d++)
        out[d] = (uint32_t)s[0] << 8;
    for (; d < hi; d++)
        out[d] = (uint32_t)((256 - w1[d]) * s[ofs[d]] + w1[d] * s[ofs[d] + 1]);
    for (; d < dw; d++)
        out[d] = (uint32_t)s[sw - 1] << 8;
}

sfew_status sfew_detect_resize(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw,
                               int dh, sfew_err *err)
{
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1)
        return sfew_fail(err, SFEW_EINVAL, "detect_resize: sizes %dx%d -> %dx%d", sw, sh, dw,
                         dh);
    if (sw == dw && sh == dh) {
        memcpy(dst, src, (size_t)sw * (size_t)sh);
        return SFEW_OK;
    }
    int *xo = calloc((size_t)dw * 2 + (size_t)dh * 2, sizeof *xo);
    uint32_t *line = calloc((size_t)dw * 2, sizeof *line);
    if (!xo || !line) {
        free(xo);
        free(line);
        return sfew_fail(err, SFEW_ENOMEM, "detect_resize: out of memory");
    }
    int *xw = xo + dw, *yo = xw + dw, *yw = yo + dh;
    int xlo, xhi, ylo, yhi;
    coeffs(sw, dw, xo, xw, &xlo, &xhi);
    coeffs(sh, dh, yo, yw, &ylo, &yhi);
    uint32_t *a = line, *b = line + dw;
    int have = -2; /* the source row held in a (b holds have + 1) */
    for (int y = 0; y < dh; y++) {
        uint8_t *o = dst + (size_t)y * dw;
        if (y < ylo || y >= yhi) {
            hline(src + (size_t)(y < ylo ? 0 : sh - 1) * sw, sw, xo, xw, xlo, xhi, dw, a);
            have = -2;
            for (int x = 0; x < dw; x++)
                o[x] = (uint8_t)((a[x] + 128) >> 8);
            continue;
        }
        int r = yo[y];
        if (have != r) {
            if (have == r - 1) {
                uint32_t *t = a;
                a = b, b = t;
            } else {
                hline(src + (size_t)r * sw, sw, xo, xw, xlo, xhi, dw, a);
            }
            hline(src + (size_t)(r + 1) * sw, sw, xo, xw, xlo, xhi, dw, b);
            have = r;
        }
        uint32_t c1 = (uint32_t)yw[y], c0 = 256 - c1;
        for (int x = 0; x < dw; x++)
            o[x] = (uint8_t)((a[x] * c0 + b[x] * c1 + 32768) >> 16);
    }
    free(xo);
    free(line);
    return SFEW_OK;
}
