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

typedef struct parser {
    xml_doc d;
    const char *p;
    int stack[XML_MAX_DEPTH], depth, root;
    sfew_status st; /* SFEW_EIO, or SFEW_ENOMEM for "too many elements" */
} parser;

/* "</name>" at s->p: closes the open element. Returns NULL or what is wrong. */
static const char *close_tag(parser *s)
{
    const char *nm = s->p + 2;
    int nl = 0;
    while (is_name(nm[nl]))
        nl++;
    if (s->depth == 0)
        return "not XML (a closing tag opens it)";
    xml_node *x = &s->d.nodes[s->stack[s->depth - 1]];
    if (nl != x->nlen || memcmp(nm, x->name, (size_t)nl) != 0)
        return "not XML (mismatched closing tag)";
    if (x->first < 0 && x->text)
        x->tlen = (size_t)(s->p - x->text);
    s->depth--;
    const char *gt = strchr(nm + nl, '>');
    if (!gt)
        return "truncated (unterminated closing tag)";
    s->p = gt + 1;
    return NULL;
}

/* "<name ...>" or "<name .../>" at s->p: a new child of the open element. */
static const char *open_tag(parser *s)
{
    const char *nm = s->p + 1;
    int nl = 0, empty = 0;
    while (is_name(nm[nl]))
        nl++;
    if (nl == 0)
        return "not XML (a '<' without a tag name)";
    if (s->depth == 0 && s->root >= 0)
        return "not XML (two root elements)";
    if (!(s->p = skip_attrs(nm + nl, &empty)))
        return "truncated (unterminated tag)";
    int id = add_node(&s->d, nm, nl);
    if (id < 0)
        return s->st = SFEW_ENOMEM, "too many elements";
    if (s->depth > 0) {
        xml_node *par = &s->d.nodes[s->stack[s->depth - 1]];
        if (par->last >= 0)
            s->d.nodes[par->last].next = id;
        else
            par->first = id;
        par->last = id;
    } else {
        s->root = id;
    }
    if (!empty) {
        if (s->depth == XML_MAX_DEPTH)
            return "nested too deeply";
        s->d.nodes[id].text = s->p;
        s->stack[s->depth++] = id;
    }
    return NULL;
}

/* Walks the text; returns NULL or what is wrong. */
static const char *walk(parser *s)
{
    for (;;) {
        const char *lt = strchr(s->p, '<');
        if (s->depth == 0)
            for (const char *q = s->p; q < (lt ? lt : s->p + strlen(s->p)); q++)
                if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
                    return "not XML (text outside elements)";
        if (!lt)
            break;
        s->p = lt;
        const char *bad;
        if (lt[1] == '!' || lt[1] == '?') {
            if (!(s->p = skip_special(lt)))
                return "truncated (unterminated comment)";
        } else if ((bad = lt[1] == '/' ? close_tag(s) : open_tag(s)) != NULL) {
            return bad;
        }
    }
    if (s->depth > 0)
        return "truncated (unclosed elements at the end)";
    return s->root < 0 ? "not XML (no elements)" : NULL;
}

sfew_status xml_parse(const char *text, size_t len, const char *name, xml_doc *doc,
                      sfew_err *err)
{
    parser s = {.depth = 0, .root = -1, .st = SFEW_EIO};
    if (!(s.d.buf = malloc(len + 1)))
        return fail(&s.d, err, SFEW_ENOMEM, name, "out of memory");
    memcpy(s.d.buf, text, len);
    s.d.buf[len] = 0;
    if (memchr(s.d.buf, 0, len))
        return fail(&s.d, err, SFEW_EIO, name, "not XML (binary data)");
    s.p = s.d.buf;
    if (len >= 3 && memcmp(s.p, "\xEF\xBB\xBF", 3) == 0)
        s.p += 3; /* a UTF-8 byte-order mark */
    const char *bad = walk(&s);
    if (bad)
        return fail(&s.d, err, s.st, name, bad);
    *doc = s.d;
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
