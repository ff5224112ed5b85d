/* sfew_gemm over OpenBLAS. */
#include "gemm.h"

#include <cblas.h>

void sfew_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
               int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        /* BLAS leaves C untouched only when beta == 1; honour beta ourselves. */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                C[(long)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(long)i * ldc + j];
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C,
                ldc);
}

int sfew_blas_threads(int n)
{
    int old = openblas_get_num_threads();
    if (n > 0 && n != old)
        openblas_set_num_threads(n);
    return old;
}
