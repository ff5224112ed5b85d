/* sfew.core.features: the C half of sfew.features (LPQ, PHOG, PCA). Options tables are
 * read here; the numbers are computed in engine/features/. */
#include "lsfew.h"
#include "modules.h"

/* Engine failures: a bad option value blames the options argument, a bad shape the
 * image, anything else raises the engine's message. */
static int raise(lua_State *L, sfew_status st, const sfew_err *err, int img_arg, int opt_arg)
{
    if (st == SFEW_EINVAL)
        return luaL_argerror(L, opt_arg, err->msg);
    if (st == SFEW_ESHAPE)
        return luaL_argerror(L, img_arg, err->msg);
    return lsfew_error(L, st, err);
}

/* grid = n or {rows, cols}. */
static void opt_grid(lua_State *L, int t, sfew_lpq_opts *o)
{
    if (lua_isnoneornil(L, t) || (lua_pushliteral(L, "grid"), lua_rawget(L, t)) == LUA_TNIL) {
        if (!lua_isnoneornil(L, t))
            lua_pop(L, 1);
        return;
    }
    int ok_r = 0, ok_c = 0;
    lua_Integer r = 0, c = 0;
    if (lua_type(L, -1) == LUA_TNUMBER) {
        r = c = lua_tointegerx(L, -1, &ok_r);
        ok_c = ok_r;
    } else if (lua_type(L, -1) == LUA_TTABLE) {
        lua_rawgeti(L, -1, 1); /* raw: no Lua code runs while the image is held */
        lua_rawgeti(L, -2, 2);
        r = lua_tointegerx(L, -2, &ok_r);
        c = lua_tointegerx(L, -1, &ok_c);
        lua_pop(L, 2);
    }
    luaL_argcheck(L, ok_r && ok_c && r >= 1 && c >= 1 && r <= 1024 && c <= 1024, t,
                  "option 'grid' must be a positive integer or {rows, cols}");
    o->grid_rows = (int)r, o->grid_cols = (int)c;
    lua_pop(L, 1);
}

static void lpq_opts(lua_State *L, int t, sfew_lpq_opts *o)
{
    static const char *const keys[] = {"window", "decorrelate", "rho", "grid", NULL};
    sfew_lpq_opts_default(o);
    lsfew_check_options(L, t, keys);
    lua_Integer m = lsfew_opt_integer(L, t, "window", o->window);
    luaL_argcheck(L, m >= 3 && m <= 63 && m % 2 == 1, t, "option 'window' must be odd, 3..63");
    o->window = (int)m;
    o->decorrelate = lsfew_opt_boolean(L, t, "decorrelate", o->decorrelate);
    o->rho = lsfew_opt_number(L, t, "rho", o->rho);
    opt_grid(L, t, o);
}

/* Pushes an empty tensor of n rows of d (or d alone when not a batch) and returns it. */
static sfew_tensor *push_out(lua_State *L, int batch, int64_t n, int64_t d)
{
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err err = {{0}};
    sfew_status st = sfew_tensor_new4(batch ? 2 : 1, batch ? n : d, d, 0, 0, slot, &err);
    if (st != SFEW_OK)
        lsfew_error(L, st, &err);
    return *slot;
}

/* The arguments of lpq and lpq_codes: the image (or, unless single, a batch) at 1 and the
 * options at 2, checked against each other; returns the image and fills the sizes. */
static sfew_tensor *lpq_args(lua_State *L, const char *fname, int single, sfew_lpq_opts *o,
                             int64_t *n, int64_t *h, int64_t *w, int *batch)
{
    sfew_tensor *x = check_tensor(L, 1);
    sfew_err err = {{0}};
    lpq_opts(L, 2, o);
    sfew_status st = sfew_features_image_dims(x, fname, n, h, w, batch, &err);
    luaL_argcheck(L, !single || st != SFEW_OK || !*batch, 1,
                  "lpq_codes takes one image, not a batch");
    if (st == SFEW_OK)
        st = sfew_lpq_check(o, *h, *w, &err);
    if (st != SFEW_OK)
        raise(L, st, &err, 1, 2);
    return x;
}

static int l_lpq(lua_State *L)
{
    sfew_lpq_opts o;
    sfew_err err = {{0}};
    int64_t n, h, w;
    int batch;
    sfew_tensor *x = lpq_args(L, "lpq", 0, &o, &n, &h, &w, &batch);
    sfew_tensor *out = push_out(L, batch, n, sfew_lpq_size(&o));
    sfew_status st = sfew_lpq_forward(x, &o, out, lsfew_threads(L), &err);
    return st == SFEW_OK ? 1 : raise(L, st, &err, 1, 2);
}

static int l_lpq_codes(lua_State *L)
{
    sfew_lpq_opts o;
    sfew_err err = {{0}};
    int64_t n, h, w;
    int batch;
    sfew_tensor *x = lpq_args(L, "lpq_codes", 1, &o, &n, &h, &w, &batch);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_status st = sfew_tensor_new4(2, h - o.window + 1, w - o.window + 1, 0, 0, slot, &err);
    if (st == SFEW_OK)
        st = sfew_lpq_codes(x, &o, *slot, &err);
    return st == SFEW_OK ? 1 : raise(L, st, &err, 1, 2);
}

static int l_phog(lua_State *L)
{
    sfew_tensor *x = check_tensor(L, 1);
    sfew_phog_opts o;
    sfew_err err = {{0}};
    int64_t n, h, w;
    int batch;
    static const char *const keys[] = {"bins", "levels", "angle", NULL};
    sfew_phog_opts_default(&o);
    lsfew_check_options(L, 2, keys);
    lua_Integer bins = lsfew_opt_integer(L, 2, "bins", o.bins);
    lua_Integer levels = lsfew_opt_integer(L, 2, "levels", o.levels);
    lua_Integer angle = lsfew_opt_integer(L, 2, "angle", o.angle);
    luaL_argcheck(L, bins >= 1 && bins <= 360, 2, "option 'bins' must be in 1..360");
    luaL_argcheck(L, levels >= 0 && levels <= 6, 2, "option 'levels' must be in 0..6");
    luaL_argcheck(L, angle == 180 || angle == 360, 2, "option 'angle' must be 180 or 360");
    o.bins = (int)bins, o.levels = (int)levels, o.angle = (int)angle;
    sfew_status st = sfew_features_image_dims(x, "phog", &n, &h, &w, &batch, &err);
    if (st != SFEW_OK)
        return raise(L, st, &err, 1, 2);
    sfew_tensor *out = push_out(L, batch, n, sfew_phog_size(&o));
    st = sfew_phog_forward(x, &o, out, lsfew_threads(L), &err);
    return st == SFEW_OK ? 1 : raise(L, st, &err, 1, 2);
}

/* pca_fit(x, k) -> mean (D), components (k, D), variance (k), ratio (k). */
static int l_pca_fit(lua_State *L)
{
    sfew_tensor *x = check_tensor(L, 1);
    lua_Integer k = luaL_checkinteger(L, 2);
    sfew_err err = {{0}};
    luaL_argcheck(L, x->ndim == 2 && x->shape[0] >= 1 && x->shape[1] >= 1, 1,
                  "expected a non-empty N x D matrix");
    luaL_argcheck(L, k >= 1 && k <= x->shape[1], 2, "k must be between 1 and the columns");
    int64_t d = x->shape[1];
    sfew_tensor **mean = lsfew_tensor_slot(L), **comp = lsfew_tensor_slot(L);
    sfew_tensor **var = lsfew_tensor_slot(L), **ratio = lsfew_tensor_slot(L);
    sfew_status st = sfew_tensor_new4(1, d, 0, 0, 0, mean, &err);
    if (st == SFEW_OK)
        st = sfew_tensor_new4(2, k, d, 0, 0, comp, &err);
    if (st == SFEW_OK)
        st = sfew_tensor_new4(1, k, 0, 0, 0, var, &err);
    if (st == SFEW_OK)
        st = sfew_tensor_new4(1, k, 0, 0, 0, ratio, &err);
    if (st == SFEW_OK)
        st = sfew_pca_fit(x, k, *mean, *comp, *var, *ratio, &err);
    return st == SFEW_OK ? 4 : raise(L, st, &err, 1, 2);
}

/* pca_transform(x, mean, components) -> (N, k). */
static int l_pca_transform(lua_State *L)
{
    sfew_tensor *x = check_tensor(L, 1), *mean = check_tensor(L, 2);
    sfew_tensor *comp = check_tensor(L, 3);
    sfew_err err = {{0}};
    luaL_argcheck(L, comp->ndim == 2 && mean->numel == comp->shape[1], 3,
                  "components must be k x D with D the length of mean");
    luaL_argcheck(L, x->ndim == 2 && x->shape[1] == comp->shape[1], 1,
                  "rows must have as many columns as the fitted data");
    sfew_tensor **out = lsfew_tensor_slot(L);
    sfew_status st = sfew_tensor_new4(2, x->shape[0], comp->shape[0], 0, 0, out, &err);
    if (st == SFEW_OK)
        st = sfew_pca_transform(x, mean, comp, *out, &err);
    return st == SFEW_OK ? 1 : raise(L, st, &err, 1, 2);
}

/* hcat(a, b) -> [a | b] for matrices with the same number of rows. */
static int l_hcat(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1), *b = check_tensor(L, 2);
    sfew_err err = {{0}};
    luaL_argcheck(L, a->ndim == 2, 1, "expected a matrix");
    luaL_argcheck(L, b->ndim == 2 && b->shape[0] == a->shape[0], 2,
                  "expected a matrix with as many rows as the first");
    sfew_tensor **out = lsfew_tensor_slot(L);
    sfew_status st = sfew_tensor_new4(2, a->shape[0], a->shape[1] + b->shape[1], 0, 0, out,
                                      &err);
    if (st == SFEW_OK)
        st = sfew_features_hcat(a, b, *out, &err);
    return st == SFEW_OK ? 1 : lsfew_error(L, st, &err);
}

static const luaL_Reg features_funcs[] = {
    {"lpq", l_lpq},         {"lpq_codes", l_lpq_codes},         {"phog", l_phog},
    {"pca_fit", l_pca_fit}, {"pca_transform", l_pca_transform}, {"hcat", l_hcat},
    {NULL, NULL}};

int luaopen_sfew_core_features(lua_State *L)
{
    luaL_newlib(L, features_funcs);
    return 1;
}
