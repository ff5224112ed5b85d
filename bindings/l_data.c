/* sfew.core.data: the C half of sfew.data (images, folders, CSV, IDX, synthetic faces).
 * Datasets, splitting and batching are pure Lua in scripts/sfew/data.lua. */
#include <stdlib.h>
#include <string.h>

#include "lsfew.h"
#include "modules.h"


/* Options {width, height, gray} at index t with the given defaults. */
static sfew_image_opts image_opts(lua_State *L, int t, int w, int h, int gray)
{
    sfew_image_opts o = {0, 0, 0, 0};
    lua_Integer lw = lsfew_opt_integer(L, t, "width", w);
    lua_Integer lh = lsfew_opt_integer(L, t, "height", h);
    lua_Integer lim = lsfew_opt_integer(L, t, "max_pixels", 0);
    luaL_argcheck(L, lw >= 0 && lw <= 65535 && lh >= 0 && lh <= 65535, t,
                  "width and height must be in 0..65535");
    luaL_argcheck(L, lim >= 0, t, "max_pixels must be positive");
    o.width = (int)lw;
    o.height = (int)lh;
    o.max_pixels = lim;
    o.gray = lsfew_opt_boolean(L, t, "gray", gray);
    return o;
}

/* load_image(path [, {width, height, gray}]) -> C x H x W tensor | nil, message */
static int l_load_image(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    static const char *const keys[] = {"width", "height", "gray", "max_pixels", NULL};
    lsfew_check_options(L, 2, keys);
    sfew_image_opts o = image_opts(L, 2, 0, 0, 0);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err err;
    sfew_status st = sfew_image_load(path, &o, slot, &err);
    if (st)
        return lsfew_fail(L, st, &err);
    return 1;
}

/* load_images(paths, {width, height, gray, skip_bad}) -> N x C x H x W, kept (list of
 * booleans), number skipped | nil, message */
static int l_load_images(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    static const char *const keys[] = {"width", "height", "gray", "max_pixels", "skip_bad", NULL};
    lsfew_check_options(L, 2, keys);
    sfew_image_opts o = image_opts(L, 2, 90, 72, 1);
    luaL_argcheck(L, o.width > 0 && o.height > 0, 2, "width and height must be positive");
    int skip = lsfew_opt_boolean(L, 2, "skip_bad", 0);
    lua_Integer n;
    /* Paths and flags live in userdata so a Lua error cannot leak them. */
    const char **paths = lsfew_check_strings(L, 1, (1 << 24) - 1, &n);
    char *keep = lua_newuserdatauv(L, (size_t)n + 1, 0);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err err;
    int64_t nbad = 0;
    sfew_status st = sfew_image_load_many(paths, n, &o, lsfew_threads(L), skip, slot, keep, &nbad,
                                          &err);
    if (st)
        return lsfew_fail(L, st, &err);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_pushboolean(L, keep[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushinteger(L, nbad);
    return 3;
}

/* list_dir(path) -> names (sorted), is_dir (booleans) | nil, message */
static int l_list_dir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    sfew_dir_list *l = NULL;
    sfew_err err;
    sfew_status st = sfew_dir_list_read(path, &l, &err);
    if (st)
        return lsfew_fail(L, st, &err);
    /* Nothing below raises except on memory exhaustion. */
    lua_createtable(L, l->n, 0);
    lua_createtable(L, l->n, 0);
    for (int i = 0; i < l->n; i++) {
        lua_pushstring(L, l->names[i]);
        lua_rawseti(L, -3, i + 1);
        lua_pushboolean(L, l->is_dir[i]);
        lua_rawseti(L, -2, i + 1);
    }
    sfew_dir_list_free(l);
    return 2;
}

/* mkdir(path) -> true | nil, message (parents are created too) */
static int l_mkdir(lua_State *L)
{
    sfew_err err;
    sfew_status st = sfew_mkdir_p(luaL_checkstring(L, 1), &err);
    if (st)
        return lsfew_fail(L, st, &err);
    lua_pushboolean(L, 1);
    return 1;
}

/* write_png(image C x H x W, path) -> true | nil, message */
static int l_write_png(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    const char *path = luaL_checkstring(L, 2);
    luaL_argcheck(L, t->ndim == 3 && (t->shape[0] == 1 || t->shape[0] == 3) && t->shape[1] > 0 &&
                     t->shape[2] > 0, 1, "want a (1 or 3) x H x W image");
    sfew_err err;
    sfew_status st = sfew_image_write_png(t, path, &err);
    if (st)
        return lsfew_fail(L, st, &err);
    lua_pushboolean(L, 1);
    return 1;
}

/* read_idx(path, ndim [, scale]) -> tensor | nil, message */
static int l_read_idx(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer nd = luaL_checkinteger(L, 2);
    luaL_argcheck(L, nd >= 1 && nd <= 4, 2, "dimensions must be 1..4");
    float scale = (float)luaL_optnumber(L, 3, 1.0);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err err;
    sfew_status st = sfew_idx_read(path, (int)nd, scale, slot, &err);
    if (st)
        return lsfew_fail(L, st, &err);
    return 1;
}

/* A 1-based position made 0-based; positions this far outside any image (2^40) draw
 * nothing either way, and clamping them keeps every later sum from overflowing. */
static int64_t position(lua_State *L, int arg)
{
    const lua_Integer far = (lua_Integer)1 << 40;
    lua_Integer v = luaL_checkinteger(L, arg);
    return (int64_t)(v < -far ? -far : v > far ? far : v) - 1;
}

/* paste(dst, src, row, col): 1-based top-left corner */
static int l_paste(lua_State *L)
{
    sfew_tensor *dst = check_tensor(L, 1), *src = check_tensor(L, 2);
    int64_t y = position(L, 3), x = position(L, 4);
    sfew_err err;
    sfew_status st = sfew_draw_paste(dst, src, y, x, &err);
    if (st)
        return lsfew_error(L, st, &err);
    return 0;
}

/* draw_text(dst, text, row, col [, scale [, {r, g, b}]]) */
static int l_draw_text(lua_State *L)
{
    const char *text = luaL_checkstring(L, 2);
    int64_t y = position(L, 3), x = position(L, 4);
    lua_Integer scale = luaL_optinteger(L, 5, 1);
    luaL_argcheck(L, scale >= 1 && scale <= 64, 5, "scale must be 1..64");
    float rgb[3] = {1, 1, 1};
    if (!lua_isnoneornil(L, 6)) {
        lua_Integer n;
        const double *c = lsfew_check_numbers(L, 6, 3, &n);
        luaL_argcheck(L, n == 3, 6, "colour must be {r, g, b}");
        for (int k = 0; k < 3; k++)
            rgb[k] = (float)c[k];
    }
    /* The destination last: reading the other arguments runs no Lua code after it. */
    sfew_tensor *dst = check_tensor(L, 1);
    sfew_err err;
    sfew_status st = sfew_draw_text(dst, text, y, x, (int)scale, rgb, &err);
    if (st)
        return lsfew_error(L, st, &err);
    return 0;
}

/* synthesize_faces{dir, n, seed, width, height, gray, difficulty, noise, occlusion}
 * -> true | nil, message */
static int l_synthesize_faces(lua_State *L)
{
    static const char *const keys[] = {"dir", "n", "seed", "width", "height", "gray",
                                       "difficulty", "noise", "occlusion", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    lsfew_check_options(L, 1, keys);
    const char *dir = lsfew_opt_string(L, 1, "dir", NULL);
    luaL_argcheck(L, dir != NULL, 1, "option 'dir' is required");
    sfew_faces_opts o;
    lua_Integer n = lsfew_opt_integer(L, 1, "n", 850);
    lua_Integer w = lsfew_opt_integer(L, 1, "width", 90), h = lsfew_opt_integer(L, 1, "height", 72);
    luaL_argcheck(L, n >= 0 && n <= 10000000, 1, "option 'n' must be in 0..10000000");
    luaL_argcheck(L, w >= 16 && w <= 4096 && h >= 16 && h <= 4096, 1,
                  "width and height must be in 16..4096");
    o.n = (int)n;
    o.width = (int)w;
    o.height = (int)h;
    o.seed = (uint64_t)lsfew_opt_integer(L, 1, "seed", 1);
    o.gray = lsfew_opt_boolean(L, 1, "gray", 0);
    /* 0.7: the paper's CNN fits the training set and reaches about 63 % on the test set */
    o.difficulty = (float)lsfew_opt_number(L, 1, "difficulty", 0.7);
    o.noise = (float)lsfew_opt_number(L, 1, "noise", -1.0);
    o.occlusion = (float)lsfew_opt_number(L, 1, "occlusion", -1.0);
    luaL_argcheck(L, o.difficulty >= 0 && o.difficulty <= 5, 1, "difficulty must be in 0..5");
    luaL_argcheck(L, o.noise <= 1 && o.occlusion <= 1, 1, "noise and occlusion must be <= 1");
    sfew_err err;
    sfew_status st = sfew_faces_write(dir, &o, lsfew_threads(L), &err);
    if (st)
        return lsfew_fail(L, st, &err);
    lua_pushboolean(L, 1);
    return 1;
}

int lsfew_data_read_csv(lua_State *L); /* in l_data_csv.c */

/* random_patches(images, k, count [, rng]) -> count x (C*k*k) */
static int l_random_patches(lua_State *L)
{
    sfew_tensor *x = check_tensor(L, 1);
    lua_Integer k = luaL_checkinteger(L, 2), count = luaL_checkinteger(L, 3);
    luaL_argcheck(L, x->ndim == 4, 1, "images must be N x C x H x W");
    luaL_argcheck(L, k >= 1 && k <= x->shape[2] && k <= x->shape[3], 2,
                  "patch size does not fit the images");
    luaL_argcheck(L, count >= 0 && count <= (1 << 24), 3, "count out of range");
    sfew_rng *rng = lsfew_arg_rng(L, 4);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_data_random_patches(x, k, count, rng, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static const luaL_Reg data_funcs[] = {
    {"random_patches", l_random_patches},
    {"load_image", l_load_image}, {"load_images", l_load_images},
    {"list_dir", l_list_dir},     {"mkdir", l_mkdir},
    {"write_png", l_write_png},   {"read_idx", l_read_idx},
    {"paste", l_paste},           {"draw_text", l_draw_text},
    {"synthesize_faces", l_synthesize_faces}, {"read_csv", lsfew_data_read_csv},
    {NULL, NULL}};

int luaopen_sfew_core_data(lua_State *L)
{
    luaL_newlib(L, data_funcs);
    lua_createtable(L, SFEW_NCLASSES, 0);
    for (int k = 0; k < SFEW_NCLASSES; k++) {
        lua_pushstring(L, sfew_class_names[k]);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "classes");
    return 1;
}
