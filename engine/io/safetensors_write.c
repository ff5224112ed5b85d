/* Writing safetensors files: the header is built in memory, padded with spaces to a
 * multiple of 8 (as the reference writer does, so the data stays aligned), and the file
 * is written through atomic.h (a synced temporary renamed over the target). */
#include "safetensors.h"

#include "atomic.h"
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} buf;

/* Room for n more bytes (and a NUL); NULL once memory has run out. */
static char *room(buf *b, size_t n)
{
    if (b->oom || n > SIZE_MAX / 4 - b->len) {
        b->oom = 1;
        return NULL;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + n;
        char *s2 = realloc(b->s, cap);
        if (!s2) {
            b->oom = 1;
            return NULL;
        }
        b->s = s2;
        b->cap = cap;
    }
    return b->s + b->len;
}

static void put(buf *b, const char *s, size_t n)
{
    char *at = room(b, n);
    if (at) {
        memcpy(at, s, n);
        b->len += n;
    }
}

static void putf(buf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(b, tmp, (size_t)n);
}

/* A JSON string, quoted by the engine's one JSON encoder. */
static void put_str(buf *b, const char *s)
{
    size_t n = strlen(s);
    char *at = n < SIZE_MAX / 8 ? room(b, 6 * n + 2) : NULL;
    if (at)
        b->len += sfew_json_quote(s, n, at);
    else
        b->oom = 1;
}

static sfew_status build_header(int n, const char *const *names,
                                const sfew_tensor *const *tensors, int n_meta,
                                const char *const *keys, const char *const *values, buf *b,
                                sfew_err *err)
{
    put(b, "{", 1);
    if (n_meta > 0) {
        put(b, "\"__metadata__\":{", 16);
        for (int i = 0; i < n_meta; i++) {
            if (i)
                put(b, ",", 1);
            put_str(b, keys[i]);
            put(b, ":", 1);
            put_str(b, values[i]);
        }
        put(b, "}", 1);
    }
    int64_t off = 0;
    for (int i = 0; i < n; i++) {
        if (!names[i][0] || strcmp(names[i], "__metadata__") == 0)
            return sfew_fail(err, SFEW_EINVAL, "safetensors_save: bad tensor name '%s'",
                             names[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return sfew_fail(err, SFEW_EINVAL, "safetensors_save: tensor name '%s' "
                                 "appears twice", names[i]);
        if (n_meta > 0 || i)
            put(b, ",", 1);
        put_str(b, names[i]);
        put(b, ":{\"dtype\":\"F32\",\"shape\":[", 25);
        for (int d = 0; d < tensors[i]->ndim; d++)
            putf(b, d ? ",%lld" : "%lld", (long long)tensors[i]->shape[d]);
        int64_t end = off + tensors[i]->numel * 4;
        putf(b, "],\"data_offsets\":[%lld,%lld]}", (long long)off, (long long)end);
        off = end;
    }
    put(b, "}", 1);
    while (b->len % 8)
        put(b, " ", 1);
    if (b->oom)
        return sfew_fail(err, SFEW_ENOMEM, "safetensors_save: out of memory for the header");
    return SFEW_OK;
}

/* Tensor data as little-endian float32, whatever the host's byte order. */
static int write_data(FILE *f, const sfew_tensor *t)
{
    const uint16_t one = 1;
    unsigned char probe;
    memcpy(&probe, &one, 1);
    if (probe == 1)
        return fwrite(t->data, 4, (size_t)t->numel, f) == (size_t)t->numel;
    for (int64_t i = 0; i < t->numel; i++) {
        uint32_t u;
        unsigned char le[4];
        memcpy(&u, &t->data[i], 4);
        for (int k = 0; k < 4; k++)
            le[k] = (unsigned char)(u >> (8 * k));
        if (fwrite(le, 1, 4, f) != 4)
            return 0;
    }
    return 1;
}

static int write_file(FILE *f, const buf *h, int n, const sfew_tensor *const *tensors)
{
    unsigned char len8[8];
    for (int k = 0; k < 8; k++)
        len8[k] = (unsigned char)((uint64_t)h->len >> (8 * k));
    if (fwrite(len8, 1, 8, f) != 8 || fwrite(h->s, 1, h->len, f) != h->len)
        return 0;
    for (int i = 0; i < n; i++)
        if (!write_data(f, tensors[i]))
            return 0;
    return 1;
}

sfew_status sfew_safetensors_save(const char *path, int n, const char *const *names,
                                  const sfew_tensor *const *tensors, int n_meta,
                                  const char *const *keys, const char *const *values,
                                  sfew_err *err)
{
    buf h = {0};
    sfew_status st = build_header(n, names, tensors, n_meta, keys, values, &h, err);
    sfew_atomic a;
    if (!st)
        st = sfew_atomic_open(&a, path, err);
    if (!st)
        st = sfew_atomic_close(&a, write_file(a.f, &h, n, tensors), err);
    free(h.s);
    return st;
}
