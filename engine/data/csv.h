/* RFC 4180 CSV: parsing (quoted fields with commas, quotes and newlines; CRLF or LF) and
 * turning a table with a name column and a label column into feature and label tensors. */
#ifndef SFEW_DATA_CSV_H
#define SFEW_DATA_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "../status.h"
#include "../tensor.h"

/* Files above this are refused before they are read. Parsing needs about the file's size
 * twice plus 8 bytes per field and 8 per record, so memory stays under ~10x the file. */
#define SFEW_CSV_MAX_BYTES (INT64_C(1) << 30)

typedef struct sfew_csv {
    int nrec;        /* records (a quoted newline does not end one); blank lines skipped */
    int *line;       /* (nrec + 1) the file line where each record starts, 1-based */
    int *start;      /* (nrec + 1) record r has fields start[r] .. start[r+1]-1 */
    char **field;    /* unquoted text of every field, pointing into buf */
    char *buf;
} sfew_csv;

/* Parses text (len bytes) into a new sfew_csv the caller frees with sfew_csv_free.
 * An unterminated quote or a quote inside a quoted field not followed by a separator is
 * SFEW_EIO naming name (the file) and the line. */
sfew_status sfew_csv_parse(const char *text, size_t len, const char *name, sfew_csv **out,
                           sfew_err *err);
/* Reads the file (at most SFEW_CSV_MAX_BYTES) and parses it. */
sfew_status sfew_csv_read(const char *path, sfew_csv **out, sfew_err *err);
void sfew_csv_free(sfew_csv *c);
/* The number of fields in record r. */
int sfew_csv_nfield(const sfew_csv *c, int r);

typedef struct sfew_csv_spec {
    const char *path;   /* named in messages */
    int header;         /* records of header before the data (0 or 1) */
    int label_col;      /* 0-based column of the class label, or -1 */
    int nclasses;       /* labels must be integers 1..nclasses (when label_col >= 0) */
    const char *drop;   /* per column: 1 leaves it out of x (name columns); may be NULL */
    int ncols;          /* columns every row must have */
    int na_drop;        /* 1: drop bad rows instead of failing */
} sfew_csv_spec;

typedef struct sfew_csv_table {
    sfew_tensor *x;  /* (rows, features) */
    sfew_tensor *y;  /* (rows) labels as floats, or NULL without a label column */
    int rows;
    int *rec;        /* (rows) the record each row came from */
    int nfeat;
    int *feat;       /* (nfeat) the column of each feature */
    int dropped;     /* rows dropped (na_drop) */
    int first_drop_line;
} sfew_csv_table;

/* Builds the table; the caller frees it with sfew_csv_table_free. A ragged row, an empty
 * cell, a non-number, NaN/Inf or a bad label is SFEW_EIO "path line L, column K: ..."
 * unless na_drop. */
sfew_status sfew_csv_table_build(const sfew_csv *c, const sfew_csv_spec *s, sfew_csv_table **out,
                                 sfew_err *err);
void sfew_csv_table_free(sfew_csv_table *t);

#endif
