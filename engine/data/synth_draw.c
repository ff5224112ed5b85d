/* Synthetic faces, part two: the rasteriser. Each pixel averages 3x3 samples; a sample is
 * mapped into face coordinates (undoing pose) and painted back to front: background
 * clutter, neck, hair, ears, face, brows, eyes, nose, mouth, occluder. */
#include <math.h>

#include "synth.h"

#define MAX_CLUTTER 8

typedef struct scene {
    float c0[3], c1[3];            /* background gradient ends */
    int k;                         /* clutter shapes */
    float box[MAX_CLUTTER][4];     /* x0, y0, x1, y1 in pixels */
    float color[MAX_CLUTTER][3];
    int round[MAX_CLUTTER];
} scene;

static void draw_scene(const sfew_faces_opts *o, sfew_rng *r, scene *s)
{
    for (int c = 0; c < 3; c++) {
        s->c0[c] = 0.2f + 0.6f * (float)sfew_rng_uniform(r);
        s->c1[c] = 0.2f + 0.6f * (float)sfew_rng_uniform(r);
    }
    s->k = (int)sfew_rng_below(r, MAX_CLUTTER + 1);
    for (int i = 0; i < s->k; i++) {
        float x = (float)sfew_rng_uniform(r) * o->width, y = (float)sfew_rng_uniform(r) * o->height;
        float w = (float)(0.1 + 0.4 * sfew_rng_uniform(r)) * o->width;
        float h = (float)(0.1 + 0.5 * sfew_rng_uniform(r)) * o->height;
        s->box[i][0] = x - w / 2;
        s->box[i][1] = y - h / 2;
        s->box[i][2] = x + w / 2;
        s->box[i][3] = y + h / 2;
        for (int c = 0; c < 3; c++)
            s->color[i][c] = 0.1f + 0.8f * (float)sfew_rng_uniform(r);
        s->round[i] = (int)sfew_rng_below(r, 2);
    }
}

static int in_box(const float *b, float x, float y, int round)
{
    if (x < b[0] || x > b[2] || y < b[1] || y > b[3])
        return 0;
    if (!round)
        return 1;
    float u = (2 * x - b[0] - b[2]) / (b[2] - b[0]), v = (2 * y - b[1] - b[3]) / (b[3] - b[1]);
    return u * u + v * v < 1;
}

static void set(float *rgb, const float *c, float k)
{
    for (int i = 0; i < 3; i++)
        rgb[i] = c[i] * k;
}

static int in_ellipse(float u, float v, float cu, float cv, float ru, float rv)
{
    float a = (u - cu) / ru, b = (v - cv) / rv;
    return a * a + b * b < 1;
}

/* Distance from (u, v) to the segment (a, b)-(c, d). */
static float seg_dist(float u, float v, float a, float b, float c, float d)
{
    float dx = c - a, dy = d - b, t = ((u - a) * dx + (v - b) * dy) / (dx * dx + dy * dy);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    float ex = u - a - t * dx, ey = v - b - t * dy;
    return sqrtf(ex * ex + ey * ey);
}

static void paint_eyes_brows(const sfew_face *f, float u, float v, float *rgb)
{
    const sfew_expr *e = &f->e;
    for (int s = -1; s <= 1; s += 2) {
        float ex = s * f->eye_dx, ey = f->eye_y, rh = 0.065f * e->eye_open;
        float inner = s * 0.09f, outer = s * (f->eye_dx + 0.17f);
        if (seg_dist(u, v, inner, e->brow_y + e->brow_slope, outer, e->brow_y - 0.02f) < 0.035f)
            set(rgb, f->hair, 0.8f);
        if (in_ellipse(u, v, ex, ey, 0.13f, rh)) {
            float w[3] = {0.95f, 0.95f, 0.93f};
            set(rgb, w, 1);
            if (in_ellipse(u, v, ex, ey, 0.055f, 0.055f))
                set(rgb, f->iris, 1);
            if (in_ellipse(u, v, ex, ey, 0.024f, 0.024f))
                set(rgb, f->iris, 0.2f);
        } else if (in_ellipse(u, v, ex, ey, 0.15f, rh + 0.025f) && v < ey) {
            set(rgb, f->skin, 0.45f); /* upper lid and lashes */
        }
    }
}

static void paint_nose_mouth(const sfew_face *f, float u, float v, float *rgb)
{
    const sfew_expr *e = &f->e;
    float my = f->mouth_y, nose_end = my - 0.2f;
    if (seg_dist(u, v, 0.0f, f->eye_y + 0.12f, 0.04f, nose_end) < 0.014f)
        set(rgb, f->skin, 0.78f);
    for (int s = -1; s <= 1; s += 2) {
        if (in_ellipse(u, v, s * 0.065f, nose_end + 0.01f, 0.032f, 0.018f))
            set(rgb, f->skin, 0.45f);
        /* Nasolabial folds deepen with smiling and with disgust. */
        float fold = fmaxf(e->smile, 0) + 0.6f * e->wrinkle;
        if (fold > 0.25f && seg_dist(u, v, s * 0.11f, nose_end - 0.02f, s * (e->mouth_w + 0.04f),
                                     my + 0.02f) < 0.006f + 0.008f * fold)
            set(rgb, f->skin, 0.75f);
    }
    for (int k = 0; k < 3 && e->wrinkle > 0.3f; k++) /* wrinkles across the nose bridge */
        if (fabsf(v - (f->eye_y + 0.06f + 0.05f * k)) < 0.007f * e->wrinkle && fabsf(u) < 0.08f)
            set(rgb, f->skin, 0.72f);
    float x = u / e->mouth_w;
    if (fabsf(x) >= 1)
        return;
    float c = my + 0.18f * e->smile * (0.4f - x * x) - 0.07f * e->asym * x;
    float open = 0.13f * e->mouth_open * sqrtf(1 - x * x);
    float lip = 0.03f * sqrtf(1 - x * x) + 0.006f;
    float d = v - c;
    if (fabsf(d) < open) {
        float dark[3] = {0.25f, 0.05f, 0.06f}, teeth[3] = {0.92f, 0.9f, 0.85f};
        set(rgb, (e->smile > 0.3f && d < -0.3f * open) ? teeth : dark, 1);
    } else if (fabsf(d) < open + lip) {
        set(rgb, f->lip, 1);
    }
}

/* Paints one sample in face coordinates (u, v); leaves rgb alone outside the figure. */
static void paint_face(const sfew_face *f, float u, float v, float *rgb)
{
    float a = f->aspect;
    if (fabsf(u) < 0.33f && v > 0.5f)
        set(rgb, f->skin, 0.8f); /* neck */
    if (in_ellipse(u, v, 0, -0.1f, a * 1.15f, 1.08f) && v < 0.15f)
        set(rgb, f->hair, 1);
    for (int s = -1; s <= 1; s += 2)
        if (in_ellipse(u, v, s * a, -0.05f, 0.11f, 0.2f))
            set(rgb, f->skin, 0.88f);
    if (!in_ellipse(u, v, 0, 0, a, 1))
        return;
    float rr = (u / a) * (u / a) + v * v;
    set(rgb, f->skin, 1 - 0.3f * rr * rr); /* rounder look: darker towards the rim */
    if (v < f->hairline + 0.06f * sinf(u * 9))
        set(rgb, f->hair, 1);
    paint_eyes_brows(f, u, v, rgb);
    paint_nose_mouth(f, u, v, rgb);
}

static void sample(const sfew_faces_opts *o, const sfew_face *f, const scene *s, float x,
                   float y, float *rgb)
{
    float t = y / o->height;
    for (int c = 0; c < 3; c++)
        rgb[c] = s->c0[c] + (s->c1[c] - s->c0[c]) * t;
    for (int i = 0; i < s->k; i++)
        if (in_box(s->box[i], x, y, s->round[i]))
            set(rgb, s->color[i], 1);
    float dx = x - f->cx, dy = y - f->cy, cs = cosf(f->angle), sn = sinf(f->angle);
    float u = (cs * dx + sn * dy) / f->scale, v = (-sn * dx + cs * dy) / f->scale;
    paint_face(f, u, v, rgb);
    if (f->occluded && in_box(f->occ, u, v, (int)f->occ[4]))
        set(rgb, f->occ_color, 1);
}

void sfew_faces_render(const sfew_faces_opts *o, const sfew_face *f, sfew_rng *r, float *px)
{
    scene s;
    draw_scene(o, r, &s);
    for (int y = 0; y < o->height; y++)
        for (int x = 0; x < o->width; x++) {
            float acc[3] = {0, 0, 0}, rgb[3];
            for (int sy = 0; sy < 3; sy++)
                for (int sx = 0; sx < 3; sx++) {
                    sample(o, f, &s, x + (sx + 0.5f) / 3, y + (sy + 0.5f) / 3, rgb);
                    for (int c = 0; c < 3; c++)
                        acc[c] += rgb[c] / 9;
                }
            float light = 1 + f->light_dx * ((float)x / o->width - 0.5f) +
                          f->light_dy * ((float)y / o->height - 0.5f);
            float *p = px + ((int64_t)y * o->width + x) * 3;
            for (int c = 0; c < 3; c++) {
                float val = acc[c] * light + f->noise * (float)sfew_rng_normal(r);
                p[c] = val < 0 ? 0 : val > 1 ? 1 : val;
            }
        }
}
