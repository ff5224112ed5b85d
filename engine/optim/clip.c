/* Clipping by total norm: each gradient's norm rounded to float32 (PyTorch stacks float32
 * norms), the total and the coefficient computed from those. */
#include "clip.h"

#include <math.h>

sfew_status sfew_clip_grad_norm(int n, sfew_tensor *const *grads, double max_norm,
                                double *total, sfew_err *err)
{
    if (!(max_norm >= 0))
        return sfew_fail(err, SFEW_EINVAL, "clip_grad_norm: max_norm must be >= 0, got %g",
                         max_norm);
    double sq = 0.0;
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int64_t k = 0; k < grads[i]->numel; k++)
            s += (double)grads[i]->data[k] * grads[i]->data[k];
        double norm = (float)sqrt(s);
        sq += norm * norm;
    }
    float norm = (float)sqrt(sq);
    float coef = (float)(max_norm / ((double)norm + 1e-6));
    if (coef > 1.0f)
        coef = 1.0f;
    for (int i = 0; i < n; i++)
        for (int64_t k = 0; k < grads[i]->numel; k++)
            grads[i]->data[k] *= coef;
    if (total)
        *total = norm;
    return SFEW_OK;
}
