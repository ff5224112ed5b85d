/* im2col and col2im for conv2d. The inner loops run over one output row, which is a
 * plain copy when the stride is 1, so the hot path has no per-element branches. */
#include "im2col.h"

#include <string.h>

/* Output columns ow whose input column ow*s - p + kj lies inside [0, W): [*lo, *hi). */
static void valid_range(const sfew_conv_geom *g, int64_t kj, int64_t *lo, int64_t *hi)
{
    int64_t a = g->pad - kj; /* ow*s >= a */
    int64_t b = g->W + g->pad - kj; /* ow*s < b */
    *lo = a <= 0 ? 0 : (a + g->stride - 1) / g->stride;
    *hi = b <= 0 ? 0 : (b + g->stride - 1) / g->stride;
    if (*hi > g->OW)
        *hi = g->OW;
    if (*lo > *hi)
        *lo = *hi;
}

void sfew_im2col(const sfew_conv_geom *g, const float *img, float *col)
{
    int64_t plane = g->OH * g->OW;
    for (int64_t c = 0; c < g->C; c++)
        for (int64_t ki = 0; ki < g->k; ki++)
            for (int64_t kj = 0; kj < g->k; kj++) {
                float *dst = col + ((c * g->k + ki) * g->k + kj) * plane;
                int64_t lo, hi;
                valid_range(g, kj, &lo, &hi);
                for (int64_t oh = 0; oh < g->OH; oh++) {
                    float *row = dst + oh * g->OW;
                    int64_t ih = oh * g->stride - g->pad + ki;
                    if (ih < 0 || ih >= g->H) {
                        memset(row, 0, (size_t)g->OW * sizeof *row);
                        continue;
                    }
                    /* the input pixel under output column lo: stays inside the row */
                    const float *src = img + (c * g->H + ih) * g->W + lo * g->stride
                                       - g->pad + kj;
                    for (int64_t ow = 0; ow < lo; ow++)
                        row[ow] = 0.0f;
                    if (g->stride == 1)
                        memcpy(row + lo, src, (size_t)(hi - lo) * sizeof *row);
                    else
                        for (int64_t ow = lo; ow < hi; ow++)
                            row[ow] = src[(ow - lo) * g->stride];
                    for (int64_t ow = hi; ow < g->OW; ow++)
                        row[ow] = 0.0f;
                }
            }
}

/* d += s over n floats, in blocks of 8 that -O2 turns into one vector add each. */
static void add_row(float *restrict d, const float *restrict s, int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            d[i + j] += s[i + j];
    for (; i < n; i++)
        d[i] += s[i];
}

void sfew_col2im(const sfew_conv_geom *g, const float *col, float *img)
{
    int64_t plane = g->OH * g->OW;
    for (int64_t c = 0; c < g->C; c++)
        for (int64_t ki = 0; ki < g->k; ki++)
            for (int64_t kj = 0; kj < g->k; kj++) {
                const float *srcp = col + ((c * g->k + ki) * g->k + kj) * plane;
                int64_t lo, hi;
                valid_range(g, kj, &lo, &hi);
                for (int64_t oh = 0; oh < g->OH; oh++) {
                    int64_t ih = oh * g->stride - g->pad + ki;
                    if (ih < 0 || ih >= g->H)
                        continue;
                    const float *row = srcp + oh * g->OW;
                    float *dst = img + (c * g->H + ih) * g->W + lo * g->stride - g->pad + kj;
                    if (g->stride == 1)
                        add_row(dst, row + lo, hi - lo);
                    else
                        for (int64_t ow = lo; ow < hi; ow++)
                            dst[(ow - lo) * g->stride] += row[ow];
                }
            }
}
