/* The detector: a pyramid of shrunken images, an integral image (and, for Haar, a squared
 * one) per level, every window of the cascade's size tested stage by stage, then OpenCV's
 * grouping. Each rule below (level sizes, the window step, the stage-0 skip, float versus
 * double arithmetic) follows OpenCV 4.6 so the raw windows come out identical. */
#include "cascade_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../layers/parallel.h"

#define MAX_LEVELS 1000

typedef struct level {
    float scale;
    int sw, sh;     /* this level's image */
    int nx, ny;     /* window origins: x < nx, y < ny */
    int ystep;      /* 2 below scale 2, else 1 */
    int winw, winh; /* the window in the original image */
    size_t off;     /* first integral entry of this level */
} level;

typedef struct hit {
    int level, y, x;
} hit;

/* A Haar tree node with its feature inlined (offsets for this call's integral stride), so
 * the scan follows one pointer per node; for stumps, the two leaves too. */
typedef struct hnode {
    int o[3][4];
    float w[3];
    float threshold;
    int left, right;
    float leaf_lo, leaf_hi; /* stumps: the leaf below / at or above the threshold */
} hnode;

/* A depth-1 LBP tree with its feature's 16 grid offsets and its category subset inlined:
 * the left leaf when the code is in the subset, as OpenCV's stump path evaluates it. */
typedef struct stump {
    int o[16];
    uint32_t subset[SFEW_LBP_SUBSET];
    float left, right;
} stump;

typedef struct hits {
    hit *v;
    size_t n, cap;
    int failed;
} hits;

typedef struct det {
    const sfew_cascade *c;
    const uint8_t *img;
    int w, h, stride, nlevels, nrows;
    level *lv;
    float *all_scales; /* MAX_LEVELS */
    int32_t *sum;   /* all levels, row stride `stride` */
    uint32_t *sq;   /* Haar only: squared sums, wrapping like OpenCV's 32-bit ones */
    hnode *hn;       /* Haar: nnodes */
    int nofs[4];     /* the variance rectangle */
    int (*lbp_ofs)[16];
    stump *stumps;   /* ntrees when every tree has one node, else NULL */
    int *row_level, *row_y; /* the flat list of window rows over all levels */
    hits *out;              /* one per part */
    int failed;
} det;

void sfew_detect_opts_default(sfew_detect_opts *o)
{
    *o = (sfew_detect_opts){1.1, 3, 0, 0, 0, 0, 1};
}

static int push_hit(hits *h, int lvl, int y, int x)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        hit *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return h->failed = 1, -1;
        h->v = v, h->cap = cap;
    }
    h->v[h->n++] = (hit){lvl, y, x};
    return 0;
}

/* Fills level l for scale factor sc. */
static void set_level(det *d, int l, float sc)
{
    const sfew_cascade *c = d->c;
    level *lv = &d->lv[l];
    lv->scale = sc;
    lv->sw = (int)lrintf((float)d->w / sc);
    lv->sh = (int)lrintf((float)d->h / sc);
    lv->sw = lv->sw < 0 ? 0 : lv->sw, lv->sh = lv->sh < 0 ? 0 : lv->sh;
    lv->ystep = sc >= 2 ? 1 : 2;
    lv->nx = lv->sw + 1 - c->win_w > 0 ? lv->sw + 1 - c->win_w : 0;
    lv->ny = lv->sh + 1 - c->win_h > 0 ? lv->sh + 1 - c->win_h : 0;
    lv->winw = (int)lrintf((float)c->win_w * sc);
    lv->winh = (int)lrintf((float)c->win_h * sc);
}

/* The scales OpenCV's detectMultiScaleNoGrouping keeps: every factor whose window fits the
 * image, filtered by the size limits; when none passes (say min size = max size between
 * two factors), the one whose window is nearest the min size. Returns the level count or
 * -1 with err set. */
static int plan_levels(det *d, const sfew_detect_opts *o, sfew_err *err)
{
    const sfew_cascade *c = d->c;
    int maxw = o->max_w > 0 && o->max_h > 0 ? o->max_w : d->w;
    int maxh = o->max_w > 0 && o->max_h > 0 ? o->max_h : d->h;
    if (d->w < c->win_w || d->h < c->win_h)
        return 0;
    float *all = d->all_scales;
    int nall = 0, n = 0;
    for (double factor = 1;; factor *= o->scale_factor) {
        if (lrint(c->win_w * factor) > d->w || lrint(c->win_h * factor) > d->h)
            break;
        if (nall == MAX_LEVELS)
            return sfew_fail(err, SFEW_EINVAL,
                             "detect: scale_factor %g gives more than %d pyramid levels",
                             o->scale_factor, MAX_LEVELS), -1;
        all[nall++] = (float)factor;
    }
    for (int i = 0; i < nall; i++) {
        int ww = (int)lrintf((float)c->win_w * all[i]), wh = (int)lrintf((float)c->win_h * all[i]);
        if (ww > maxw || wh > maxh)
            break;
        if (ww < o->min_w || wh < o->min_h)
            continue;
        set_level(d, n++, all[i]);
    }
    if (n == 0 && nall > 0) {
        int best = 0;
        double bestd = 0;
        for (int i = 0; i < nall; i++) {
            double dw = o->min_w - (int)lrintf((float)c->win_w * all[i]);
            double dh = o->min_h - (int)lrintf((float)c->win_h * all[i]);
            if (i == 0 || dw * dw + dh * dh < bestd)
                best = i, bestd = dw * dw + dh * dh;
        }
        set_level(d, n++, all[best]);
    }
    return n;
}

static void precompute(det *d)
{
    const sfew_cascade *c = d->c;
    int s = d->stride;
    if (c->kind == SFEW_CASCADE_HAAR) {
        int x = 1, y = 1, w = c->win_w - 2, h = c->win_h - 2;
        d->nofs[0] = y * s + x, d->nofs[1] = y * s + x + w;
        d->nofs[2] = (y + h) * s + x, d->nofs[3] = (y + h) * s + x + w;
        for (int t = 0; t < c->ntrees; t++)
            for (int k = 0; k < c->trees[t].nnodes; k++) {
                int ni = c->trees[t].node0 + k;
                const cc_node *nd = &c->nodes[ni];
                const cc_haar *f = &c->haar[nd->feature];
                hnode *hn = &d->hn[ni];
                for (int r = 0; r < 3; r++) {
                    const int *q = f->r[r];
                    int *o = hn->o[r];
                    o[0] = q[1] * s + q[0], o[1] = q[1] * s + q[0] + q[2];
                    o[2] = (q[1] + q[3]) * s + q[0], o[3] = (q[1] + q[3]) * s + q[0] + q[2];
                    hn->w[r] = f->weight[r];
                }
                hn->threshold = nd->threshold;
                hn->left = nd->left, hn->right = nd->right;
                hn->leaf_lo = c->leaves[c->trees[t].leaf0];
                hn->leaf_hi = c->leaves[c->trees[t].leaf0 + 1];
            }
    } else {
        for (int f = 0; f < c->nfeatures; f++) {
            const cc_lbp *q = &c->lbp[f];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    d->lbp_ofs[f][i * 4 + j] = (q->y + i * q->h) * s + q->x + j * q->w;
        }
    }
    if (d->stumps)
        for (int t = 0; t < c->ntrees; t++) {
            int ni = c->trees[t].node0;
            stump *sp = &d->stumps[t];
            memcpy(sp->o, d->lbp_ofs[c->nodes[ni].feature], sizeof sp->o);
            for (int w = 0; w < SFEW_LBP_SUBSET; w++)
                sp->subset[w] = (uint32_t)c->subsets[(size_t)ni * SFEW_LBP_SUBSET + w];
            sp->left = c->leaves[c->trees[t].leaf0];
            sp->right = c->leaves[c->trees[t].leaf0 + 1];
        }
}

/* Resizes the original to level l and writes its integral images. */
static int build_level(det *d, int l, uint8_t *img)
{
    const level *lv = &d->lv[l];
    if (sfew_detect_resize(d->img, d->w, d->h, img, lv->sw, lv->sh, NULL) != SFEW_OK)
        return -1;
    int s = d->stride;
    int32_t *sum = d->sum + lv->off;
    uint32_t *sq = d->sq ? d->sq + lv->off : NULL;
    memset(sum, 0, (size_t)(lv->sw + 1) * sizeof *sum);
    if (sq)
        memset(sq, 0, (size_t)(lv->sw + 1) * sizeof *sq);
    for (int y = 0; y < lv->sh; y++) {
        const uint8_t *row = img + (size_t)y * lv->sw;
        int32_t *up = sum + (size_t)y * s, *cur = up + s;
        int32_t acc = 0;
        cur[0] = 0;
        for (int x = 0; x < lv->sw; x++) {
            acc += row[x];
            cur[x + 1] = up[x + 1] + acc;
        }
        if (sq) {
            uint32_t *squp = sq + (size_t)y * s, *sqcur = squp + s;
            uint32_t a2 = 0;
            sqcur[0] = 0;
            for (int x = 0; x < lv->sw; x++) {
                a2 += (uint32_t)row[x] * row[x];
                sqcur[x + 1] = squp[x + 1] + a2;
            }
        }
    }
    return 0;
}

static void build_part(void *ctx, int part, int parts)
{
    det *d = ctx;
    uint8_t *img = malloc((size_t)d->w * (size_t)d->h);
    if (!img) {
        d->failed = 1;
        return;
    }
    for (int l = part; l < d->nlevels; l += parts)
        if (build_level(d, l, img) != 0)
            d->failed = 1;
    free(img);
}

static inline float haar_value(const int32_t *p, const hnode *f)
{
    float v = f->w[0] * (float)(p[f->o[0][0]] - p[f->o[0][1]] - p[f->o[0][2]] + p[f->o[0][3]]) +
              f->w[1] * (float)(p[f->o[1][0]] - p[f->o[1][1]] - p[f->o[1][2]] + p[f->o[1][3]]);
    if (f->w[2] != 0.0f)
        v += f->w[2] * (float)(p[f->o[2][0]] - p[f->o[2][1]] - p[f->o[2][2]] + p[f->o[2][3]]);
    return v;
}

/* One window of a Haar cascade: 1 if every stage passes, -si when stage si rejects it
 * (0 for the first stage, which lets the scan skip a step), -1 for a flat window. The
 * feature value is float and the stage sum double, as in OpenCV. */
static int eval_haar(const det *d, size_t base)
{
    const sfew_cascade *c = d->c;
    const int32_t *p = d->sum + base;
    const uint32_t *pq = d->sq + base;
    const int *n = d->nofs;
    int valsum = (int)((uint32_t)p[n[0]] - (uint32_t)p[n[1]] - (uint32_t)p[n[2]] +
                       (uint32_t)p[n[3]]);
    uint32_t valsq = pq[n[0]] - pq[n[1]] - pq[n[2]] + pq[n[3]];
    double area = (double)(c->win_w - 2) * (c->win_h - 2);
    double nf = area * valsq - (double)valsum * valsum;
    if (!(nf > 0.))
        return -1;
    float vnf = (float)(1. / sqrt(nf));
    if (!(area * vnf < 1e-1))
        return -1;
    const hnode *hn = d->hn;
    if (c->max_nodes == 1) {
        for (int si = 0; si < c->nstages; si++) {
            const cc_stage *st = &c->stages[si];
            double sum = 0;
            for (int t = 0; t < st->ntrees; t++, hn++)
                sum += haar_value(p, hn) * vnf < hn->threshold ? hn->leaf_lo : hn->leaf_hi;
            if (sum < st->threshold)
                return -si;
        }
        return 1;
    }
    for (int si = 0; si < c->nstages; si++) {
        const cc_stage *st = &c->stages[si];
        double sum = 0;
        for (int t = st->first; t < st->first + st->ntrees; t++) {
            const cc_tree *tr = &c->trees[t];
            int idx = 0;
            do {
                const hnode *nd = &hn[tr->node0 + idx];
                idx = haar_value(p, nd) * vnf < nd->threshold ? nd->left : nd->right;
            } while (idx > 0);
            sum += c->leaves[tr->leaf0 - idx];
        }
        if (sum < st->threshold)
            return -si;
    }
    return 1;
}

/* The 8-bit LBP code of one feature: the eight outer cells of its 3x3 grid compared with
 * the centre, clockwise from the top left. */
static int lbp_code(const int32_t *p, const int *o)
{
#define CELL(a, b, e, f) (p[o[a]] - p[o[b]] - p[o[e]] + p[o[f]])
    int cv = CELL(5, 6, 9, 10);
    return (CELL(0, 1, 4, 5) >= cv ? 128 : 0) | (CELL(1, 2, 5, 6) >= cv ? 64 : 0) |
           (CELL(2, 3, 6, 7) >= cv ? 32 : 0) | (CELL(6, 7, 10, 11) >= cv ? 16 : 0) |
           (CELL(10, 11, 14, 15) >= cv ? 8 : 0) | (CELL(9, 10, 13, 14) >= cv ? 4 : 0) |
           (CELL(8, 9, 12, 13) >= cv ? 2 : 0) | (CELL(4, 5, 8, 9) >= cv ? 1 : 0);
#undef CELL
}

static int eval_lbp(const det *d, size_t base)
{
    const sfew_cascade *c = d->c;
    const int32_t *p = d->sum + base;
    if (d->stumps) {
        const stump *sp = d->stumps;
        for (int si = 0; si < c->nstages; si++) {
            const cc_stage *st = &c->stages[si];
            double sum = 0;
            for (int t = 0; t < st->ntrees; t++, sp++) {
                int code = lbp_code(p, sp->o);
                sum += sp->subset[code >> 5] & (UINT32_C(1) << (code & 31)) ? sp->left
                                                                            : sp->right;
            }
            if (sum < st->threshold)
                return -si;
        }
        return 1;
    }
    for (int si = 0; si < c->nstages; si++) {
        const cc_stage *st = &c->stages[si];
        double sum = 0;
        for (int t = st->first; t < st->first + st->ntrees; t++) {
            const cc_tree *tr = &c->trees[t];
            int idx = 0;
            do {
                int ni = tr->node0 + idx;
                const cc_node *nd = &c->nodes[ni];
                int code = lbp_code(p, d->lbp_ofs[nd->feature]);
                uint32_t word = (uint32_t)c->subsets[(size_t)ni * SFEW_LBP_SUBSET + (code >> 5)];
                idx = word & (UINT32_C(1) << (code & 31)) ? nd->left : nd->right;
            } while (idx > 0);
            sum += c->leaves[tr->leaf0 - idx];
        }
        if (sum < st->threshold)
            return -si;
    }
    return 1;
}

static void scan_part(void *ctx, int part, int parts)
{
    det *d = ctx;
    for (int r = part; r < d->nrows; r += parts) {
        int l = d->row_level[r], y = d->row_y[r];
        const level *lv = &d->lv[l];
        for (int x = 0; x < lv->nx; x += lv->ystep) {
            size_t base = lv->off + (size_t)y * d->stride + (size_t)x;
            int res = d->c->kind == SFEW_CASCADE_HAAR ? eval_haar(d, base) : eval_lbp(d, base);
            if (res > 0 && push_hit(&d->out[part], l, y, x) != 0)
                return;
            if (res == 0)
                x += lv->ystep;
        }
    }
}

static int cmp_hit(const void *a, const void *b)
{
    const hit *p = a, *q = b;
    if (p->level != q->level)
        return p->level < q->level ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

/* Sizes and allocates the pyramid; returns the number of levels, 0 when none fits, or -1
 * with err set. */
static int setup(det *d, const sfew_detect_opts *o, sfew_err *err)
{
    const sfew_cascade *c = d->c;
    d->all_scales = calloc(MAX_LEVELS, sizeof *d->all_scales);
    if (!(d->lv = calloc(MAX_LEVELS, sizeof *d->lv)) || !d->all_scales)
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory"), -1;
    int n = plan_levels(d, o, err);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    d->nlevels = n;
    d->stride = d->lv[0].sw + 1;
    size_t total = 0;
    for (int l = 0; l < n; l++) {
        d->lv[l].off = total;
        total += (size_t)(d->lv[l].sh + 1) * (size_t)d->stride;
        d->nrows += (d->lv[l].ny + d->lv[l].ystep - 1) / d->lv[l].ystep;
    }
    d->sum = malloc(total * sizeof *d->sum);
    if (c->kind == SFEW_CASCADE_HAAR) {
        d->sq = malloc(total * sizeof *d->sq);
        d->hn = calloc((size_t)c->nnodes, sizeof *d->hn);
    } else {
        d->lbp_ofs = calloc((size_t)c->nfeatures, sizeof *d->lbp_ofs);
    }
    d->row_level = calloc((size_t)d->nrows + 1, sizeof *d->row_level);
    d->row_y = calloc((size_t)d->nrows + 1, sizeof *d->row_y);
    if (!d->sum || !d->row_level || !d->row_y ||
        (c->kind == SFEW_CASCADE_HAAR ? !d->sq || !d->hn : !d->lbp_ofs) ||
        (c->kind == SFEW_CASCADE_LBP && c->max_nodes == 1 &&
         !(d->stumps = calloc((size_t)c->ntrees, sizeof *d->stumps))))
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory for %d levels", n), -1;
    int r = 0;
    for (int l = 0; l < n; l++)
        for (int y = 0; y < d->lv[l].ny; y += d->lv[l].ystep)
            d->row_level[r] = l, d->row_y[r++] = y;
    precompute(d);
    return n;
}

static void release(det *d, int parts)
{
    free(d->lv);
    free(d->all_scales);
    free(d->sum);
    free(d->sq);
    free(d->hn);
    free(d->stumps);
    free(d->lbp_ofs);
    free(d->row_level);
    free(d->row_y);
    if (d->out)
        for (int p = 0; p < parts; p++)
            free(d->out[p].v);
    free(d->out);
}

/* The raw windows, in (level, y, x) order. */
static sfew_status raw_windows(det *d, int parts, sfew_box **boxes, int *n, sfew_err *err)
{
    size_t total = 0;
    for (int p = 0; p < parts; p++)
        total += d->out[p].n;
    if (total > (size_t)1 << 28)
        return sfew_fail(err, SFEW_ENOMEM, "detect: too many windows");
    hit *all = malloc((total + 1) * sizeof *all);
    sfew_box *b = malloc((total + 1) * sizeof *b);
    if (!all || !b) {
        free(all);
        free(b);
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    }
    size_t k = 0;
    for (int p = 0; p < parts; p++)
        for (size_t i = 0; i < d->out[p].n; i++)
            all[k++] = d->out[p].v[i];
    qsort(all, total, sizeof *all, cmp_hit);
    for (size_t i = 0; i < total; i++) {
        const level *lv = &d->lv[all[i].level];
        b[i] = (sfew_box){(int)lrintf((float)all[i].x * lv->scale),
                          (int)lrintf((float)all[i].y * lv->scale), lv->winw, lv->winh, 1};
    }
    free(all);
    *boxes = b, *n = (int)total;
    return SFEW_OK;
}

/* OpenCV's clipObjects: each box cut to the image; empty ones dropped. */
static void clip(sfew_box *b, int *n, int w, int h)
{
    int k = 0;
    for (int i = 0; i < *n; i++) {
        int x0 = b[i].x > 0 ? b[i].x : 0, y0 = b[i].y > 0 ? b[i].y : 0;
        int x1 = b[i].x + b[i].w < w ? b[i].x + b[i].w : w;
        int y1 = b[i].y + b[i].h < h ? b[i].y + b[i].h : h;
        if (x1 > x0 && y1 > y0)
            b[k++] = (sfew_box){x0, y0, x1 - x0, y1 - y0, b[i].neighbors};
    }
    *n = k;
}

sfew_status sfew_cascade_detect(const sfew_cascade *c, const uint8_t *gray, int w, int h,
                                const sfew_detect_opts *o, sfew_box **boxes, int *n,
                                sfew_err *err)
{
    if (!(o->scale_factor > 1) || o->scale_factor > 100)
        return sfew_fail(err, SFEW_EINVAL, "detect: scale_factor must be in (1, 100], not %g",
                         o->scale_factor);
    if (w < 0 || h < 0 || o->min_w < 0 || o->min_h < 0 || o->max_w < 0 || o->max_h < 0)
        return sfew_fail(err, SFEW_EINVAL, "detect: negative size");
    *boxes = NULL, *n = 0;
    if (w == 0 || h == 0)
        return SFEW_OK;
    int parts = o->threads < 1 ? 1 : o->threads > SFEW_PAR_MAX ? SFEW_PAR_MAX : o->threads;
    det d = {.c = c, .img = gray, .w = w, .h = h};
    int nl = setup(&d, o, err);
    if (nl <= 0) {
        release(&d, parts);
        return nl < 0 ? SFEW_ENOMEM : SFEW_OK;
    }
    sfew_status st = SFEW_OK;
    sfew_parallel(parts < nl ? parts : nl, build_part, &d);
    if (d.failed) {
        release(&d, parts);
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    }
    if (!(d.out = calloc((size_t)parts, sizeof *d.out))) {
        release(&d, parts);
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    }
    sfew_parallel(parts, scan_part, &d);
    for (int p = 0; p < parts; p++)
        if (d.out[p].failed)
            st = sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    sfew_box *raw = NULL;
    int nraw = 0;
    if (st == SFEW_OK)
        st = raw_windows(&d, parts, &raw, &nraw, err);
    release(&d, parts);
    if (st != SFEW_OK)
        return st;
    st = sfew_detect_group(raw, nraw, o->min_neighbors, 0.2, boxes, n, err);
    free(raw);
    if (st == SFEW_OK)
        clip(*boxes, n, w, h);
    return st;
}
