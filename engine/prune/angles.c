/* Angles between hidden units' activation vectors (Gedeon and Harris' distinctiveness). */
#include <math.h>
#include <stdlib.h>

#include "prune.h"

#define DEGREES 57.29577951308232 /* 180 / pi */

sfew_status sfew_prune_unit_angles(const sfew_tensor *acts, float center, float const_tol,
                                   sfew_tensor **angles, unsigned char *dead, sfew_err *err)
{
    if (acts->ndim != 2)
        return sfew_fail(err, SFEW_ESHAPE, "unit_angles: activations must be patterns x units, "
                                           "got %d dimensions", acts->ndim);
    int64_t P = acts->shape[0], U = acts->shape[1];
    if (P < 1 || U < 1)
        return sfew_fail(err, SFEW_ESHAPE, "unit_angles: needs at least one pattern and unit");
    sfew_tensor *out = NULL;
    double *dot = calloc((size_t)(U * U), sizeof *dot);
    float *lo = calloc((size_t)U, sizeof *lo), *hi = calloc((size_t)U, sizeof *hi);
    sfew_status st = sfew_tensor_new4(2, U, U, 0, 0, &out, err);
    if (st)
        goto fail;
    if (!dot || !lo || !hi) {
        st = sfew_fail(err, SFEW_ENOMEM, "unit_angles: out of memory");
        goto fail;
    }
    for (int64_t u = 0; u < U; u++)
        lo[u] = hi[u] = acts->data[u];
    /* Dot products of centred vectors in double: angles near 0 and 180 degrees are
     * exactly the ones that matter, and acos amplifies rounding there. */
    for (int64_t p = 0; p < P; p++) {
        const float *row = acts->data + p * U;
        for (int64_t u = 0; u < U; u++) {
            double a = (double)row[u] - center;
            if (row[u] < lo[u]) lo[u] = row[u];
            if (row[u] > hi[u]) hi[u] = row[u];
            for (int64_t v = u; v < U; v++)
                dot[u * U + v] += a * ((double)row[v] - center);
        }
    }
    for (int64_t u = 0; u < U; u++)
        dead[u] = hi[u] - lo[u] <= const_tol || dot[u * U + u] == 0.0;
    for (int64_t u = 0; u < U; u++) {
        for (int64_t v = u; v < U; v++) {
            double ang;
            if (dead[u] || dead[v])
                ang = NAN;
            else if (u == v)
                ang = 0.0;
            else {
                double c = dot[u * U + v] / sqrt(dot[u * U + u] * dot[v * U + v]);
                ang = acos(c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c) * DEGREES;
            }
            out->data[u * U + v] = out->data[v * U + u] = (float)ang;
        }
    }
    free(dot);
    free(lo);
    free(hi);
    *angles = out;
    return SFEW_OK;
fail:
    free(dot);
    free(lo);
    free(hi);
    sfew_tensor_free(out);
    return st;
}
