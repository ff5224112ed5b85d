/* The in-memory cascade shared by the reader (cascade_xml.c) and the evaluator
 * (cascade.c); not part of the public API. */
#ifndef SFEW_DETECT_CASCADE_IMPL_H
#define SFEW_DETECT_CASCADE_IMPL_H

#include "cascade.h"

#define SFEW_LBP_SUBSET 8 /* 256 categories as eight 32-bit words */

typedef struct cc_stage {
    float threshold; /* the file's threshold minus 1e-5, as OpenCV reads it */
    int ntrees, first; /* trees [first, first + ntrees) */
} cc_stage;

typedef struct cc_tree {
    int node0, nnodes, leaf0; /* nodes [node0, node0 + nnodes), nnodes + 1 leaves */
} cc_tree;

/* left/right > 0: the next node of the tree; <= 0: leaf -left. */
typedef struct cc_node {
    int left, right, feature;
    float threshold;
} cc_node;

typedef struct cc_haar {
    int nrect;
    int r[3][4];   /* x, y, w, h inside the window */
    float weight[3];
} cc_haar;

typedef struct cc_lbp {
    int x, y, w, h; /* one cell of the 3x3 grid */
} cc_lbp;

struct sfew_cascade {
    sfew_cascade_kind kind;
    int win_w, win_h;
    int nstages, ntrees, nnodes, nfeatures, max_nodes;
    cc_stage *stages;
    cc_tree *trees;
    cc_node *nodes;
    float *leaves;    /* ntrees + nnodes */
    int32_t *subsets; /* LBP: SFEW_LBP_SUBSET per node */
    cc_haar *haar;    /* HAAR: nfeatures */
    cc_lbp *lbp;      /* LBP: nfeatures */
};

#endif
