/* The pyramid: which scales OpenCV 4.6 visits, each level resized from the original with
 * its bit-exact bilinear resize, and the integral images the scan reads. */
#include "scan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

void sfew_detect_build_part(void *ctx, int part, int parts)
{
    det *d = ctx;
    uint8_t *img = malloc((size_t)d->w * (size_t)d->h);
    if (!img) {
        d->out[part].failed = 1;
        return;
    }
    for (int l = part; l < d->nlevels; l += parts)
        if (build_level(d, l, img) != 0)
            d->out[part].failed = 1;
    free(img);
}

/* Sizes and allocates the pyramid; returns the number of levels, 0 when none fits, or -1
 * with err set. */
int sfew_detect_setup(det *d, const sfew_detect_opts *o, sfew_err *err)
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
    /* the eight-lane scan reads up to 16 entries past a level's last window */
    total += 32;
    d->sum = calloc(total, sizeof *d->sum);
    if (c->kind == SFEW_CASCADE_HAAR) {
        d->sq = calloc(total, sizeof *d->sq);
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
    if (sfew_detect_simd_prepare(d) < 0)
        return sfew_fail(err, SFEW_ENOMEM, "detect: out of memory for %d levels", n), -1;
    return n;
}

void sfew_detect_release(det *d, int parts)
{
    free(d->lv);
    free(d->all_scales);
    free(d->sum);
    free(d->sq);
    free(d->hn);
    free(d->stumps);
    free(d->vt);
    free(d->lbp_ofs);
    free(d->row_level);
    free(d->row_y);
    if (d->out)
        for (int p = 0; p < parts; p++)
            free(d->out[p].v);
    free(d->out);
}
