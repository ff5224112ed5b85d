/* OpenCV's groupRectangles: union-find over "similar" boxes, the mean box of each class,
 * then the support and nesting filters. Integer sums and the float/double roundings are
 * OpenCV's, so the grouped boxes match to the pixel. */
#include "cascade.h"

#include <math.h>
#include <stdlib.h>

static int similar(const sfew_box *a, const sfew_box *b, double eps)
{
    double delta = eps * ((a->w < b->w ? a->w : b->w) + (a->h < b->h ? a->h : b->h)) * 0.5;
    return abs(a->x - b->x) <= delta && abs(a->y - b->y) <= delta &&
           abs(a->x + a->w - b->x - b->w) <= delta && abs(a->y + a->h - b->y - b->h) <= delta;
}

static int root_of(const int *parent, int i)
{
    while (parent[i] >= 0)
        i = parent[i];
    return i;
}

/* Class labels numbered by first appearance; returns the number of classes. */
static int partition(const sfew_box *b, int n, double eps, int *parent, int *rank,
                     int *label)
{
    for (int i = 0; i < n; i++)
        parent[i] = -1, rank[i] = 0;
    for (int i = 0; i < n; i++) {
        int root = root_of(parent, i);
        for (int j = 0; j < n; j++) {
            if (i == j || !similar(&b[i], &b[j], eps))
                continue;
            int root2 = root_of(parent, j);
            if (root2 == root)
                continue;
            if (rank[root] > rank[root2]) {
                parent[root2] = root;
            } else {
                parent[root] = root2;
                rank[root2] += rank[root] == rank[root2];
                root = root2;
            }
            for (int k = j, p; (p = parent[k]) >= 0; k = p)
                parent[k] = root;
            for (int k = i, p; (p = parent[k]) >= 0; k = p)
                parent[k] = root;
        }
    }
    int nclasses = 0;
    for (int i = 0; i < n; i++)
        rank[i] = -1;
    for (int i = 0; i < n; i++) {
        int r = root_of(parent, i);
        if (rank[r] < 0)
            rank[r] = nclasses++;
        label[i] = rank[r];
    }
    return nclasses;
}

static int round_f(float v)
{
    return (int)lrintf(v);
}

sfew_status sfew_detect_group(const sfew_box *in, int n, int min_neighbors, double eps,
                              sfew_box **out, int *nout, sfew_err *err)
{
    *out = NULL, *nout = 0;
    if (n < 0 || !(eps >= 0) || eps > 10)
        return sfew_fail(err, SFEW_EINVAL, "detect_group: n %d, eps %g", n, eps);
    if (n == 0)
        return SFEW_OK;
    sfew_box *res = calloc((size_t)n, sizeof *res);
    int *work = calloc((size_t)n * 4, sizeof *work);
    long long(*acc)[4] = calloc((size_t)n, sizeof *acc);
    if (!res || !work || !acc) {
        free(res), free(work), free(acc);
        return sfew_fail(err, SFEW_ENOMEM, "detect_group: out of memory for %d boxes", n);
    }
    if (min_neighbors <= 0) {
        for (int i = 0; i < n; i++)
            res[i] = in[i], res[i].neighbors = 1;
        free(work), free(acc);
        *out = res, *nout = n;
        return SFEW_OK;
    }
    int *parent = work, *rank = work + n, *label = work + 2 * n, *count = work + 3 * n;
    int nc = partition(in, n, eps, parent, rank, label);
    for (int i = 0; i < n; i++) {
        long long *a = acc[label[i]];
        a[0] += in[i].x, a[1] += in[i].y, a[2] += in[i].w, a[3] += in[i].h;
        count[label[i]]++;
    }
    sfew_box *mean = calloc((size_t)nc, sizeof *mean);
    if (!mean) {
        free(res), free(work), free(acc);
        return sfew_fail(err, SFEW_ENOMEM, "detect_group: out of memory");
    }
    for (int k = 0; k < nc; k++) {
        float s = 1.f / (float)count[k];
        mean[k] = (sfew_box){round_f((float)(int)acc[k][0] * s), round_f((float)(int)acc[k][1] * s),
                             round_f((float)(int)acc[k][2] * s), round_f((float)(int)acc[k][3] * s),
                             count[k]};
    }
    int m = 0;
    for (int i = 0; i < nc; i++) {
        const sfew_box *r1 = &mean[i];
        int n1 = r1->neighbors, j;
        if (n1 <= min_neighbors)
            continue;
        for (j = 0; j < nc; j++) {
            const sfew_box *r2 = &mean[j];
            int n2 = r2->neighbors;
            if (j == i || n2 <= min_neighbors)
                continue;
            int dx = (int)lrint(r2->w * eps), dy = (int)lrint(r2->h * eps);
            if (r1->x >= r2->x - dx && r1->y >= r2->y - dy &&
                r1->x + r1->w <= r2->x + r2->w + dx && r1->y + r1->h <= r2->y + r2->h + dy &&
                (n2 > (n1 > 3 ? n1 : 3) || n1 < 3))
                break;
        }
        if (j == nc)
            res[m++] = *r1;
    }
    free(mean), free(work), free(acc);
    *out = res, *nout = m;
    return SFEW_OK;
}
