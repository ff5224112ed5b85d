/* The detector: a pyramid of shrunken images, an integral image (and, for Haar, a squared
 * one) per level, every window of the cascade's size tested stage by stage, then OpenCV's
 * grouping. Each rule below (level sizes, the window step, the stage-0 skip, float versus
 * double arithmetic) follows OpenCV 4.6 so the raw windows come out identical. */
#include "scan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../parallel.h"

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

/* One row with the eight-lane Haar scan. */
static int scan_row8(det *d, hits *out, int l, int y)
{
    const level *lv = &d->lv[l];
    int skip = 0, step = lv->ystep;
    for (int x0 = 0; x0 < lv->nx; x0 += 8 * step) {
        int n = (lv->nx - x0 + step - 1) / step;
        n = n < 8 ? n : 8;
        size_t base = lv->off + (size_t)y * d->stride + (size_t)x0;
        for (int m = sfew_detect_haar8(d, base, step, n, &skip); m; m &= m - 1)
            if (push_hit(out, l, y, x0 + __builtin_ctz((unsigned)m) * step) != 0)
                return -1;
    }
    return 0;
}

static void scan_part(void *ctx, int part, int parts)
{
    det *d = ctx;
    for (int r = part; r < d->nrows; r += parts) {
        int l = d->row_level[r], y = d->row_y[r];
        const level *lv = &d->lv[l];
        if (d->vt) {
            if (scan_row8(d, &d->out[part], l, y) != 0)
                return;
            continue;
        }
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
    int nl = sfew_detect_setup(&d, o, err);
    if (nl <= 0) {
        sfew_detect_release(&d, parts);
        return nl < 0 ? SFEW_ENOMEM : SFEW_OK;
    }
    sfew_status st = SFEW_OK;
    if (!(d.out = calloc((size_t)parts, sizeof *d.out))) {
        sfew_detect_release(&d, parts);
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    }
    /* each part flags its own failures: no two threads write one field */
    sfew_parallel(parts < nl ? parts : nl, sfew_detect_build_part, &d);
    for (int p = 0; p < parts; p++)
        if (d.out[p].failed)
            st = sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    if (st == SFEW_OK)
        sfew_parallel(parts, scan_part, &d);
    for (int p = 0; p < parts && st == SFEW_OK; p++)
        if (d.out[p].failed)
            st = sfew_fail(err, SFEW_ENOMEM, "detect: out of memory");
    sfew_box *raw = NULL;
    int nraw = 0;
    if (st == SFEW_OK)
        st = raw_windows(&d, parts, &raw, &nraw, err);
    sfew_detect_release(&d, parts);
    if (st != SFEW_OK)
        return st;
    st = sfew_detect_group(raw, nraw, o->min_neighbors, 0.2, boxes, n, err);
    free(raw);
    if (st == SFEW_OK)
        clip(*boxes, n, w, h);
    return st;
}
