/* The detector's working state, shared by the pyramid (pyramid.c) and the scan
 * (cascade.c); internal to engine/detect. */
#ifndef SFEW_DETECT_SCAN_H
#define SFEW_DETECT_SCAN_H

#include "cascade_impl.h"

#define MAX_LEVELS 1000 /* pyramid levels one call may visit */

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

/* A Haar tree as the eight-lane scan evaluates it (scan_avx2.c). */
typedef struct vtree vtree;

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
    vtree *vt;       /* Haar, ntrees: set when the eight-lane scan runs, else NULL */
    int *row_level, *row_y; /* the flat list of window rows over all levels */
    hits *out;              /* one per part */
} det;

/* Plans and allocates the pyramid for o; returns the number of levels, 0 when none fits
 * the image, or -1 with err set. */
int sfew_detect_setup(det *d, const sfew_detect_opts *o, sfew_err *err);
/* Frees what setup and the scan allocated (out has parts entries). */
void sfew_detect_release(det *d, int parts);
/* sfew_parallel body: resizes the levels part, part + parts, ... and writes their
 * integral images; failures set d->out[part].failed. */
void sfew_detect_build_part(void *ctx, int part, int parts);

/* Whether the eight-lane Haar scan can run (the CPU has AVX2, every tree at most two
 * nodes): 1 after filling d->vt, 0 when not, -1 out of memory. */
int sfew_detect_simd_prepare(det *d);
/* The windows base, base + step, ... (n <= 8 of them, step 1 or 2) of one row: the mask
 * of those every stage passes. *skip carries the scan's rule across calls: a window the
 * first stage rejects hides the next one. The integral images must extend 16 entries
 * past the last window read. */
int sfew_detect_haar8(const det *d, size_t base, int step, int n, int *skip);
#endif
