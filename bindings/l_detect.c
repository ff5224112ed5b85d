/* sfew.core.detect: the C half of sfew.faces. Cascade userdata ("sfew.Cascade") wrap the
 * engine's cascades; images come in as tensors and are turned into OpenCV's 8-bit gray
 * here, once per call. Box lists go out 1-based. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/detect/cascade.h"
#include "lsfew.h"
#include "modules.h"

#define LSFEW_CASCADE "sfew.Cascade"

typedef struct lcascade {
    sfew_cascade *c;
} lcascade;

static sfew_cascade *check_cascade(lua_State *L, int i)
{
    lcascade *u = luaL_checkudata(L, i, LSFEW_CASCADE);
    luaL_argcheck(L, u->c != NULL, i, "cascade has been freed");
    return u->c;
}

static lcascade *push_slot(lua_State *L)
{
    lcascade *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->c = NULL;
    luaL_setmetatable(L, LSFEW_CASCADE);
    return u;
}

/* load(path) -> cascade | nil, message */
static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lcascade *u = push_slot(L);
    sfew_err err = {{0}};
    sfew_status st = sfew_cascade_load(path, &u->c, &err);
    return st == SFEW_OK ? 1 : lsfew_fail(L, st, &err);
}

/* parse(text [, name]) -> cascade | nil, message */
static int l_parse(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "string");
    lcascade *u = push_slot(L);
    sfew_err err = {{0}};
    sfew_status st = sfew_cascade_parse(text, len, name, &u->c, &err);
    return st == SFEW_OK ? 1 : lsfew_fail(L, st, &err);
}

static int byte_of(float v)
{
    if (!(v > 0)) /* NaN too */
        return 0;
    if (v >= 1)
        return 255;
    return (int)lrintf(v * 255.f);
}

/* The image at i ((C, H, W) or (H, W), C = 1 or 3, values in [0, 1]) as OpenCV's 8-bit
 * gray, in a userdata buffer pushed on the stack (collected by Lua on any error). */
static uint8_t *gray_of(lua_State *L, int i, int *w, int *h)
{
    sfew_tensor *t = check_tensor(L, i);
    int64_t c = 1, hh, ww;
    if (t->ndim == 2) {
        hh = t->shape[0], ww = t->shape[1];
    } else if (t->ndim == 3 && (t->shape[0] == 1 || t->shape[0] == 3)) {
        c = t->shape[0], hh = t->shape[1], ww = t->shape[2];
    } else {
        luaL_argerror(L, i, "image must be (C, H, W) with C = 1 or 3, or (H, W)");
        return NULL;
    }
    luaL_argcheck(L, hh <= 65536 && ww <= 65536, i, "image larger than 65536 pixels a side");
    size_t n = (size_t)(hh * ww);
    uint8_t *g = lua_newuserdatauv(L, n ? n : 1, 0);
    const float *d = t->data;
    for (size_t k = 0; k < n; k++)
        g[k] = c == 1 ? (uint8_t)byte_of(d[k])
                      : sfew_detect_gray(byte_of(d[k]), byte_of(d[n + k]), byte_of(d[2 * n + k]));
    *w = (int)ww, *h = (int)hh;
    return g;
}

static void push_boxes(lua_State *L, const sfew_box *b, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 5);
        lua_pushinteger(L, b[i].x + 1), lua_setfield(L, -2, "x");
        lua_pushinteger(L, b[i].y + 1), lua_setfield(L, -2, "y");
        lua_pushinteger(L, b[i].w), lua_setfield(L, -2, "w");
        lua_pushinteger(L, b[i].h), lua_setfield(L, -2, "h");
        lua_pushinteger(L, b[i].neighbors), lua_setfield(L, -2, "neighbors");
        lua_rawseti(L, -2, i + 1);
    }
}

static int opt_size(lua_State *L, int t, const char *key, int def)
{
    lua_Integer v = lsfew_opt_integer(L, t, key, def);
    luaL_argcheck(L, v >= 0 && v <= 1 << 20, t, "sizes must be in [0, 2^20]");
    return (int)v;
}

/* cascade:detect(image, {scale_factor, min_neighbors, min_w, min_h, max_w, max_h}) */
static int l_detect(lua_State *L)
{
    sfew_cascade *c = check_cascade(L, 1);
    sfew_detect_opts o;
    sfew_detect_opts_default(&o);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    o.scale_factor = lsfew_opt_number(L, 3, "scale_factor", o.scale_factor);
    luaL_argcheck(L, o.scale_factor > 1 && o.scale_factor <= 100, 3,
                  "scale_factor must be in (1, 100]");
    lua_Integer mn = lsfew_opt_integer(L, 3, "min_neighbors", o.min_neighbors);
    luaL_argcheck(L, mn >= 0 && mn <= 1 << 20, 3, "min_neighbors must be >= 0");
    o.min_neighbors = (int)mn;
    o.min_w = opt_size(L, 3, "min_w", 0), o.min_h = opt_size(L, 3, "min_h", 0);
    o.max_w = opt_size(L, 3, "max_w", 0), o.max_h = opt_size(L, 3, "max_h", 0);
    o.threads = lsfew_threads(L);
    int w = 0, h = 0;
    const uint8_t *g = gray_of(L, 2, &w, &h);
    sfew_box *boxes = NULL;
    int n = 0;
    sfew_err err = {{0}};
    sfew_status st = sfew_cascade_detect(c, g, w, h, &o, &boxes, &n, &err);
    if (st != SFEW_OK)
        return lsfew_error(L, st, &err);
    push_boxes(L, boxes, n);
    free(boxes);
    return 1;
}

static int box_field(lua_State *L, int i, const char *k)
{
    lua_getfield(L, -1, k);
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < -(1 << 24) || v > (1 << 24))
        luaL_error(L, "bad argument #1 to 'group' (box %d: field '%s' must be an integer)", i, k);
    lua_pop(L, 1);
    return (int)v;
}

/* group(boxes, min_neighbors [, eps]) -> boxes: OpenCV's groupRectangles (1-based boxes). */
static int l_group(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer mn = luaL_checkinteger(L, 2);
    double eps = luaL_optnumber(L, 3, 0.2);
    luaL_argcheck(L, eps >= 0 && eps <= 10, 3, "eps must be in [0, 10]");
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, n >= 0 && n <= 1 << 20, 1, "too many boxes");
    sfew_box *b = lua_newuserdatauv(L, sizeof *b * (size_t)(n ? n : 1), 0);
    for (lua_Integer i = 0; i < n; i++) {
        if (lua_rawgeti(L, 1, i + 1) != LUA_TTABLE)
            return luaL_error(L, "bad argument #1 to 'group' (box %d is not a table)", (int)i + 1);
        b[i] = (sfew_box){box_field(L, (int)i + 1, "x") - 1, box_field(L, (int)i + 1, "y") - 1,
                          box_field(L, (int)i + 1, "w"), box_field(L, (int)i + 1, "h"), 1};
        lua_pop(L, 1);
    }
    sfew_box *out = NULL;
    int nout = 0;
    sfew_err err = {{0}};
    sfew_status st = sfew_detect_group(b, (int)n, mn > 1 << 20 ? 1 << 20 : (int)mn, eps, &out,
                                       &nout, &err);
    if (st != SFEW_OK)
        return lsfew_error(L, st, &err);
    push_boxes(L, out, nout);
    free(out);
    return 1;
}

/* cascade:window() -> w, h */
static int l_window(lua_State *L)
{
    int w, h;
    sfew_cascade_window(check_cascade(L, 1), &w, &h);
    lua_pushinteger(L, w);
    lua_pushinteger(L, h);
    return 2;
}

/* cascade:kind() -> "haar" | "lbp" */
static int l_kind(lua_State *L)
{
    lua_pushstring(L, sfew_cascade_kind_of(check_cascade(L, 1)) == SFEW_CASCADE_HAAR ? "haar"
                                                                                    : "lbp");
    return 1;
}

static int l_free(lua_State *L)
{
    lcascade *u = luaL_checkudata(L, 1, LSFEW_CASCADE);
    sfew_cascade_free(u->c);
    u->c = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    lcascade *u = luaL_checkudata(L, 1, LSFEW_CASCADE);
    if (!u->c)
        return lua_pushstring(L, "sfew.Cascade(freed)"), 1;
    int w, h;
    sfew_cascade_window(u->c, &w, &h);
    lua_pushfstring(L, "sfew.Cascade(%s %dx%d, %d stages)",
                    sfew_cascade_kind_of(u->c) == SFEW_CASCADE_HAAR ? "HAAR" : "LBP", w, h,
                    sfew_cascade_nstages(u->c));
    return 1;
}

/* Bilinear sample of channel plane p (h x w) at (fx, fy), edges replicated. */
static float sample(const float *p, int w, int h, double fx, double fy)
{
    fx = fx < 0 ? 0 : fx > w - 1 ? w - 1 : fx;
    fy = fy < 0 ? 0 : fy > h - 1 ? h - 1 : fy;
    int x0 = (int)fx, y0 = (int)fy;
    int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
    double ax = fx - x0, ay = fy - y0;
    double top = p[(size_t)y0 * w + x0] * (1 - ax) + p[(size_t)y0 * w + x1] * ax;
    double bot = p[(size_t)y1 * w + x0] * (1 - ax) + p[(size_t)y1 * w + x1] * ax;
    return (float)(top * (1 - ay) + bot * ay);
}

/* crop(image, x, y, w, h, out_w, out_h [, angle]) -> (C, out_h, out_w) tensor: the
 * rectangle (0-based, fractional) rotated by angle radians about its centre, resampled
 * with ceil(scale)^2 bilinear samples per output pixel so a shrink averages instead of
 * aliasing. Parts outside the image repeat its edge. */
static int l_crop(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim == 3 && t->shape[1] > 0 && t->shape[2] > 0, 1,
                  "image must be (C, H, W) and not empty");
    double bx = luaL_checknumber(L, 2), by = luaL_checknumber(L, 3);
    double bw = luaL_checknumber(L, 4), bh = luaL_checknumber(L, 5);
    lua_Integer ow = luaL_checkinteger(L, 6), oh = luaL_checkinteger(L, 7);
    double angle = luaL_optnumber(L, 8, 0);
    luaL_argcheck(L, bw > 0 && bh > 0 && bw < 1e6 && bh < 1e6, 4, "box size must be positive");
    luaL_argcheck(L, fabs(bx) < 1e6 && fabs(by) < 1e6, 2, "box position out of range");
    luaL_argcheck(L, ow >= 1 && oh >= 1 && ow <= 8192 && oh <= 8192, 6,
                  "output size must be in [1, 8192]");
    luaL_argcheck(L, isfinite(angle), 8, "angle must be finite");
    int64_t c = t->shape[0], h = t->shape[1], w = t->shape[2];
    int64_t shape[3] = {c, oh, ow};
    sfew_tensor *out = lsfew_tensor_new_checked(L, 3, shape);
    int kx = (int)ceil(bw / (double)ow), ky = (int)ceil(bh / (double)oh);
    kx = kx < 1 ? 1 : kx > 16 ? 16 : kx, ky = ky < 1 ? 1 : ky > 16 ? 16 : ky;
    double cx = bx + bw / 2, cy = by + bh / 2, ca = cos(angle), sa = sin(angle);
    for (int64_t ch = 0; ch < c; ch++) {
        const float *p = t->data + ch * h * w;
        float *o = out->data + ch * oh * ow;
        for (int64_t v = 0; v < oh; v++)
            for (int64_t u = 0; u < ow; u++) {
                double acc = 0;
                for (int sy = 0; sy < ky; sy++)
                    for (int sx = 0; sx < kx; sx++) {
                        double dx = ((double)u + (sx + 0.5) / kx) * bw / (double)ow - bw / 2;
                        double dy = ((double)v + (sy + 0.5) / ky) * bh / (double)oh - bh / 2;
                        double fx = cx + ca * dx - sa * dy - 0.5;
                        double fy = cy + sa * dx + ca * dy - 0.5;
                        acc += sample(p, (int)w, (int)h, fx, fy);
                    }
                o[v * ow + u] = (float)(acc / (kx * ky));
            }
    }
    return 1;
}

/* draw_box(image, x, y, w, h [, {r, g, b} [, thickness]]): the outline of a 1-based box
 * drawn into a (C, H, W) image in place, clipped to it; gray images take the mean colour. */
static int l_draw_box(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim == 3, 1, "image must be (C, H, W)");
    lua_Integer x = luaL_checkinteger(L, 2) - 1, y = luaL_checkinteger(L, 3) - 1;
    lua_Integer w = luaL_checkinteger(L, 4), h = luaL_checkinteger(L, 5);
    luaL_argcheck(L, llabs(x) < (1 << 24) && llabs(y) < (1 << 24), 2, "box out of range");
    luaL_argcheck(L, w >= 1 && h >= 1 && w < (1 << 24) && h < (1 << 24), 4,
                  "box size must be positive");
    float rgb[3] = {1, 0, 0};
    if (!lua_isnoneornil(L, 6)) {
        luaL_checktype(L, 6, LUA_TTABLE);
        for (int k = 0; k < 3; k++) {
            lua_rawgeti(L, 6, k + 1);
            rgb[k] = (float)luaL_checknumber(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_Integer th = luaL_optinteger(L, 7, 2);
    luaL_argcheck(L, th >= 1 && th <= 64, 7, "thickness must be in [1, 64]");
    int64_t c = t->shape[0], hh = t->shape[1], ww = t->shape[2];
    for (int64_t yy = y; yy < y + h; yy++) {
        if (yy < 0 || yy >= hh)
            continue;
        for (int64_t xx = x; xx < x + w; xx++) {
            if (xx < 0 || xx >= ww)
                continue;
            int edge = yy < y + th || yy >= y + h - th || xx < x + th || xx >= x + w - th;
            if (!edge) {
                xx = x + w - th - 1; /* jump over the inside */
                continue;
            }
            for (int64_t ch = 0; ch < c; ch++)
                t->data[(ch * hh + yy) * ww + xx] =
                    c == 3 ? rgb[ch] : (rgb[0] + rgb[1] + rgb[2]) / 3;
        }
    }
    lua_settop(L, 1);
    return 1;
}

/* gray(image) -> (1, H, W) tensor: the 8-bit gray the detector sees (OpenCV's BGR2GRAY of
 * the image's bytes), divided by 255. */
static int l_gray(lua_State *L)
{
    int w = 0, h = 0;
    const uint8_t *g = gray_of(L, 1, &w, &h);
    int64_t shape[3] = {1, h, w};
    sfew_tensor *out = lsfew_tensor_new_checked(L, 3, shape);
    for (int64_t k = 0; k < (int64_t)w * h; k++)
        out->data[k] = (float)g[k] / 255.f;
    return 1;
}

static const luaL_Reg cascade_methods[] = {
    {"detect", l_detect}, {"window", l_window}, {"kind", l_kind}, {"free", l_free}, {NULL, NULL}};

static const luaL_Reg cascade_meta[] = {
    {"__gc", l_free}, {"__close", l_free}, {"__tostring", l_tostring}, {NULL, NULL}};

static const luaL_Reg detect_funcs[] = {
    {"load", l_load}, {"parse", l_parse}, {"group", l_group}, {"crop", l_crop}, {"draw_box", l_draw_box}, {"gray", l_gray}, {NULL, NULL}};

int luaopen_sfew_core_detect(lua_State *L)
{
    if (luaL_newmetatable(L, LSFEW_CASCADE)) {
        luaL_setfuncs(L, cascade_meta, 0);
        luaL_newlib(L, cascade_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    luaL_newlib(L, detect_funcs);
    return 1;
}
