/* From parsed CSV records to a feature matrix and labels, with errors that name the file,
 * the line and the column, or rows dropped and counted. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void sfew_csv_table_free(sfew_csv_table *t)
{
    if (!t)
        return;
    sfew_tensor_free(t->x);
    sfew_tensor_free(t->y);
    free(t->rec);
    free(t->feat);
    free(t);
}

/* Parses a cell as a finite number; returns NULL or the reason it is not one. */
static const char *cell_number(const char *s, double *v)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return "empty cell";
    char *end;
    *v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end)
        return "not a number";
    if (!isfinite(*v))
        return "NaN or Inf";
    return NULL;
}

/* Checks record r; on trouble writes the message and returns 0. Fills row (nfeat) and *y. */
static int check_row(const sfew_csv *c, const sfew_csv_spec *s, const sfew_csv_table *t, int r,
                     float *row, float *y, sfew_err *err)
{
    int nf = sfew_csv_nfield(c, r);
    char *const *f = c->field + c->start[r];
    if (nf != s->ncols) {
        sfew_fail(err, SFEW_EIO, "read_csv: '%s' line %d: %d fields, the header has %d",
                  s->path, c->line[r], nf, s->ncols);
        return 0;
    }
    double v;
    const char *why;
    if (s->label_col >= 0) {
        why = cell_number(f[s->label_col], &v);
        if (!why && (v != floor(v) || v < 1 || v > s->nclasses))
            why = "label out of range";
        if (why) {
            sfew_fail(err, SFEW_EIO, "read_csv: '%s' line %d, column %d (label): %s ('%.40s')",
                      s->path, c->line[r], s->label_col + 1, why, f[s->label_col]);
            return 0;
        }
        *y = (float)v;
    }
    for (int k = 0; k < t->nfeat; k++) {
        why = cell_number(f[t->feat[k]], &v);
        if (why) {
            sfew_fail(err, SFEW_EIO, "read_csv: '%s' line %d, column %d: %s ('%.40s')", s->path,
                      c->line[r], t->feat[k] + 1, why, f[t->feat[k]]);
            return 0;
        }
        row[k] = (float)v;
    }
    return 1;
}

static sfew_status alloc_table(const sfew_csv_spec *s, int nrows, sfew_csv_table **out,
                               sfew_err *err)
{
    sfew_csv_table *t = calloc(1, sizeof *t);
    if (!t)
        return sfew_fail(err, SFEW_ENOMEM, "read_csv: no memory");
    t->feat = calloc((size_t)s->ncols + 1, sizeof *t->feat);
    t->rec = calloc((size_t)nrows + 1, sizeof *t->rec);
    if (!t->feat || !t->rec) {
        sfew_csv_table_free(t);
        return sfew_fail(err, SFEW_ENOMEM, "read_csv: no memory");
    }
    for (int k = 0; k < s->ncols; k++)
        if (k != s->label_col && !(s->drop && s->drop[k]))
            t->feat[t->nfeat++] = k;
    sfew_status st = sfew_tensor_new4(2, nrows, t->nfeat, 0, 0, &t->x, err);
    if (!st && s->label_col >= 0)
        st = sfew_tensor_new4(1, nrows, 0, 0, 0, &t->y, err);
    if (st) {
        sfew_csv_table_free(t);
        return st;
    }
    *out = t;
    return SFEW_OK;
}

sfew_status sfew_csv_table_build(const sfew_csv *c, const sfew_csv_spec *s, sfew_csv_table **out,
                                 sfew_err *err)
{
    if (s->header < 0 || s->header > c->nrec || s->ncols < 1 || s->label_col >= s->ncols ||
        (s->label_col >= 0 && s->nclasses < 1))
        return sfew_fail(err, SFEW_EINVAL, "read_csv: bad table layout (header %d of %d records, "
                         "%d columns, label column %d)", s->header, c->nrec, s->ncols,
                         s->label_col + 1);
    int nrows = c->nrec - s->header;
    sfew_csv_table *t = NULL;
    sfew_status st = alloc_table(s, nrows, &t, err);
    if (st)
        return st;
    for (int r = s->header; r < c->nrec; r++) {
        float *row = t->x->data + (int64_t)t->rows * t->nfeat;
        float y = 0;
        sfew_err why;
        if (!check_row(c, s, t, r, row, &y, &why)) {
            if (!s->na_drop) {
                st = sfew_fail(err, SFEW_EIO, "%s", why.msg);
                sfew_csv_table_free(t);
                return st;
            }
            if (!t->dropped++)
                t->first_drop_line = c->line[r];
            continue;
        }
        if (t->y)
            t->y->data[t->rows] = y;
        t->rec[t->rows++] = r;
    }
    if (t->dropped) { /* shrinking reuses the storage: the kept rows are already in place */
        int64_t xs[2] = {t->rows, t->nfeat}, ys[1] = {t->rows};
        st = sfew_tensor_resize(t->x, 2, xs, err);
        if (!st && t->y)
            st = sfew_tensor_resize(t->y, 1, ys, err);
        if (st) {
            sfew_csv_table_free(t);
            return st;
        }
    }
    *out = t;
    return SFEW_OK;
}
