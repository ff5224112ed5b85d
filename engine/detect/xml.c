/* The XML subset OpenCV writes: nested elements holding whitespace-separated numbers. */
#include "xml.h"

#include <stdlib.h>
#include <string.h>

#define XML_MAX_DEPTH 64
#define XML_MAX_NODES (1 << 22)

static int add_node(xml_doc *d, const char *name, int nlen)
{
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 1024;
        if (cap > XML_MAX_NODES)
            return -1;
        xml_node *p = realloc(d->nodes, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        d->nodes = p, d->cap = cap;
    }
    xml_node *x = &d->nodes[d->n];
    *x = (xml_node){name, nlen, NULL, 0, -1, -1, -1};
    return d->n++;
}

static int is_name(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == ':';
}

/* Skips "<!-- ... -->", "<?...?>" or "<!...>" at p; returns the position after, or NULL. */
static const char *skip_special(const char *p)
{
    const char *e;
    if (strncmp(p, "<!--", 4) == 0)
        return (e = strstr(p + 4, "-->")) ? e + 3 : NULL;
    if (p[1] == '?')
        return (e = strstr(p + 2, "?>")) ? e + 2 : NULL;
    return (e = strchr(p + 2, '>')) ? e + 1 : NULL;
}

/* Skips attributes to the end of a start tag; *empty = 1 for "/>". NULL if unterminated. */
static const char *skip_attrs(const char *p, int *empty)
{
    while (*p && *p != '>') {
        if (*p == '"' || *p == '\'') {
            const char *q = strchr(p + 1, *p);
            if (!q)
                return NULL;
            p = q;
        }
        p++;
    }
    if (!*p)
        return NULL;
    *empty = p[-1] == '/';
    return p + 1;
}

static sfew_status fail(xml_doc *d, sfew_err *err, sfew_status st, const char *name,
                        const char *what)
{
    xml_free(d);
    return sfew_fail(err, st, "cascade '%s': %s", name, what);
}

sfew_status xml_parse(const char *text, size_t len, const char *name, xml_doc *doc,
                      sfew_err *err)
{
    xml_doc d = {0};
    int stack[XML_MAX_DEPTH], depth = 0, root = -1;
    if (!(d.buf = malloc(len + 1)))
        return fail(&d, err, SFEW_ENOMEM, name, "out of memory");
    memcpy(d.buf, text, len);
    d.buf[len] = 0;
    if (memchr(d.buf, 0, len))
        return fail(&d, err, SFEW_EIO, name, "not XML (binary data)");
    const char *p = d.buf;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a UTF-8 byte-order mark */
    for (;;) {
        const char *lt = strchr(p, '<');
        if (depth == 0) {
            for (const char *q = p; q < (lt ? lt : p + strlen(p)); q++)
                if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
                    return fail(&d, err, SFEW_EIO, name, "not XML (text outside elements)");
        }
        if (!lt)
            break;
        p = lt;
        if (p[1] == '!' || p[1] == '?') {
            if (!(p = skip_special(p)))
                return fail(&d, err, SFEW_EIO, name, "truncated (unterminated comment)");
            continue;
        }
        if (p[1] == '/') {
            const char *nm = p + 2;
            int nl = 0;
            while (is_name(nm[nl]))
                nl++;
            if (depth == 0)
                return fail(&d, err, SFEW_EIO, name, "not XML (a closing tag opens it)");
            xml_node *x = &d.nodes[stack[depth - 1]];
            if (nl != x->nlen || memcmp(nm, x->name, (size_t)nl) != 0)
                return fail(&d, err, SFEW_EIO, name, "not XML (mismatched closing tag)");
            if (x->first < 0 && x->text)
                x->tlen = (size_t)(p - x->text);
            depth--;
            const char *gt = strchr(nm + nl, '>');
            if (!gt)
                return fail(&d, err, SFEW_EIO, name, "truncated (unterminated closing tag)");
            p = gt + 1;
            continue;
        }
        const char *nm = p + 1;
        int nl = 0, empty = 0;
        while (is_name(nm[nl]))
            nl++;
        if (nl == 0)
            return fail(&d, err, SFEW_EIO, name, "not XML (a '<' without a tag name)");
        if (depth == 0 && root >= 0)
            return fail(&d, err, SFEW_EIO, name, "not XML (two root elements)");
        if (!(p = skip_attrs(nm + nl, &empty)))
            return fail(&d, err, SFEW_EIO, name, "truncated (unterminated tag)");
        int id = add_node(&d, nm, nl);
        if (id < 0)
            return fail(&d, err, SFEW_ENOMEM, name, "too many elements");
        if (depth > 0) {
            xml_node *par = &d.nodes[stack[depth - 1]];
            if (par->last >= 0)
                d.nodes[par->last].next = id;
            else
                par->first = id;
            par->last = id;
        } else {
            root = id;
        }
        if (!empty) {
            if (depth == XML_MAX_DEPTH)
                return fail(&d, err, SFEW_EIO, name, "nested too deeply");
            d.nodes[id].text = p;
            stack[depth++] = id;
        }
    }
    if (depth > 0)
        return fail(&d, err, SFEW_EIO, name, "truncated (unclosed elements at the end)");
    if (root < 0)
        return fail(&d, err, SFEW_EIO, name, "not XML (no elements)");
    *doc = d;
    return SFEW_OK;
}

void xml_free(xml_doc *doc)
{
    free(doc->buf);
    free(doc->nodes);
    *doc = (xml_doc){0};
}

int xml_child(const xml_doc *d, int i, const char *key)
{
    if (i < 0)
        return -1;
    size_t kl = strlen(key);
    for (int c = d->nodes[i].first; c >= 0; c = d->nodes[c].next)
        if ((size_t)d->nodes[c].nlen == kl && memcmp(d->nodes[c].name, key, kl) == 0)
            return c;
    return -1;
}

int xml_count(const xml_doc *d, int i)
{
    int n = 0;
    for (int c = i >= 0 ? d->nodes[i].first : -1; c >= 0; c = d->nodes[c].next)
        n++;
    return n;
}
