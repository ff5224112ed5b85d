/* Linear, Conv2d and MaxPool2d for sfew.core.nn: constructors, forward/backward,
 * set_params and the conv kernel mask. */
#include <stdlib.h>

#include "l_nn.h"

static sfew_linear *check_linear(lua_State *L, int i)
{
    return lnn_check_kind(L, i, LNN_LINEAR)->l;
}

static sfew_conv2d *check_conv(lua_State *L, int i)
{
    return lnn_check_kind(L, i, LNN_CONV2D)->l;
}

static sfew_maxpool2d *check_pool(lua_State *L, int i)
{
    return lnn_check_kind(L, i, LNN_MAXPOOL2D)->l;
}

static lua_Integer check_size(lua_State *L, int arg, lua_Integer max)
{
    lua_Integer v = luaL_checkinteger(L, arg);
    luaL_argcheck(L, v >= 1 && v <= max, arg, "size must be positive");
    return v;
}

/* Linear(in, out [, {rng=, bias=true}]) */
int lnn_linear(lua_State *L)
{
    lua_Integer in = check_size(L, 1, INT32_MAX), out = check_size(L, 2, INT32_MAX);
    static const char *const keys[] = {"bias", "rng", NULL};
    lnn_pin_options(L, 3, keys);
    int bias = lsfew_opt_boolean(L, 3, "bias", 1);
    sfew_rng *rng = lsfew_opt_rng(L, 3);
    lmodule *m = lnn_push(L, LNN_LINEAR);
    sfew_err e;
    sfew_linear *l = NULL;
    sfew_status st = sfew_linear_create(in, out, bias, rng, &l, &e);
    if (st)
        return lsfew_error(L, st, &e);
    m->l = l;
    lnn_set_param_views(L, -1, l->weight, l->grad_weight, l->bias, l->grad_bias);
    return 1;
}

/* Conv2d(cin, cout, k [, {stride=1, padding=0, rng=, bias=true}]) */
int lnn_conv2d(lua_State *L)
{
    lua_Integer c = check_size(L, 1, 65536), k_out = check_size(L, 2, 65536);
    lua_Integer k = check_size(L, 3, 1024);
    static const char *const keys[] = {"stride", "padding", "bias", "rng", NULL};
    lnn_pin_options(L, 4, keys);
    lua_Integer stride = lsfew_opt_integer(L, 4, "stride", 1);
    lua_Integer pad = lsfew_opt_integer(L, 4, "padding", 0);
    luaL_argcheck(L, stride >= 1 && stride <= 1024, 4, "stride must be in 1..1024");
    luaL_argcheck(L, pad >= 0 && pad <= 1024, 4, "padding must be in 0..1024");
    int bias = lsfew_opt_boolean(L, 4, "bias", 1);
    sfew_rng *rng = lsfew_opt_rng(L, 4);
    lmodule *m = lnn_push(L, LNN_CONV2D);
    sfew_err e;
    sfew_conv2d *l = NULL;
    sfew_status st = sfew_conv2d_create(c, k_out, k, stride, pad, bias, rng, &l, &e);
    if (st)
        return lsfew_error(L, st, &e);
    m->l = l;
    lnn_set_param_views(L, -1, l->weight, l->grad_weight, l->bias, l->grad_bias);
    return 1;
}

/* MaxPool2d(k [, {stride = k}]) */
int lnn_maxpool2d(lua_State *L)
{
    lua_Integer k = check_size(L, 1, 4096);
    static const char *const keys[] = {"stride", NULL};
    lnn_pin_options(L, 2, keys);
    lua_Integer stride = lsfew_opt_integer(L, 2, "stride", k);
    luaL_argcheck(L, stride >= 1 && stride <= 4096, 2, "stride must be in 1..4096");
    lmodule *m = lnn_push(L, LNN_MAXPOOL2D);
    sfew_err e;
    sfew_maxpool2d *l = NULL;
    sfew_status st = sfew_maxpool2d_create(k, stride, &l, &e);
    if (st)
        return lsfew_error(L, st, &e);
    m->l = l;
    return 1;
}

void lnn_free_layer(lmodule *m)
{
    if (m->kind == LNN_LINEAR)
        sfew_linear_free(m->l);
    else if (m->kind == LNN_CONV2D)
        sfew_conv2d_free(m->l);
    else if (m->kind == LNN_MAXPOOL2D)
        sfew_maxpool2d_free(m->l);
    m->l = NULL;
}

/* ---- forward / backward ----------------------------------------------------------- */

static int linear_forward(lua_State *L)
{
    sfew_linear *l = check_linear(L, 1);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = sfew_linear_check(l, x, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_linear_forward(l, x, lnn_result(L, 1, LNN_OUTPUT, x, NULL), &e)))
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int linear_backward(lua_State *L)
{
    sfew_linear *l = check_linear(L, 1);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_linear_check(l, x, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_linear_backward(l, x, g, lnn_result(L, 1, LNN_GRAD_INPUT, x, g), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

static int conv_forward(lua_State *L)
{
    sfew_conv2d *l = check_conv(L, 1);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = sfew_conv2d_check(l, x, NULL, NULL, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_conv2d_forward(l, x, lnn_result(L, 1, LNN_OUTPUT, x, NULL),
                                  lsfew_threads(L), &e)))
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int conv_backward(lua_State *L)
{
    sfew_conv2d *l = check_conv(L, 1);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    /* a third argument false skips the input gradient (the first layer of a net) */
    int want_input = lua_type(L, 4) != LUA_TBOOLEAN || lua_toboolean(L, 4);
    sfew_err e;
    sfew_status st = sfew_conv2d_check(l, x, NULL, NULL, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    sfew_tensor *gi = NULL;
    if (want_input)
        gi = lnn_result(L, 1, LNN_GRAD_INPUT, x, g);
    else
        lua_pushnil(L);
    if ((st = sfew_conv2d_backward(l, x, g, gi, lsfew_threads(L), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

/* Shared by pool:forward and pool:forward_relu (which pools ReLU(x) in one pass). */
static int pool_forward_with(lua_State *L, int relu)
{
    sfew_maxpool2d *l = check_pool(L, 1);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = sfew_maxpool2d_check(l, x, NULL, NULL, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    sfew_tensor *dst = lnn_result(L, 1, LNN_OUTPUT, x, NULL);
    st = relu ? sfew_maxpool2d_forward_relu(l, x, dst, lsfew_threads(L), &e)
              : sfew_maxpool2d_forward(l, x, dst, lsfew_threads(L), &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int pool_forward(lua_State *L) { return pool_forward_with(L, 0); }

/* pool:forward_relu(x): pools ReLU(x) in one pass into the pool's output (Sequential runs
 * a ReLU followed by a MaxPool2d so); the next backward gives the gradient before the
 * ReLU. */
static int pool_forward_relu(lua_State *L) { return pool_forward_with(L, 1); }

static int pool_backward(lua_State *L)
{
    sfew_maxpool2d *l = check_pool(L, 1);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_maxpool2d_check(l, x, NULL, NULL, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_maxpool2d_backward(l, x, g, lnn_result(L, 1, LNN_GRAD_INPUT, x, g),
                                      lsfew_threads(L), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

/* ---- set_params, mask ------------------------------------------------------------- */

/* layer:set_params(weight, bias): copies them in; layer.weight/.bias become new tensors. */
static int param_set(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    luaL_argcheck(L, m->kind == LNN_LINEAR || m->kind == LNN_CONV2D, 1, "no parameters");
    sfew_tensor *w = check_tensor(L, 2), *b = lua_isnoneornil(L, 3) ? NULL : check_tensor(L, 3);
    sfew_err e;
    sfew_status st;
    int w_ok; /* a bad weight is argument #1 (after self); anything else blames the bias */
    if (m->kind == LNN_LINEAR) {
        sfew_linear *l = m->l;
        w_ok = w->ndim == 2 && w->numel > 0;
        if ((st = sfew_linear_set_params(l, w, b, &e)))
            return lnn_error(L, w_ok ? 3 : 2, st, &e);
        lnn_set_param_views(L, 1, l->weight, l->grad_weight, l->bias, l->grad_bias);
    } else {
        sfew_conv2d *l = m->l;
        w_ok = w->ndim == 4 && w->numel > 0 && w->shape[2] == l->k && w->shape[3] == l->k;
        if ((st = sfew_conv2d_set_params(l, w, b, &e)))
            return lnn_error(L, w_ok ? 3 : 2, st, &e);
        lnn_set_param_views(L, 1, l->weight, l->grad_weight, l->bias, l->grad_bias);
    }
    lua_settop(L, 1);
    return 1;
}

/* conv:set_mask({k1, k2, ...}) masks those 1-based kernels; set_mask(nil) clears. */
static int conv_set_mask(lua_State *L)
{
    sfew_conv2d *l = check_conv(L, 1);
    sfew_err e;
    if (lua_isnoneornil(L, 2)) {
        sfew_conv2d_set_mask(l, NULL, &e);
        lua_settop(L, 1);
        return 1;
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    sfew_tensor *mask = lnn_push_empty(L);
    int64_t K = l->K;
    sfew_status st = sfew_tensor_resize(mask, 1, &K, &e);
    if (st)
        return lsfew_error(L, st, &e);
    sfew_tensor_fill(mask, 1.0f);
    /* raw access: no __index or __len runs Lua code (which might free the layer) while
     * l is in use */
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        int ok = 0;
        lua_Integer k = lua_tointegerx(L, -1, &ok);
        if (!ok || k < 1 || k > K)
            return luaL_argerror(L, 2, lua_pushfstring(L, "entry %I is not a kernel in 1..%I",
                                                       i, (lua_Integer)K));
        mask->data[k - 1] = 0.0f;
        lua_pop(L, 1);
    }
    if ((st = sfew_conv2d_set_mask(l, mask, &e)))
        return lsfew_error(L, st, &e);
    lua_settop(L, 1);
    return 1;
}

/* conv:mask() -> list of masked (1-based) kernels, empty when none. */
static int conv_mask(lua_State *L)
{
    sfew_conv2d *l = check_conv(L, 1);
    lua_newtable(L);
    for (int64_t k = 0, n = 0; l->mask && k < l->K; k++)
        if (l->mask->data[k] == 0.0f) {
            lua_pushinteger(L, (lua_Integer)k + 1);
            lua_rawseti(L, -2, ++n);
        }
    return 1;
}

/* ---- description ------------------------------------------------------------------ */

void lnn_layer_describe(lua_State *L, lmodule *m)
{
    if (m->kind == LNN_LINEAR) {
        sfew_linear *l = m->l;
        lua_pushfstring(L, "nn.Linear(%I -> %I%s)", (lua_Integer)l->in, (lua_Integer)l->out,
                        l->bias ? "" : ", no bias");
    } else if (m->kind == LNN_CONV2D) {
        sfew_conv2d *l = m->l;
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        lua_pushfstring(L, "nn.Conv2d(%I -> %I, %Ix%I", (lua_Integer)l->C, (lua_Integer)l->K,
                        (lua_Integer)l->k, (lua_Integer)l->k);
        luaL_addvalue(&b);
        if (l->stride != 1) {
            lua_pushfstring(L, ", stride %I", (lua_Integer)l->stride);
            luaL_addvalue(&b);
        }
        if (l->padding != 0) {
            lua_pushfstring(L, ", padding %I", (lua_Integer)l->padding);
            luaL_addvalue(&b);
        }
        luaL_addstring(&b, l->bias ? ")" : ", no bias)");
        luaL_pushresult(&b);
    } else {
        sfew_maxpool2d *l = m->l;
        if (l->stride == l->k)
            lua_pushfstring(L, "nn.MaxPool2d(%I)", (lua_Integer)l->k);
        else
            lua_pushfstring(L, "nn.MaxPool2d(%I, stride %I)", (lua_Integer)l->k,
                            (lua_Integer)l->stride);
    }
}

static void set_int(lua_State *L, const char *key, int64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

void lnn_layer_spec(lua_State *L, lmodule *m)
{
    lua_newtable(L);
    lua_pushstring(L, lnn_type[m->kind]);
    lua_setfield(L, -2, "type");
    if (m->kind == LNN_LINEAR) {
        sfew_linear *l = m->l;
        set_int(L, "in_features", l->in);
        set_int(L, "out_features", l->out);
        lua_pushboolean(L, l->bias != NULL);
        lua_setfield(L, -2, "bias");
    } else if (m->kind == LNN_CONV2D) {
        sfew_conv2d *l = m->l;
        set_int(L, "in_channels", l->C);
        set_int(L, "out_channels", l->K);
        set_int(L, "kernel", l->k);
        set_int(L, "stride", l->stride);
        set_int(L, "padding", l->padding);
        lua_pushboolean(L, l->bias != NULL);
        lua_setfield(L, -2, "bias");
    } else {
        sfew_maxpool2d *l = m->l;
        set_int(L, "kernel", l->k);
        set_int(L, "stride", l->stride);
    }
}

const luaL_Reg lnn_linear_methods[] = {
    {"forward", linear_forward}, {"backward", linear_backward}, {"set_params", param_set},
    {NULL, NULL}};
const luaL_Reg lnn_conv2d_methods[] = {
    {"forward", conv_forward}, {"backward", conv_backward}, {"set_params", param_set},
    {"set_mask", conv_set_mask}, {"mask", conv_mask}, {NULL, NULL}};
const luaL_Reg lnn_maxpool2d_methods[] = {
    {"forward", pool_forward}, {"forward_relu", pool_forward_relu},
    {"backward", pool_backward}, {NULL, NULL}};
