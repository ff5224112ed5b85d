/* How a tensor prints: its values, abridged past a thousand elements, then its shape,
 * in the manner of Torch7. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lsfew.h"

#define EDGE 3        /* rows/columns kept at each end when abridged */
#define FULL_MAX 1000 /* tensors up to this many elements print whole */

typedef struct fmt {
    int ints;   /* every value is an integer of modest size */
    int sci;    /* scientific notation */
    int width;  /* column width */
    int abridge;
} fmt;

static int shown(const fmt *f, int64_t n, int64_t i)
{
    return !f->abridge || n <= 2 * EDGE || i < EDGE || i >= n - EDGE;
}

static void choose_format(const sfew_tensor *t, fmt *f)
{
    double maxabs = 0.0, minabs = INFINITY;
    f->ints = 1;
    for (int64_t i = 0; i < t->numel; i++) {
        double v = t->data[i];
        if (!isfinite(v))
            continue;
        double a = fabs(v);
        if (a > maxabs)
            maxabs = a;
        if (a > 0 && a < minabs)
            minabs = a;
        if (v != floor(v) || a >= 1e9)
            f->ints = 0;
    }
    f->sci = !f->ints && (maxabs >= 1e5 || (minabs < 1e-3 && maxabs < 1e-2 && maxabs > 0));
    if (f->ints) {
        char buf[32];
        f->width = snprintf(buf, sizeof buf, "%.0f", maxabs) + 2;
    } else {
        f->width = f->sci ? 12 : (maxabs >= 1e3 ? 12 : 9);
    }
}

static void add_value(luaL_Buffer *b, const fmt *f, float v)
{
    char buf[48];
    if (f->ints && isfinite(v))
        snprintf(buf, sizeof buf, "%*.0f", f->width, (double)v);
    else if (f->sci)
        snprintf(buf, sizeof buf, "%*.4e", f->width, (double)v);
    else
        snprintf(buf, sizeof buf, "%*.4f", f->width, (double)v);
    luaL_addstring(b, buf);
}

/* One matrix (rows x cols) starting at p. */
static void add_matrix(luaL_Buffer *b, const fmt *f, const float *p, int64_t rows, int64_t cols)
{
    for (int64_t i = 0; i < rows; i++) {
        if (!shown(f, rows, i)) {
            if (i == EDGE)
                luaL_addstring(b, "   ...\n");
            continue;
        }
        for (int64_t j = 0; j < cols; j++) {
            if (!shown(f, cols, j)) {
                if (j == EDGE)
                    luaL_addstring(b, "  ...");
                continue;
            }
            add_value(b, f, p[i * cols + j]);
        }
        luaL_addchar(b, '\n');
    }
}

void lsfew_tensor_format(lua_State *L, const sfew_tensor *t)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    fmt f;
    choose_format(t, &f);
    f.abridge = t->numel > FULL_MAX;
    if (t->ndim == 0) {
        add_value(&b, &f, t->data[0]);
        luaL_addchar(&b, '\n');
    } else if (t->ndim == 1) {
        add_matrix(&b, &f, t->data, 1, t->shape[0]);
    } else if (t->numel > 0) {
        int64_t rows = t->shape[t->ndim - 2], cols = t->shape[t->ndim - 1];
        int64_t blocks = t->numel / (rows * cols);
        int lead = t->ndim - 2;
        for (int64_t k = 0; k < blocks; k++) {
            /* Index of this block in the leading dimensions. */
            int64_t idx[SFEW_MAX_DIMS], rem = k;
            int skip = 0, first_skipped = 0;
            for (int d = lead - 1; d >= 0; d--) {
                idx[d] = rem % t->shape[d];
                rem /= t->shape[d];
            }
            for (int d = 0; d < lead; d++)
                if (!shown(&f, t->shape[d], idx[d])) {
                    skip = 1;
                    first_skipped = idx[d] == EDGE;
                    for (int e = d + 1; e < lead; e++)
                        first_skipped = first_skipped && idx[e] == 0;
                    break;
                }
            if (skip) {
                if (first_skipped)
                    luaL_addstring(&b, "...\n\n");
                continue;
            }
            if (lead > 0) {
                luaL_addchar(&b, '(');
                for (int d = 0; d < lead; d++) {
                    char buf[32];
                    snprintf(buf, sizeof buf, "%lld,", (long long)idx[d] + 1);
                    luaL_addstring(&b, buf);
                }
                luaL_addstring(&b, ".,.) =\n");
            }
            add_matrix(&b, &f, t->data + k * rows * cols, rows, cols);
            if (lead > 0 && k + 1 < blocks)
                luaL_addchar(&b, '\n');
        }
    }
    char shape[128];
    luaL_addstring(&b, "sfew.Tensor(");
    luaL_addstring(&b, sfew_shape_str(t->ndim, t->shape, shape, sizeof shape));
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
}
