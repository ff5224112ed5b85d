/* Random k x k patches of a batch of images. */
#include "patches.h"

#include <stddef.h>

sfew_status sfew_data_random_patches(const sfew_tensor *images, int64_t k, int64_t count,
                                     sfew_rng *rng, sfew_tensor **out, sfew_err *err)
{
    if (images->ndim != 4)
        return sfew_fail(err, SFEW_ESHAPE, "random_patches: images must be N x C x H x W, got "
                                           "%d dimensions", images->ndim);
    int64_t N = images->shape[0], C = images->shape[1], H = images->shape[2],
            W = images->shape[3];
    if (k < 1 || k > H || k > W)
        return sfew_fail(err, SFEW_EINVAL, "random_patches: patch size %lld does not fit "
                                           "%lldx%lld images", (long long)k, (long long)H,
                         (long long)W);
    if (N < 1 || count < 0)
        return sfew_fail(err, SFEW_EINVAL, "random_patches: no images or a negative count");
    sfew_tensor *o = NULL;
    sfew_status st = sfew_tensor_new4(2, count, C * k * k, 0, 0, &o, err);
    if (st)
        return st;
    float *dst = o->data;
    for (int64_t p = 0; p < count; p++) {
        int64_t n = (int64_t)sfew_rng_below(rng, (uint64_t)N);
        int64_t r0 = (int64_t)sfew_rng_below(rng, (uint64_t)(H - k + 1));
        int64_t c0 = (int64_t)sfew_rng_below(rng, (uint64_t)(W - k + 1));
        for (int64_t c = 0; c < C; c++) {
            const float *img = images->data + (n * C + c) * H * W;
            for (int64_t r = 0; r < k; r++)
                for (int64_t q = 0; q < k; q++)
                    *dst++ = img[(r0 + r) * W + c0 + q];
        }
    }
    *out = o;
    return SFEW_OK;
}
