/* Reading safetensors files: every size in the header is checked against the file before
 * anything is allocated, so a corrupt or hostile file gives a message, never a crash. */
#define _POSIX_C_SOURCE 200809L
#include "safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../data/files.h"
#include "json.h"
#include "safetensors_dtype.h"

typedef struct {
    const char *name;
    const char *dtype;
    int dsize;
    int ndim;
    int64_t shape[SFEW_MAX_DIMS];
    int64_t numel, begin, end;
} entry;

typedef struct {
    const char *path;
    int64_t data_len, max_bytes;
    sfew_err *err;
} ctx;

static const struct { const char *name; int size; } dtypes[] = {
    {"F32", 4}, {"F64", 8}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4}, {NULL, 0}};

static const sfew_json *member(const sfew_json *obj, const char *key)
{
    for (const sfew_json *c = obj->child; c; c = c->next)
        if (strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

static int is_count(const sfew_json *v)
{
    return v && v->type == SFEW_JSON_NUMBER && v->is_int && v->integer >= 0;
}

static sfew_status check_dtype(ctx *c, entry *e, const sfew_json *v)
{
    if (!v || v->type != SFEW_JSON_STRING)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' has no dtype string",
                         c->path, e->name);
    for (int i = 0; dtypes[i].name; i++)
        if (strcmp(v->str, dtypes[i].name) == 0) {
            e->dtype = dtypes[i].name;
            e->dsize = dtypes[i].size;
            return SFEW_OK;
        }
    return sfew_fail(c->err, SFEW_EIO,
                     "safetensors: '%s': tensor '%s' has unsupported dtype '%.32s' "
                     "(F32, F64, F16, BF16, I64, I32 are read)", c->path, e->name, v->str);
}

static sfew_status check_shape(ctx *c, entry *e, const sfew_json *v)
{
    if (!v || v->type != SFEW_JSON_ARRAY || v->count > SFEW_MAX_DIMS)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' has a bad shape "
                         "(a list of at most %d sizes expected)", c->path, e->name, SFEW_MAX_DIMS);
    e->ndim = 0;
    for (const sfew_json *s = v->child; s; s = s->next) {
        if (!is_count(s))
            return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' has a shape "
                             "size that is not a non-negative integer", c->path, e->name);
        e->shape[e->ndim++] = s->integer;
    }
    sfew_err inner;
    if (sfew_shape_check(e->ndim, e->shape, &e->numel, &inner))
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s': %s", c->path,
                         e->name, inner.msg);
    return SFEW_OK;
}

static sfew_status check_offsets(ctx *c, entry *e, const sfew_json *v)
{
    if (!v || v->type != SFEW_JSON_ARRAY || v->count != 2 || !is_count(v->child)
        || !is_count(v->child->next))
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' needs data_offsets "
                         "[begin, end] of non-negative integers", c->path, e->name);
    e->begin = v->child->integer;
    e->end = v->child->next->integer;
    if (e->begin > e->end || e->end > c->data_len)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' has data_offsets "
                         "[%lld, %lld] out of range (the data section has %lld bytes)",
                         c->path, e->name, (long long)e->begin, (long long)e->end,
                         (long long)c->data_len);
    char sh[128];
    sfew_shape_str(e->ndim, e->shape, sh, sizeof sh);
    if (e->end - e->begin != e->numel * e->dsize)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' of shape %s needs "
                         "%lld bytes of %s but its offsets give %lld", c->path, e->name, sh,
                         (long long)(e->numel * e->dsize), e->dtype,
                         (long long)(e->end - e->begin));
    if (e->numel * 4 > c->max_bytes)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' of shape %s needs "
                         "%lld bytes, above the limit of %lld (raise max_bytes)", c->path,
                         e->name, sh, (long long)(e->numel * 4), (long long)c->max_bytes);
    return SFEW_OK;
}

static sfew_status check_entry(ctx *c, entry *e, const sfew_json *v)
{
    e->name = v->key;
    if (v->type != SFEW_JSON_OBJECT)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': entry '%s' is not an object",
                         c->path, e->name);
    sfew_status st = check_dtype(c, e, member(v, "dtype"));
    if (!st)
        st = check_shape(c, e, member(v, "shape"));
    if (!st)
        st = check_offsets(c, e, member(v, "data_offsets"));
    return st;
}

static int by_begin(const void *a, const void *b)
{
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const entry *const *)a)->name, (*(const entry *const *)b)->name);
}

/* Two tensors may not share bytes (empty tensors share nothing), nor a name. */
static sfew_status check_layout(ctx *c, entry *es, int n)
{
    entry **order = calloc((size_t)n + 1, sizeof *order);
    if (!order)
        return sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory");
    for (int i = 0; i < n; i++)
        order[i] = &es[i];
    qsort(order, (size_t)n, sizeof *order, by_begin);
    sfew_status st = SFEW_OK;
    int64_t reach = 0;
    const entry *last = NULL;
    for (int i = 0; i < n && !st; i++) {
        if (order[i]->begin == order[i]->end)
            continue;
        if (last && order[i]->begin < reach)
            st = sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensors '%s' and '%s' have "
                           "overlapping data_offsets", c->path, last->name, order[i]->name);
        reach = order[i]->end;
        last = order[i];
    }
    qsort(order, (size_t)n, sizeof *order, by_name);
    for (int i = 1; i < n && !st; i++)
        if (strcmp(order[i]->name, order[i - 1]->name) == 0)
            st = sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': tensor '%s' appears twice",
                           c->path, order[i]->name);
    free(order);
    return st;
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static sfew_status read_tensor(ctx *c, FILE *f, int64_t base, const entry *e, sfew_tensor **out)
{
    sfew_tensor *t = NULL;
    unsigned char *raw = NULL;
    sfew_status st = sfew_tensor_new(e->ndim, e->shape, &t, c->err);
    if (st)
        return st;
    int direct = host_little_endian() && e->dsize == 4 && e->dtype[0] == 'F';
    raw = direct ? (unsigned char *)t->data : malloc((size_t)(e->end - e->begin) + 1);
    if (!raw) {
        st = sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory reading '%s'", e->name);
        goto fail;
    }
    if (e->end > e->begin
        && (fseeko(f, (off_t)(base + e->begin), SEEK_SET) != 0
            || fread(raw, 1, (size_t)(e->end - e->begin), f) != (size_t)(e->end - e->begin))) {
        st = sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': cannot read tensor '%s'", c->path,
                       e->name);
        goto fail;
    }
    if (!direct)
        sfew_safetensors_convert(e->dtype, e->dsize, e->numel, raw, t->data);
    if (!direct)
        free(raw);
    *out = t;
    return SFEW_OK;
fail:
    if (!direct)
        free(raw);
    sfew_tensor_free(t);
    return st;
}

static sfew_status read_header(ctx *c, FILE *f, int64_t size, int64_t *hlen, sfew_json **doc)
{
    unsigned char b8[8];
    if (size < 8 || fread(b8, 1, 8, f) != 8)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': file too short (%lld bytes) "
                         "to hold a header length", c->path, (long long)size);
    uint64_t n = sfew_le_bytes(b8, 8);
    if (n > (uint64_t)(size - 8))
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': header length %llu runs past "
                         "the end of the file (%lld bytes): truncated or not safetensors",
                         c->path, (unsigned long long)n, (long long)size);
    if (n > (uint64_t)SFEW_SAFETENSORS_MAX_HEADER)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': header of %llu bytes is too "
                         "large", c->path, (unsigned long long)n);
    char *text = malloc((size_t)n + 1);
    if (!text)
        return sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory for the header");
    sfew_status st = SFEW_OK;
    sfew_err inner;
    if (fread(text, 1, (size_t)n, f) != (size_t)n)
        st = sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': cannot read the header", c->path);
    else if (sfew_json_parse(text, (size_t)n, doc, &inner))
        st = sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': header is not valid JSON (%s)",
                       c->path, inner.msg);
    else if ((*doc)->type != SFEW_JSON_OBJECT) {
        st = sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': header is not a JSON object",
                       c->path);
        sfew_json_free(*doc);
        *doc = NULL;
    }
    free(text);
    *hlen = (int64_t)n;
    return st;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

static sfew_status take_metadata(ctx *c, const sfew_json *m, sfew_safetensors *r)
{
    if (m->type != SFEW_JSON_OBJECT)
        return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': __metadata__ is not an object",
                         c->path);
    r->keys = calloc(m->count + 1, sizeof *r->keys);
    r->values = calloc(m->count + 1, sizeof *r->values);
    if (!r->keys || !r->values)
        return sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory");
    for (const sfew_json *v = m->child; v; v = v->next) {
        if (v->type != SFEW_JSON_STRING)
            return sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': metadata value for '%s' is "
                             "not a string", c->path, v->key);
        r->keys[r->n_meta] = dup(v->key);
        r->values[r->n_meta++] = dup(v->str);
        if (!r->keys[r->n_meta - 1] || !r->values[r->n_meta - 1])
            return sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory");
    }
    return SFEW_OK;
}

/* Validates every entry, then allocates and reads the tensors. */
static sfew_status take_tensors(ctx *c, FILE *f, int64_t base, const sfew_json *doc,
                                sfew_safetensors *r)
{
    entry *es = calloc(doc->count + 1, sizeof *es);
    if (!es)
        return sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory");
    sfew_status st = SFEW_OK;
    int n = 0;
    for (const sfew_json *v = doc->child; v && !st; v = v->next) {
        if (strcmp(v->key, "__metadata__") == 0)
            st = r->keys ? sfew_fail(c->err, SFEW_EIO, "safetensors: '%s': __metadata__ "
                                     "appears twice", c->path) : take_metadata(c, v, r);
        else
            st = check_entry(c, &es[n++], v);
    }
    if (!st)
        st = check_layout(c, es, n);
    if (!st) {
        r->names = calloc((size_t)n + 1, sizeof *r->names);
        r->tensors = calloc((size_t)n + 1, sizeof *r->tensors);
        if (!r->names || !r->tensors)
            st = sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory");
    }
    for (int i = 0; i < n && !st; i++) {
        r->names[i] = dup(es[i].name);
        if (!r->names[i])
            st = sfew_fail(c->err, SFEW_ENOMEM, "safetensors: out of memory");
        else
            st = read_tensor(c, f, base, &es[i], &r->tensors[i]);
        r->n = i + 1;
    }
    free(es);
    return st;
}

sfew_status sfew_safetensors_load(const char *path, int64_t max_bytes, sfew_safetensors **out,
                                  sfew_err *err)
{
    ctx c = {path, 0, max_bytes > 0 ? max_bytes : SFEW_SAFETENSORS_MAX_BYTES, err};
    sfew_json *doc = NULL;
    sfew_safetensors *r = NULL;
    int64_t size = 0, hlen = 0;
    sfew_status st;
    FILE *f = NULL;
    if ((st = sfew_file_open(path, "safetensors", &f, NULL, err)))
        return st;
    if (fseeko(f, 0, SEEK_END) != 0 || (size = (int64_t)ftello(f)) < 0
        || fseeko(f, 0, SEEK_SET) != 0) {
        st = sfew_fail(err, SFEW_EIO, "safetensors: '%s': cannot seek (not a regular file?)",
                       path);
        goto fail;
    }
    if ((st = read_header(&c, f, size, &hlen, &doc)))
        goto fail;
    c.data_len = size - 8 - hlen;
    r = calloc(1, sizeof *r);
    if (!r) {
        st = sfew_fail(err, SFEW_ENOMEM, "safetensors: out of memory");
        goto fail;
    }
    if ((st = take_tensors(&c, f, 8 + hlen, doc, r)))
        goto fail;
    sfew_json_free(doc);
    fclose(f);
    *out = r;
    return SFEW_OK;
fail:
    sfew_json_free(doc);
    sfew_safetensors_free(r);
    fclose(f);
    return st;
}

void sfew_safetensors_free(sfew_safetensors *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        free(r->names[i]);
        sfew_tensor_free(r->tensors[i]);
    }
    for (int i = 0; i < r->n_meta; i++) {
        free(r->keys[i]);
        free(r->values[i]);
    }
    free(r->names);
    free(r->tensors);
    free(r->keys);
    free(r->values);
    free(r);
}
