/* Reads OpenCV 3/4 cascade XML (FileStorage's layout: <opencv_storage><cascade> with
 * stageType, featureType, width, height, featureParams, stages and features) into the
 * flat arrays the evaluator walks. Every index is checked here, so evaluation needs no
 * bounds checks. */
#include "cascade_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

typedef struct rd {
    const xml_doc *d;
    const char *name;
    sfew_err *err;
} rd;

static sfew_status bad(const rd *r, const char *fmt, ...)
{
    char what[SFEW_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sfew_fail(r->err, SFEW_EIO, "cascade '%s': %s", r->name, what);
}

/* Parses the whitespace-separated numbers of node i into out (when not NULL, at most max);
 * returns how many, or -1 for a token that is not a number or more than max. */
static int numbers(const rd *r, int i, double *out, int max)
{
    if (i < 0)
        return -1;
    const xml_node *x = &r->d->nodes[i];
    if (x->first >= 0 || !x->text)
        return x->first >= 0 ? -1 : 0;
    const char *p = x->text, *end = x->text + x->tlen;
    int n = 0;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (p >= end)
            return n;
        char *q;
        errno = 0;
        double v = strtod(p, &q);
        if (q == p || q > end || errno == ERANGE || v != v)
            return -1;
        if (n == max)
            return -1;
        if (out)
            out[n] = v;
        n++;
        p = q;
    }
}

/* An integer-valued number in [lo, hi]. */
static int whole(double v, double lo, double hi)
{
    return v >= lo && v <= hi && v == (double)(long long)v;
}

static sfew_status scalar_int(const rd *r, int parent, const char *key, int lo, int hi,
                              int *out)
{
    double v;
    if (numbers(r, xml_child(r->d, parent, key), &v, 1) != 1 || !whole(v, lo, hi))
        return bad(r, "<%s> must be an integer in [%d, %d]", key, lo, hi);
    *out = (int)v;
    return SFEW_OK;
}

static int text_is(const rd *r, int i, const char *s)
{
    if (i < 0 || r->d->nodes[i].first >= 0 || !r->d->nodes[i].text) /* no text: no match */
        return 0;
    const xml_node *x = &r->d->nodes[i];
    const char *p = x->text, *e = x->text + x->tlen;
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
        e--;
    return (size_t)(e - p) == strlen(s) && memcmp(p, s, strlen(s)) == 0;
}

static sfew_status read_haar(const rd *r, int fi, int k, sfew_cascade *c)
{
    cc_haar *f = &c->haar[k];
    int rects = xml_child(r->d, fi, "rects"), tilted = xml_child(r->d, fi, "tilted");
    double t;
    if (tilted >= 0 && (numbers(r, tilted, &t, 1) != 1 || t != 0))
        return bad(r, "feature %d is tilted (tilted Haar features are not supported)", k);
    f->nrect = xml_count(r->d, rects);
    if (f->nrect < 1 || f->nrect > 3)
        return bad(r, "feature %d must have 1 to 3 <rects>", k);
    int j = 0;
    for (int q = r->d->nodes[rects].first; q >= 0; q = r->d->nodes[q].next, j++) {
        double v[5];
        if (numbers(r, q, v, 5) != 5)
            return bad(r, "feature %d rect %d must be 'x y w h weight'", k, j);
        for (int a = 0; a < 4; a++)
            if (!whole(v[a], 0, 4096))
                return bad(r, "feature %d rect %d: bad coordinate", k, j);
        if (v[0] + v[2] > c->win_w || v[1] + v[3] > c->win_h)
            return bad(r, "feature %d rect %d lies outside the %dx%d window", k, j, c->win_w,
                       c->win_h);
        for (int a = 0; a < 4; a++)
            f->r[j][a] = (int)v[a];
        f->weight[j] = (float)v[4];
    }
    return SFEW_OK;
}

static sfew_status read_lbp(const rd *r, int fi, int k, sfew_cascade *c)
{
    double v[4];
    if (numbers(r, xml_child(r->d, fi, "rect"), v, 4) != 4)
        return bad(r, "feature %d must have <rect> 'x y w h'", k);
    for (int a = 0; a < 4; a++)
        if (!whole(v[a], a < 2 ? 0 : 1, 4096))
            return bad(r, "feature %d: bad rect", k);
    if (v[0] + 3 * v[2] > c->win_w || v[1] + 3 * v[3] > c->win_h)
        return bad(r, "feature %d: its 3x3 cells lie outside the %dx%d window", k, c->win_w,
                   c->win_h);
    c->lbp[k] = (cc_lbp){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
    return SFEW_OK;
}

static sfew_status read_features(const rd *r, int cas, sfew_cascade *c)
{
    int fs = xml_child(r->d, cas, "features");
    c->nfeatures = xml_count(r->d, fs);
    if (c->nfeatures < 1)
        return bad(r, "no <features>");
    if (c->kind == SFEW_CASCADE_HAAR)
        c->haar = calloc((size_t)c->nfeatures, sizeof *c->haar);
    else
        c->lbp = calloc((size_t)c->nfeatures, sizeof *c->lbp);
    if (!c->haar && !c->lbp)
        return sfew_fail(r->err, SFEW_ENOMEM, "cascade '%s': out of memory", r->name);
    int k = 0;
    for (int f = r->d->nodes[fs].first; f >= 0; f = r->d->nodes[f].next, k++) {
        sfew_status st = c->kind == SFEW_CASCADE_HAAR ? read_haar(r, f, k, c)
                                                      : read_lbp(r, f, k, c);
        if (st != SFEW_OK)
            return st;
    }
    return SFEW_OK;
}

/* Pass 1: counts trees and nodes, checking each tree's number counts. */
static sfew_status count_stages(const rd *r, int stages, int step, sfew_cascade *c)
{
    int si = 0;
    if (stages < 0)
        return bad(r, "no <stages>");
    for (int s = r->d->nodes[stages].first; s >= 0; s = r->d->nodes[s].next, si++) {
        int wc = xml_child(r->d, s, "weakClassifiers");
        int nt = xml_count(r->d, wc);
        if (nt < 1)
            return bad(r, "stage %d has no <weakClassifiers>", si);
        int ti = 0;
        for (int t = r->d->nodes[wc].first; t >= 0; t = r->d->nodes[t].next, ti++) {
            int ni = numbers(r, xml_child(r->d, t, "internalNodes"), NULL, INT_MAX);
            int nl = numbers(r, xml_child(r->d, t, "leafValues"), NULL, INT_MAX);
            if (ni < step || ni % step != 0)
                return bad(r, "stage %d tree %d: <internalNodes> must hold groups of %d numbers",
                           si, ti, step);
            if (nl != ni / step + 1)
                return bad(r, "stage %d tree %d: %d leaf values for %d nodes", si, ti, nl,
                           ni / step);
            if (c->nnodes > INT_MAX / 2 - ni / step || c->ntrees == INT_MAX / 2)
                return bad(r, "too many nodes");
            c->nnodes += ni / step;
            c->ntrees++;
        }
    }
    c->nstages = si;
    return si > 0 ? SFEW_OK : bad(r, "no <stages>");
}

static sfew_status read_tree(const rd *r, int t, int step, int si, int ti, sfew_cascade *c,
                             int *node, int *leaf, double *buf)
{
    int ni = numbers(r, xml_child(r->d, t, "internalNodes"), buf, INT_MAX);
    int nn = ni / step;
    cc_tree *tr = &c->trees[c->ntrees++];
    *tr = (cc_tree){*node, nn, *leaf};
    for (int k = 0; k < nn; k++) {
        const double *v = buf + k * step;
        cc_node *nd = &c->nodes[*node + k];
        for (int a = 0; a < 2; a++)
            if (!whole(v[a], -nn, nn - 1) || (v[a] > 0 && v[a] <= k))
                return bad(r, "stage %d tree %d node %d: bad child index", si, ti, k);
        if (!whole(v[2], 0, c->nfeatures - 1))
            return bad(r, "stage %d tree %d node %d: feature index out of range", si, ti, k);
        nd->left = (int)v[0], nd->right = (int)v[1], nd->feature = (int)v[2];
        if (c->kind == SFEW_CASCADE_LBP) {
            for (int w = 0; w < SFEW_LBP_SUBSET; w++) {
                if (!whole(v[3 + w], INT32_MIN, INT32_MAX))
                    return bad(r, "stage %d tree %d node %d: bad category subset", si, ti, k);
                c->subsets[(size_t)(*node + k) * SFEW_LBP_SUBSET + w] = (int32_t)v[3 + w];
            }
            nd->threshold = 0.f;
        } else {
            nd->threshold = (float)v[3];
        }
    }
    int nl = numbers(r, xml_child(r->d, t, "leafValues"), buf, INT_MAX);
    for (int k = 0; k < nl; k++)
        c->leaves[*leaf + k] = (float)buf[k];
    *node += nn, *leaf += nl;
    if (nn > c->max_nodes)
        c->max_nodes = nn;
    return SFEW_OK;
}

static sfew_status read_stages(const rd *r, int cas, sfew_cascade *c)
{
    int stages = xml_child(r->d, cas, "stages");
    int step = c->kind == SFEW_CASCADE_LBP ? 3 + SFEW_LBP_SUBSET : 4;
    sfew_status st = count_stages(r, stages, step, c);
    if (st != SFEW_OK)
        return st;
    c->stages = calloc((size_t)c->nstages, sizeof *c->stages);
    c->trees = calloc((size_t)c->ntrees, sizeof *c->trees);
    c->nodes = calloc((size_t)c->nnodes, sizeof *c->nodes);
    c->leaves = calloc((size_t)(c->nnodes + c->ntrees), sizeof *c->leaves);
    if (c->kind == SFEW_CASCADE_LBP)
        c->subsets = calloc((size_t)c->nnodes * SFEW_LBP_SUBSET, sizeof *c->subsets);
    double *buf = NULL;
    int maxn = 0;
    for (int i = 0; i < r->d->n; i++)
        if (r->d->nodes[i].first < 0 && (int)r->d->nodes[i].tlen / 2 + 2 > maxn)
            maxn = (int)(r->d->nodes[i].tlen / 2 + 2);
    buf = calloc((size_t)maxn, sizeof *buf);
    if (!c->stages || !c->trees || !c->nodes || !c->leaves || !buf ||
        (c->kind == SFEW_CASCADE_LBP && !c->subsets)) {
        free(buf);
        return sfew_fail(r->err, SFEW_ENOMEM, "cascade '%s': out of memory", r->name);
    }
    int si = 0, node = 0, leaf = 0;
    c->ntrees = 0;
    for (int s = r->d->nodes[stages].first; s >= 0; s = r->d->nodes[s].next, si++) {
        double th;
        if (numbers(r, xml_child(r->d, s, "stageThreshold"), &th, 1) != 1) {
            free(buf);
            return bad(r, "stage %d has no <stageThreshold>", si);
        }
        int wc = xml_child(r->d, s, "weakClassifiers");
        c->stages[si] = (cc_stage){(float)th - 1e-5f, xml_count(r->d, wc), c->ntrees};
        int ti = 0;
        for (int t = r->d->nodes[wc].first; t >= 0; t = r->d->nodes[t].next, ti++)
            if ((st = read_tree(r, t, step, si, ti, c, &node, &leaf, buf)) != SFEW_OK) {
                free(buf);
                return st;
            }
    }
    free(buf);
    /* OpenCV evaluates depth-1 cascades as stumps: first leaf below the threshold, second
     * above, whatever the child fields say. */
    if (c->max_nodes == 1)
        for (int k = 0; k < c->nnodes; k++)
            c->nodes[k].left = 0, c->nodes[k].right = -1;
    return SFEW_OK;
}

static sfew_status read_header(const rd *r, int cas, sfew_cascade *c)
{
    if (xml_child(r->d, cas, "stageType") < 0) {
        if (xml_child(r->d, cas, "size") >= 0 || xml_child(r->d, cas, "trees") >= 0)
            return bad(r, "an old-format cascade (OpenCV 1.x layout with <size>); "
                          "only the OpenCV 3/4 format is read");
        return bad(r, "not an OpenCV cascade (no <stageType>)");
    }
    if (!text_is(r, xml_child(r->d, cas, "stageType"), "BOOST"))
        return bad(r, "<stageType> must be BOOST");
    int ft = xml_child(r->d, cas, "featureType");
    if (text_is(r, ft, "HAAR"))
        c->kind = SFEW_CASCADE_HAAR;
    else if (text_is(r, ft, "LBP"))
        c->kind = SFEW_CASCADE_LBP;
    else
        return bad(r, "<featureType> must be HAAR or LBP");
    sfew_status st = scalar_int(r, cas, "width", 1, 1024, &c->win_w);
    if (st == SFEW_OK)
        st = scalar_int(r, cas, "height", 1, 1024, &c->win_h);
    if (st != SFEW_OK)
        return st;
    int cats = 0;
    st = scalar_int(r, xml_child(r->d, cas, "featureParams"), "maxCatCount", 0, 256, &cats);
    if (st != SFEW_OK)
        return st;
    if (cats != (c->kind == SFEW_CASCADE_LBP ? 256 : 0))
        return bad(r, "<maxCatCount> %d does not fit %s features", cats,
                   c->kind == SFEW_CASCADE_LBP ? "LBP" : "HAAR");
    if (c->win_w < 3 || c->win_h < 3)
        return bad(r, "the window %dx%d is too small", c->win_w, c->win_h);
    return SFEW_OK;
}

sfew_status sfew_cascade_parse(const char *text, size_t len, const char *name,
                               sfew_cascade **out, sfew_err *err)
{
    xml_doc d;
    rd r = {&d, name ? name : "?", err};
    sfew_status st = xml_parse(text, len, r.name, &d, err);
    if (st != SFEW_OK)
        return st;
    sfew_cascade *c = calloc(1, sizeof *c);
    if (!c) {
        xml_free(&d);
        return sfew_fail(err, SFEW_ENOMEM, "cascade '%s': out of memory", r.name);
    }
    int root = 0, cas = d.nodes[0].first;
    if (d.nodes[root].nlen != 14 || memcmp(d.nodes[root].name, "opencv_storage", 14) != 0 ||
        cas < 0)
        st = bad(&r, "not an OpenCV cascade (the root element is not <opencv_storage>)");
    if (st == SFEW_OK)
        st = read_header(&r, cas, c);
    if (st == SFEW_OK)
        st = read_features(&r, cas, c);
    if (st == SFEW_OK)
        st = read_stages(&r, cas, c);
    xml_free(&d);
    if (st != SFEW_OK) {
        sfew_cascade_free(c);
        return st;
    }
    *out = c;
    return SFEW_OK;
}

sfew_status sfew_cascade_load(const char *path, sfew_cascade **out, sfew_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sfew_fail(err, SFEW_EIO, "cascade '%s': cannot open it", path);
    char *buf = NULL;
    long sz = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return sfew_fail(err, SFEW_EIO, "cascade '%s': cannot read it", path);
    }
    if (sz > SFEW_CASCADE_MAX_BYTES) {
        fclose(f);
        return sfew_fail(err, SFEW_EIO, "cascade '%s': larger than %lld bytes", path,
                         (long long)SFEW_CASCADE_MAX_BYTES);
    }
    if (!(buf = malloc((size_t)sz + 1))) {
        fclose(f);
        return sfew_fail(err, SFEW_ENOMEM, "cascade '%s': out of memory", path);
    }
    size_t got = fread(buf, 1, (size_t)sz, f);
    fclose(f);
    if (got != (size_t)sz) {
        free(buf);
        return sfew_fail(err, SFEW_EIO, "cascade '%s': cannot read it", path);
    }
    sfew_status st = sfew_cascade_parse(buf, got, path, out, err);
    free(buf);
    return st;
}

void sfew_cascade_free(sfew_cascade *c)
{
    if (!c)
        return;
    free(c->stages);
    free(c->trees);
    free(c->nodes);
    free(c->leaves);
    free(c->subsets);
    free(c->haar);
    free(c->lbp);
    free(c);
}

void sfew_cascade_window(const sfew_cascade *c, int *w, int *h)
{
    *w = c->win_w, *h = c->win_h;
}

sfew_cascade_kind sfew_cascade_kind_of(const sfew_cascade *c)
{
    return c->kind;
}

int sfew_cascade_nstages(const sfew_cascade *c)
{
    return c->nstages;
}
