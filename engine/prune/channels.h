/* Channel-level surgery for convolutions: folding one output channel of a layer into
 * another through the weights of the layer that reads them. */
#ifndef SFEW_PRUNE_CHANNELS_H
#define SFEW_PRUNE_CHANNELS_H

#include "../tensor.h"

/* w (O x C x G: any shape whose first dimension is O and numel O*C*G; a Conv2d's
 * O x C x kh x kw, or a Linear's O x (C*G) after a Flatten) and b (O), the layer after a
 * layer with C output channels: merges input channel `drop` into `keep` (0-based), in
 * place. Similar channels: w[o, keep, g] += w[o, drop, g]. Complementary ones
 * (a_drop = 1 - a_keep): w[o, keep, g] -= w[o, drop, g] and b[o] += sum_g w[o, drop, g].
 * Then w[o, drop, g] = 0, so removing the channel afterwards folds nothing more. */
sfew_status sfew_prune_merge_channel(sfew_tensor *w, sfew_tensor *b, int64_t C, int64_t keep,
                                     int64_t drop, int complementary, sfew_err *err);

#endif
