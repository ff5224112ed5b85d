/* Synthetic faces: procedurally drawn faces with seven expressions, written as PNG in the
 * SFEW folder layout, so the engine has data nobody has to download. */
#ifndef SFEW_DATA_SYNTH_H
#define SFEW_DATA_SYNTH_H

#include <stdint.h>

#include "../rng.h"
#include "../status.h"

#define SFEW_NCLASSES 7
/* The canonical SFEW class order; labels are 1 + the index. */
extern const char *const sfew_class_names[SFEW_NCLASSES];

typedef struct sfew_faces_opts {
    int n;             /* images in all; class of image i is i mod 7 (balanced) */
    uint64_t seed;     /* same seed, same bytes */
    int width, height; /* pixels (90 x 72 by default) */
    int gray;          /* 1: write one-channel PNGs */
    /* How hard the set is, 1 the default: scales expression jitter, how subtle an
     * expression may be, pose range, noise and occlusion together. */
    float difficulty;
    float noise;       /* pixel noise standard deviation (0..1 scale), < 0: from difficulty */
    float occlusion;   /* probability of an occluder, < 0: from difficulty */
} sfew_faces_opts;

/* Expression geometry in face coordinates (face half-height 1, y downwards). */
typedef struct sfew_expr {
    float brow_y, brow_slope; /* slope > 0: inner ends lower (frowning) */
    float eye_open;           /* 1 normal, < 1 narrowed, > 1 wide */
    float mouth_w, mouth_open, smile; /* smile > 0: corners up */
    float asym, wrinkle;      /* one-sided lip raise, nose wrinkles (disgust) */
} sfew_expr;

/* Identity, pose, lighting and scene of one image, drawn from its own generator. */
typedef struct sfew_face {
    sfew_expr e;
    float cx, cy, scale, angle;  /* centre and half-height in pixels, rotation in radians */
    float aspect, eye_dx, eye_y, mouth_y, hairline;
    float skin[3], hair[3], lip[3], iris[3];
    float light_dx, light_dy;    /* lighting gradient across the image */
    float noise;
    int occluded;
    float occ[5], occ_color[3];  /* occluder box x0, y0, x1, y1 (face coords), kind */
} sfew_face;

/* Draws the parameters of image `index` of class cls (0-based). */
void sfew_faces_draw(const sfew_faces_opts *o, int cls, sfew_rng *r, sfew_face *f);
/* Renders f into px (height, width, 3) floats in [0, 1], background and noise from r. */
void sfew_faces_render(const sfew_faces_opts *o, const sfew_face *f, sfew_rng *r, float *px);
/* Renders image index into px8 (height, width, gray ? 1 : 3) bytes. */
sfew_status sfew_faces_image(const sfew_faces_opts *o, int64_t index, unsigned char *px8,
                             sfew_err *err);
/* Writes o->n images under dir/<Class>/<class>_<index>.png, in parallel over threads. */
sfew_status sfew_faces_write(const char *dir, const sfew_faces_opts *o, int threads,
                             sfew_err *err);

#endif
