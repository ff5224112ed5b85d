/* Principal component analysis through LAPACK (OpenBLAS's ssyevd), and the symmetric
 * eigensolver it rests on (LPQ's decorrelation uses it too). */
#ifndef SFEW_FEATURES_PCA_H
#define SFEW_FEATURES_PCA_H

#include "../tensor.h"

/* Eigen-decomposition of the symmetric n x n matrix a (row-major; only its upper
 * triangle is read). Overwrites a with the eigenvectors as ROWS, ordered by decreasing
 * eigenvalue, each with its largest-magnitude entry positive (the first such entry on
 * ties), so the result is deterministic; writes the eigenvalues to w (n). */
sfew_status sfew_eigh(int n, float *a, float *w, sfew_err *err);

/* Fits PCA on the rows of x (N, D), N >= 1, 1 <= k <= D. Writes, into tensors the
 * caller made with these shapes: mean (D); components (k, D), unit principal axes as
 * rows by decreasing variance, signs as sfew_eigh; variance (k), the variance along
 * each axis (divisor N - 1, or 1 when N = 1); ratio (k), each variance over the total
 * variance (0 when the data are constant). */
sfew_status sfew_pca_fit(const sfew_tensor *x, int64_t k, sfew_tensor *mean,
                         sfew_tensor *components, sfew_tensor *variance, sfew_tensor *ratio,
                         sfew_err *err);

/* out (N, k) = (x - mean) components^T for x (N, D), mean (D), components (k, D). */
sfew_status sfew_pca_transform(const sfew_tensor *x, const sfew_tensor *mean,
                               const sfew_tensor *components, sfew_tensor *out,
                               sfew_err *err);

#endif
