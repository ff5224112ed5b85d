/* The one wrapper over cblas_sgemm: every matrix product in the engine goes through here. */
#ifndef SFEW_GEMM_H
#define SFEW_GEMM_H

/* C (M x N, row stride ldc) = alpha * op(A) op(B) + beta * C, row-major.
 * op(A) is M x K: A itself (lda >= K) or, with trans_a, the transpose of a K x M A.
 * op(B) is K x N likewise. */
void sfew_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
               int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* Sets the number of threads OpenBLAS uses for one product (1 inside our own
 * parallel loops); returns the previous setting. */
int sfew_blas_threads(int n);

#endif
