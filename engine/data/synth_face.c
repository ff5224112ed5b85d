/* Synthetic faces, part one: what a face looks like. Seven expression prototypes (after
 * the action units of Ekman's facial action coding: brow lowerer for anger, inner brow
 * raiser for sadness and fear, lip corner puller for happiness, jaw drop for surprise,
 * upper lip raiser and nose wrinkler for disgust), identity, pose and scene. */
#include <math.h>

#include "synth.h"

const char *const sfew_class_names[SFEW_NCLASSES] = {"Angry", "Disgust", "Fear", "Happy",
                                                     "Neutral", "Sad", "Surprise"};

/* brow_y, brow_slope, eye_open, mouth_w, mouth_open, smile, asym, wrinkle */
static const sfew_expr protos[SFEW_NCLASSES] = {
    {-0.33f, 0.14f, 0.70f, 0.25f, 0.00f, -0.35f, 0.0f, 0.4f}, /* Angry */
    {-0.35f, 0.07f, 0.60f, 0.27f, 0.20f, -0.55f, 0.6f, 1.0f}, /* Disgust */
    {-0.50f, -0.12f, 1.40f, 0.34f, 0.45f, -0.35f, 0.0f, 0.0f}, /* Fear */
    {-0.41f, 0.00f, 0.75f, 0.37f, 0.30f, 1.00f, 0.0f, 0.0f},  /* Happy */
    {-0.40f, 0.00f, 1.00f, 0.29f, 0.00f, 0.00f, 0.0f, 0.0f},  /* Neutral */
    {-0.43f, -0.14f, 0.75f, 0.27f, 0.00f, -0.80f, 0.0f, 0.0f}, /* Sad */
    {-0.54f, -0.02f, 1.45f, 0.21f, 1.10f, 0.00f, 0.0f, 0.0f},  /* Surprise */
};

static float unif(sfew_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)sfew_rng_uniform(r);
}

static float gauss(sfew_rng *r, float sd)
{
    return sd * (float)sfew_rng_normal(r);
}

static void mix(float *out, const float *a, const float *b, float t)
{
    for (int k = 0; k < 3; k++)
        out[k] = a[k] + (b[k] - a[k]) * t;
}

/* An expression between neutral and the class prototype (real expressions are often
 * subtle, which is what makes classes overlap), plus per-person jitter. */
static void draw_expr(int cls, float d, sfew_rng *r, sfew_expr *e)
{
    const sfew_expr *n = &protos[4], *p = &protos[cls];
    float lo = fmaxf(0.05f, 0.75f - 0.45f * d); /* weakest intensity drawn */
    float s = cls == 4 ? 0 : unif(r, lo, 1.0f);
    e->brow_y = n->brow_y + s * (p->brow_y - n->brow_y) + gauss(r, 0.035f * d);
    e->brow_slope = n->brow_slope + s * (p->brow_slope - n->brow_slope) + gauss(r, 0.04f * d);
    e->eye_open = n->eye_open + s * (p->eye_open - n->eye_open) + gauss(r, 0.15f * d);
    e->mouth_w = n->mouth_w + s * (p->mouth_w - n->mouth_w) + gauss(r, 0.03f * d);
    e->mouth_open = n->mouth_open + s * (p->mouth_open - n->mouth_open) + gauss(r, 0.12f * d);
    e->smile = n->smile + s * (p->smile - n->smile) + gauss(r, 0.25f * d);
    e->asym = s * p->asym * (sfew_rng_uniform(r) < 0.5 ? -1 : 1) + gauss(r, 0.1f * d);
    e->wrinkle = s * p->wrinkle + fabsf(gauss(r, 0.2f * d));
    e->eye_open = fmaxf(e->eye_open, 0.15f);
    e->mouth_open = fmaxf(e->mouth_open, 0.0f);
    e->mouth_w = fmaxf(e->mouth_w, 0.15f);
}

static void draw_identity(sfew_rng *r, sfew_face *f)
{
    static const float pale[3] = {0.96f, 0.80f, 0.70f}, dark[3] = {0.40f, 0.26f, 0.18f};
    static const float black[3] = {0.08f, 0.06f, 0.05f}, blond[3] = {0.80f, 0.65f, 0.35f};
    static const float redlip[3] = {0.75f, 0.30f, 0.30f};
    f->aspect = unif(r, 0.66f, 0.82f);
    f->eye_dx = unif(r, 0.29f, 0.38f);
    f->eye_y = unif(r, -0.20f, -0.10f);
    f->mouth_y = unif(r, 0.44f, 0.56f);
    f->hairline = unif(r, -0.80f, -0.55f);
    mix(f->skin, pale, dark, (float)sfew_rng_uniform(r));
    float h = (float)sfew_rng_uniform(r);
    mix(f->hair, black, blond, h * h);
    mix(f->lip, f->skin, redlip, unif(r, 0.3f, 0.6f));
    float blue[3] = {0.25f, 0.40f, 0.60f}, brown[3] = {0.25f, 0.15f, 0.08f};
    mix(f->iris, brown, blue, (float)sfew_rng_uniform(r) < 0.3f ? 1.0f : 0.0f);
}

void sfew_faces_draw(const sfew_faces_opts *o, int cls, sfew_rng *r, sfew_face *f)
{
    float d = o->difficulty;
    draw_identity(r, f);
    draw_expr(cls, d, r, &f->e);
    float w = (float)o->width, h = (float)o->height;
    f->scale = h * 0.40f * unif(r, 1 - 0.12f * d, 1 + 0.08f * d);
    f->cx = w * 0.5f + gauss(r, w * 0.04f * d);
    f->cy = h * 0.52f + gauss(r, h * 0.03f * d);
    f->angle = gauss(r, 0.10f * d);
    f->light_dx = gauss(r, 0.35f * d);
    f->light_dy = gauss(r, 0.2f * d);
    f->noise = o->noise >= 0 ? o->noise : 0.035f * d;
    float p_occ = o->occlusion >= 0 ? o->occlusion : fminf(0.12f * d, 0.9f);
    f->occluded = sfew_rng_uniform(r) < p_occ;
    /* An occluder (a hand, a scarf, a shadow) covers a band of one side or the bottom. */
    float x0 = unif(r, -1.0f, 0.3f), y0 = unif(r, -0.6f, 0.6f);
    f->occ[0] = x0;
    f->occ[1] = y0;
    f->occ[2] = x0 + unif(r, 0.35f, 0.7f);
    f->occ[3] = y0 + unif(r, 0.3f, 0.7f);
    f->occ[4] = (float)sfew_rng_below(r, 2);
    for (int k = 0; k < 3; k++)
        f->occ_color[k] = unif(r, 0.1f, 0.9f);
}
