/* Merging a channel into another through the next layer's weights (see channels.h). */
#include "channels.h"

sfew_status sfew_prune_merge_channel(sfew_tensor *w, sfew_tensor *b, int64_t C, int64_t keep,
                                     int64_t drop, int complementary, sfew_err *err)
{
    if (w->ndim < 2 || b->ndim != 1 || b->shape[0] != w->shape[0])
        return sfew_fail(err, SFEW_ESHAPE, "merge_channel: needs an O x ... weight and an O bias");
    int64_t O = w->shape[0];
    if (C <= 0 || O == 0 || w->numel % O != 0 || (w->numel / O) % C != 0)
        return sfew_fail(err, SFEW_ESHAPE, "merge_channel: %lld inputs per output are not %lld "
                         "channels", (long long)(O ? w->numel / O : 0), (long long)C);
    if (keep < 0 || keep >= C || drop < 0 || drop >= C || keep == drop)
        return sfew_fail(err, SFEW_EINVAL, "merge_channel: channels %lld and %lld of %lld",
                         (long long)keep + 1, (long long)drop + 1, (long long)C);
    int64_t G = w->numel / O / C; /* positions per channel */
    for (int64_t o = 0; o < O; o++) {
        float *row = w->data + o * C * G;
        float *wk = row + keep * G, *wd = row + drop * G;
        double fold = 0.0;
        for (int64_t g = 0; g < G; g++) {
            if (complementary) {
                wk[g] -= wd[g];
                fold += wd[g];
            } else {
                wk[g] += wd[g];
            }
            wd[g] = 0.0f;
        }
        b->data[o] += (float)fold;
    }
    return SFEW_OK;
}
