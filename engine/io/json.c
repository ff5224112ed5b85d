/* A small strict JSON parser: recursive descent over a byte buffer with a depth limit,
 * so a hostile header can neither overflow the stack nor be misread leniently. */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    const char *s;
    size_t len, pos;
    sfew_err *err;
} parser;

static sfew_status bad(parser *p, const char *what)
{
    return sfew_fail(p->err, SFEW_EINVAL, "json: %s at byte %zu", what, p->pos);
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(parser *p, unsigned *out)
{
    if (p->len - p->pos < 4)
        return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p->s[p->pos + i]);
        if (h < 0)
            return 0;
        v = v * 16 + (unsigned)h;
    }
    p->pos += 4;
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* \uXXXX, with surrogate pairs joined; lone surrogates are refused. */
static sfew_status unicode_escape(parser *p, char *o, size_t *n)
{
    unsigned cp, lo;
    if (!read_hex4(p, &cp))
        return bad(p, "bad \\u escape");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return bad(p, "lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
            return bad(p, "lone high surrogate");
        p->pos += 2;
        if (!read_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return bad(p, "bad surrogate pair");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    *n += put_utf8(o + *n, cp);
    return SFEW_OK;
}

/* Decoded text is never longer than its source, so one allocation of the raw length. */
static sfew_status parse_string(parser *p, char **out, size_t *outlen)
{
    p->pos++; /* the opening quote */
    size_t start = p->pos, n = 0;
    while (p->pos < p->len && p->s[p->pos] != '"')
        p->pos += p->s[p->pos] == '\\' ? 2 : 1;
    if (p->pos >= p->len)
        return bad(p, "unterminated string");
    char *o = calloc(p->pos - start + 1, 1);
    if (!o)
        return sfew_fail(p->err, SFEW_ENOMEM, "json: out of memory");
    p->pos = start;
    sfew_status st = SFEW_OK;
    while (!st && p->s[p->pos] != '"') {
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c < 0x20) {
            st = bad(p, "control character in string");
        } else if (c != '\\') {
            o[n++] = (char)c;
        } else {
            char e = p->s[p->pos++];
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *hit = strchr(from, e);
            if (e == 'u')
                st = unicode_escape(p, o, &n);
            else if (e && hit)
                o[n++] = to[hit - from];
            else
                st = bad(p, "bad escape");
        }
    }
    if (st) {
        free(o);
        return st;
    }
    p->pos++; /* the closing quote */
    *out = o;
    *outlen = n;
    return SFEW_OK;
}

static sfew_status parse_number(parser *p, sfew_json *v)
{
    size_t start = p->pos;
    int frac = 0;
    if (p->s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
        return bad(p, "bad number");
    if (p->s[p->pos] == '0' && p->pos + 1 < p->len && p->s[p->pos + 1] >= '0'
        && p->s[p->pos + 1] <= '9')
        return bad(p, "leading zero in number");
    while (p->pos < p->len && strchr("0123456789+-.eE", p->s[p->pos]) && p->s[p->pos]) {
        if (strchr(".eE", p->s[p->pos]))
            frac = 1;
        if (p->s[p->pos] == '.' && (p->pos + 1 >= p->len || p->s[p->pos + 1] < '0'
                                    || p->s[p->pos + 1] > '9'))
            return bad(p, "bad number");
        p->pos++;
    }
    char buf[64];
    size_t n = p->pos - start;
    if (n >= sizeof buf)
        return bad(p, "number too long");
    memcpy(buf, p->s + start, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    v->number = strtod(buf, &end);
    if (*end || (frac && (buf[n - 1] < '0' || buf[n - 1] > '9')))
        return bad(p, "bad number");
    if (!frac) {
        long long i = strtoll(buf, &end, 10);
        v->is_int = errno != ERANGE;
        v->integer = i;
    }
    v->type = SFEW_JSON_NUMBER;
    return SFEW_OK;
}

static sfew_status parse_value(parser *p, sfew_json *v, int depth);

/* Arrays and objects: children are appended in order through a tail pointer. */
static sfew_status parse_container(parser *p, sfew_json *v, int depth, char close)
{
    int object = close == '}';
    v->type = object ? SFEW_JSON_OBJECT : SFEW_JSON_ARRAY;
    if (depth >= MAX_DEPTH)
        return bad(p, "nesting too deep");
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return SFEW_OK;
    }
    sfew_json **tail = &v->child;
    for (;;) {
        sfew_json *c = calloc(1, sizeof *c);
        if (!c)
            return sfew_fail(p->err, SFEW_ENOMEM, "json: out of memory");
        *tail = c;
        tail = &c->next;
        v->count++;
        sfew_status st;
        skip_ws(p);
        if (object) {
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return bad(p, "expected a member name");
            if ((st = parse_string(p, &c->key, &c->keylen)))
                return st;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':')
                return bad(p, "expected ':'");
            p->pos++;
        }
        if ((st = parse_value(p, c, depth + 1)))
            return st;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            return SFEW_OK;
        }
        return bad(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return 0;
    p->pos += n;
    return 1;
}

static sfew_status parse_value(parser *p, sfew_json *v, int depth)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return bad(p, "unexpected end of text");
    char c = p->s[p->pos];
    if (c == '{')
        return parse_container(p, v, depth, '}');
    if (c == '[')
        return parse_container(p, v, depth, ']');
    if (c == '"') {
        v->type = SFEW_JSON_STRING;
        return parse_string(p, &v->str, &v->len);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(p, v);
    if (literal(p, "true") || literal(p, "false")) {
        v->type = SFEW_JSON_BOOL;
        v->boolean = p->s[p->pos - 1] == 'e' && p->s[p->pos - 2] == 'u';
        return SFEW_OK;
    }
    if (literal(p, "null")) {
        v->type = SFEW_JSON_NULL;
        return SFEW_OK;
    }
    return bad(p, "unexpected character");
}

sfew_status sfew_json_parse(const char *text, size_t len, sfew_json **out, sfew_err *err)
{
    parser p = {text, len, 0, err};
    sfew_json *v = calloc(1, sizeof *v);
    if (!v)
        return sfew_fail(err, SFEW_ENOMEM, "json: out of memory");
    sfew_status st = parse_value(&p, v, 0);
    if (!st) {
        skip_ws(&p);
        if (p.pos != p.len)
            st = bad(&p, "trailing characters");
    }
    if (st) {
        sfew_json_free(v);
        return st;
    }
    *out = v;
    return SFEW_OK;
}

void sfew_json_free(sfew_json *v)
{
    while (v) {
        sfew_json *next = v->next;
        sfew_json_free(v->child);
        free(v->str);
        free(v->key);
        free(v);
        v = next;
    }
}
