/* The CSV parser: one pass over the text, fields unquoted in place in a private copy. */
#include "csv.h"

#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sfew_csv_free(sfew_csv *c)
{
    if (!c)
        return;
    free(c->line);
    free(c->start);
    free(c->field);
    free(c->buf);
    free(c);
}

int sfew_csv_nfield(const sfew_csv *c, int r)
{
    return c->start[r + 1] - c->start[r];
}

/* Growable arrays of the parse. */
typedef struct growth {
    int nf, capf, capr;
} growth;

static int push_field(sfew_csv *c, growth *g, char *f)
{
    if (g->nf == g->capf) {
        int cap = g->capf ? g->capf * 2 : 256;
        char **nf = realloc(c->field, sizeof *nf * (size_t)cap);
        if (!nf)
            return 0;
        c->field = nf;
        g->capf = cap;
    }
    c->field[g->nf++] = f;
    return 1;
}

static int push_record(sfew_csv *c, growth *g, int line)
{
    if (c->nrec + 2 > g->capr) {
        int cap = g->capr ? g->capr * 2 : 64;
        int *nl = realloc(c->line, sizeof *nl * (size_t)cap);
        if (!nl)
            return 0;
        c->line = nl;
        int *ns = realloc(c->start, sizeof *ns * (size_t)cap);
        if (!ns)
            return 0;
        c->start = ns;
        g->capr = cap;
    }
    c->line[c->nrec] = line;
    c->start[c->nrec + 1] = g->nf;
    c->nrec++;
    return 1;
}

/* Parses one field starting at *pos; writes its unquoted text at *w and terminates it.
 * Returns 0 on success, 1 for a quote error, 2 for a NUL byte (fields are C strings: the
 * text after it would silently vanish); *line counts the newlines crossed. */
static int parse_field(char *s, size_t len, size_t *pos, char **w, int *line)
{
    size_t i = *pos;
    char *out = *w;
    if (i < len && s[i] == '"') {
        i++;
        for (;;) {
            if (i >= len)
                return 1; /* unterminated */
            if (s[i] == '"') {
                if (i + 1 < len && s[i + 1] == '"') {
                    *out++ = '"';
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (s[i] == '\n')
                (*line)++;
            if (s[i] == '\0')
                return 2;
            *out++ = s[i++];
        }
        if (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
            return 1; /* text after the closing quote */
    } else {
        while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
            if (s[i] == '\0')
                return 2;
            *out++ = s[i++];
        }
    }
    *out++ = '\0';
    *pos = i;
    *w = out;
    return 0;
}

sfew_status sfew_csv_parse(const char *text, size_t len, const char *name, sfew_csv **out,
                           sfew_err *err)
{
    sfew_csv *c = calloc(1, sizeof *c);
    growth g = {0, 0, 0};
    if (!c || !(c->buf = malloc(len + 1)) || !(c->start = calloc(1, sizeof(int))))
        goto nomem;
    g.capr = 1;
    /* Fields are unquoted into buf; unquoting never lengthens text, and the terminators
     * take the place of the separators, so buf (len + 1) always suffices. */
    char *src = malloc(len + 1), *w = c->buf;
    if (!src)
        goto nomem;
    memcpy(src, text, len);
    /* A UTF-8 byte order mark is not part of the first header name. */
    size_t i = len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int line = 1;
    while (i < len) {
        if (src[i] == '\n' || src[i] == '\r') { /* a blank line */
            i += (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n') ? 2 : 1;
            line++;
            continue;
        }
        int rec_line = line;
        for (;;) {
            int at = line;
            char *f = w;
            int bad = parse_field(src, len, &i, &w, &line);
            if (bad) {
                int col = g.nf - c->start[c->nrec] + 1;
                free(src);
                sfew_csv_free(c);
                if (bad == 2)
                    return sfew_fail(err, SFEW_EIO, "read_csv: '%s' line %d, column %d: a NUL "
                                     "byte (not text)", name, line, col);
                return sfew_fail(err, SFEW_EIO, "read_csv: '%s' line %d: bad quoting "
                                 "(unterminated quote, or text after a closing quote)", name, at);
            }
            if (!push_field(c, &g, f)) {
                free(src);
                goto nomem;
            }
            if (i < len && src[i] == ',') {
                i++;
                continue;
            }
            break;
        }
        if (i < len)
            i += (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n') ? 2 : 1;
        line++;
        if (!push_record(c, &g, rec_line)) {
            free(src);
            goto nomem;
        }
    }
    free(src);
    *out = c;
    return SFEW_OK;
nomem:
    sfew_csv_free(c);
    return sfew_fail(err, SFEW_ENOMEM, "read_csv: no memory for '%s'", name);
}

sfew_status sfew_csv_read(const char *path, sfew_csv **out, sfew_err *err)
{
    FILE *f = NULL;
    sfew_status opened = sfew_file_open(path, "read_csv", &f, NULL, err);
    if (opened)
        return opened;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || size > SFEW_CSV_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return sfew_fail(err, SFEW_EIO, "read_csv: cannot read '%s' (size %ld)", path, size);
    }
    char *text = malloc((size_t)size + 1);
    if (!text) {
        fclose(f);
        return sfew_fail(err, SFEW_ENOMEM, "read_csv: no memory for '%s'", path);
    }
    size_t got = fread(text, 1, (size_t)size, f);
    fclose(f);
    sfew_status st = got == (size_t)size ? sfew_csv_parse(text, got, path, out, err)
                                         : sfew_fail(err, SFEW_EIO, "read_csv: cannot read '%s'",
                                                     path);
    free(text);
    return st;
}
