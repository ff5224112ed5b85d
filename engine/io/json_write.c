/* The JSON encoder: numbers, quoted strings and whole trees, in the compact form the
 * Lua side has always written (sfew.json), so equal values give equal bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

size_t sfew_json_integer(int64_t i, char *out)
{
    return (size_t)snprintf(out, SFEW_JSON_NUMBER_MAX, "%" PRId64, i);
}

size_t sfew_json_number(double x, char *out)
{
    if (x != x || x > 1.7976931348623157e308 || x < -1.7976931348623157e308)
        return 0;
    int n = 0;
    for (int digits = 14; digits <= 17; digits++) {
        n = snprintf(out, SFEW_JSON_NUMBER_MAX, "%.*g", digits, x);
        if (strtod(out, NULL) == x)
            break;
    }
    if (!strpbrk(out, ".eEn")) {
        memcpy(out + n, ".0", 3);
        n += 2;
    }
    return (size_t)n;
}

size_t sfew_json_quote(const char *s, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    out[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t" : NULL;
        if (esc) {
            out[n++] = esc[0];
            out[n++] = esc[1];
        } else if (c < 32 || c == 127) {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[c >> 4];
            out[n + 5] = hex[c & 15];
            n += 6;
        } else {
            out[n++] = (char)c;
        }
    }
    out[n++] = '"';
    return n;
}

typedef struct {
    char *s;
    size_t len, cap;
    sfew_err *err;
} writer;

/* Makes room for more bytes; SFEW_ENOMEM when the buffer cannot grow. */
static sfew_status reserve(writer *w, size_t more)
{
    if (more > SIZE_MAX / 2 - w->len)
        return sfew_fail(w->err, SFEW_ENOMEM, "json_encode: text too long");
    if (w->len + more + 1 <= w->cap)
        return SFEW_OK;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->len + more + 1)
        cap *= 2;
    char *s = realloc(w->s, cap);
    if (!s)
        return sfew_fail(w->err, SFEW_ENOMEM, "json_encode: no memory for %zu bytes", cap);
    w->s = s;
    w->cap = cap;
    return SFEW_OK;
}

static sfew_status put_quoted(writer *w, const char *s, size_t len)
{
    if (len > SIZE_MAX / 8)
        return sfew_fail(w->err, SFEW_ENOMEM, "json_encode: string too long");
    sfew_status st = reserve(w, 6 * len + 2);
    if (!st)
        w->len += sfew_json_quote(s, len, w->s + w->len);
    return st;
}

static sfew_status put(writer *w, const char *s, size_t len)
{
    sfew_status st = reserve(w, len);
    if (!st) {
        memcpy(w->s + w->len, s, len);
        w->len += len;
    }
    return st;
}

static sfew_status put_value(writer *w, const sfew_json *v)
{
    char num[SFEW_JSON_NUMBER_MAX];
    size_t n;
    switch (v->type) {
    case SFEW_JSON_NULL:
        return put(w, "null", 4);
    case SFEW_JSON_BOOL:
        return v->boolean ? put(w, "true", 4) : put(w, "false", 5);
    case SFEW_JSON_NUMBER:
        n = v->is_int ? sfew_json_integer(v->integer, num) : sfew_json_number(v->number, num);
        if (!n)
            return sfew_fail(w->err, SFEW_EINVAL, "json_encode: cannot encode %g (NaN and "
                             "infinities have no JSON spelling)", v->number);
        return put(w, num, n);
    case SFEW_JSON_STRING:
        return put_quoted(w, v->str ? v->str : "", v->str ? v->len : 0);
    default:
        break;
    }
    int object = v->type == SFEW_JSON_OBJECT;
    sfew_status st = put(w, object ? "{" : "[", 1);
    for (const sfew_json *c = v->child; c && !st; c = c->next) {
        if (c != v->child)
            st = put(w, ",", 1);
        if (!st && object)
            st = put_quoted(w, c->key ? c->key : "", c->key ? c->keylen : 0);
        if (!st && object)
            st = put(w, ":", 1);
        if (!st)
            st = put_value(w, c);
    }
    return st ? st : put(w, object ? "}" : "]", 1);
}

sfew_status sfew_json_encode(const sfew_json *v, char **out, size_t *len, sfew_err *err)
{
    writer w = {NULL, 0, 0, err};
    sfew_status st = reserve(&w, 0);
    if (!st)
        st = put_value(&w, v);
    if (st) {
        free(w.s);
        return st;
    }
    w.s[w.len] = 0;
    *out = w.s;
    *len = w.len;
    return SFEW_OK;
}
