/* Data augmentation of an image batch (N, C, H, W), as torchvision's transforms do it: random
 * horizontal flip, translation (a crop of the zero-padded image), rotation and scaling
 * (bilinear), brightness and contrast jitter, and random erasing (Zhong et al. 2020). A
 * list of operations runs in order on each image; each image draws from its own generator,
 * seeded from the caller's in image order, so the result depends on the seed only, not on
 * the thread count. */
#ifndef SFEW_AUGMENT_H
#define SFEW_AUGMENT_H

#include "../rng.h"
#include "../tensor.h"

typedef enum {
    SFEW_AUG_FLIP,   /* mirror left-right */
    SFEW_AUG_SHIFT,  /* translate by whole pixels in [-pad, pad] both ways, fill outside */
    SFEW_AUG_AFFINE, /* rotate by [-degrees, degrees], scale by [1 - scale, 1 + scale] */
    SFEW_AUG_JITTER, /* x *= b in [1 - brightness, 1 + brightness], then contrast about the
                        image mean: x = (x - m) c + m, c in [1 - contrast, 1 + contrast] */
    SFEW_AUG_ERASE   /* a rectangle of area [area_lo, area_hi] of the image and aspect ratio
                        in [1 / ratio, ratio] (log-uniform) set to fill (10 tries, as
                        torchvision's RandomErasing) */
} sfew_aug_kind;

/* One operation. Fields a kind does not use are ignored. */
typedef struct sfew_aug_op {
    sfew_aug_kind kind;
    double p;                /* chance an image gets it, in [0, 1] */
    int64_t pad;             /* SHIFT: >= 0 */
    double degrees, scale;   /* AFFINE: degrees in [0, 180], scale in [0, 1) */
    double brightness, contrast; /* JITTER: each in [0, 1]; factors are clipped at 0 */
    double area_lo, area_hi, ratio; /* ERASE: 0 < lo <= hi <= 1, ratio >= 1 */
    float fill;              /* SHIFT, AFFINE, ERASE: value put where there is no image */
} sfew_aug_op;

/* SFEW_EINVAL naming the operation (1-based position) and field when a value is out of
 * range. */
sfew_status sfew_augment_check(const sfew_aug_op *ops, int n_ops, sfew_err *err);
/* Resizes out to in's shape (N, C, H, W) and writes the augmented copy; in is unchanged
 * (out must not be in). Draws N values from rng (the images' seeds). Images run in
 * parallel on up to `threads` threads. SFEW_ESHAPE unless in is 4-D. */
sfew_status sfew_augment_apply(const sfew_aug_op *ops, int n_ops, const sfew_tensor *in,
                               sfew_tensor *out, sfew_rng *rng, int threads, sfew_err *err);

#endif
