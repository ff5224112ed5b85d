/* Pasting and bitmap text; the letters come from stb_easy_font (quads we fill by hand). */
#include "draw.h"

#include <stdlib.h>
#include <string.h>

/* The font is a header of static functions written for looser warning settings. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-braces"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

static sfew_status check_image(const sfew_tensor *t, const char *what, sfew_err *err)
{
    if (t->ndim != 3 || (t->shape[0] != 1 && t->shape[0] != 3))
        return sfew_fail(err, SFEW_ESHAPE, "draw: %s must be (1 or 3) x H x W, got %d dims", what,
                         t->ndim);
    return SFEW_OK;
}

/* Positions beyond 2^40 draw nothing either way; clamping keeps every sum below from
 * overflowing (sizes are at most 2^32). */
static int64_t clamp_pos(int64_t v)
{
    const int64_t far = INT64_C(1) << 40;
    return v < -far ? -far : v > far ? far : v;
}

sfew_status sfew_draw_paste(sfew_tensor *dst, const sfew_tensor *src, int64_t y, int64_t x,
                            sfew_err *err)
{
    sfew_status st = check_image(dst, "destination", err);
    if (!st)
        st = check_image(src, "source", err);
    if (st)
        return st;
    int64_t C = dst->shape[0], H = dst->shape[1], W = dst->shape[2];
    int64_t c = src->shape[0], h = src->shape[1], w = src->shape[2];
    if (c == 3 && C == 1)
        return sfew_fail(err, SFEW_ESHAPE, "paste: a 3-channel image into a 1-channel one");
    y = clamp_pos(y);
    x = clamp_pos(x);
    for (int64_t ch = 0; ch < C; ch++)
        for (int64_t i = 0; i < h; i++) {
            int64_t yy = y + i;
            if (yy < 0 || yy >= H)
                continue;
            for (int64_t j = 0; j < w; j++) {
                int64_t xx = x + j;
                if (xx >= 0 && xx < W)
                    dst->data[(ch * H + yy) * W + xx] = src->data[((ch % c) * h + i) * w + j];
            }
        }
    return SFEW_OK;
}

/* One stb_easy_font vertex: x, y, z floats and four colour bytes. */
typedef struct vertex {
    float x, y, z;
    unsigned char rgba[4];
} vertex;

sfew_status sfew_draw_text(sfew_tensor *dst, const char *text, int64_t y, int64_t x, int scale,
                           const float rgb[3], sfew_err *err)
{
    sfew_status st = check_image(dst, "destination", err);
    if (st)
        return st;
    size_t len = strlen(text);
    if (len > 4096 || scale < 1 || scale > 64)
        return sfew_fail(err, SFEW_EINVAL, "draw_text: %zu characters at scale %d", len, scale);
    int cap = 400 * (int)len + 400; /* about 270 bytes per character, per stb_easy_font */
    vertex *v = malloc((size_t)cap);
    char *copy = malloc(len + 1);
    if (!v || !copy) {
        free(v);
        free(copy);
        return sfew_fail(err, SFEW_ENOMEM, "draw_text: no memory");
    }
    /* stb_easy_font has glyphs for ' '..'~' and reads outside its table for any other
     * byte: those (tabs, UTF-8, controls) draw as '?'; newlines start a new line. */
    for (size_t i = 0; i <= len; i++) {
        unsigned char ch = (unsigned char)text[i];
        copy[i] = ch == 0 || ch == '\n' || (ch >= 32 && ch <= 126) ? (char)ch : '?';
    }
    y = clamp_pos(y);
    x = clamp_pos(x);
    int quads = stb_easy_font_print(0, 0, copy, NULL, v, cap);
    int64_t C = dst->shape[0], H = dst->shape[1], W = dst->shape[2];
    for (int q = 0; q < quads; q++) {
        const vertex *a = &v[4 * q], *b = &v[4 * q + 2]; /* opposite corners */
        int64_t y0 = y + (int64_t)(a->y * scale), y1 = y + (int64_t)(b->y * scale);
        int64_t x0 = x + (int64_t)(a->x * scale), x1 = x + (int64_t)(b->x * scale);
        for (int64_t yy = y0 < 0 ? 0 : y0; yy < y1 && yy < H; yy++)
            for (int64_t xx = x0 < 0 ? 0 : x0; xx < x1 && xx < W; xx++)
                for (int64_t ch = 0; ch < C; ch++)
                    dst->data[(ch * H + yy) * W + xx] = rgb[ch];
    }
    free(v);
    free(copy);
    return SFEW_OK;
}
