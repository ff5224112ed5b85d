/* sfew.core.nn: the C half of sfew.nn. Module userdata of every kind share one layout
 * (lmodule) and the generic methods here; activations and Flatten live in l_nn_act.c,
 * Linear, Conv2d and MaxPool2d in l_nn_layers.c, criteria in l_nn_loss.c, BatchNorm and
 * Dropout in l_nn_norm.c, average pooling, LeakyReLU and ELU in l_nn_pool.c. Each module owns
 * its output and its input gradient, as Torch7's modules do (see l_nn.h). */
#include <string.h>

#include "l_nn.h"
#include "modules.h"

const char *const lnn_meta[LNN_KINDS] = {
    "sfew.Linear", "sfew.Conv2d", "sfew.MaxPool2d", "sfew.ReLU", "sfew.Sigmoid",
    "sfew.Tanh", "sfew.Flatten", "sfew.CrossEntropyLoss", "sfew.MSELoss", "sfew.BatchNorm2d",
    "sfew.BatchNorm1d", "sfew.Dropout", "sfew.Dropout2d", "sfew.AvgPool2d",
    "sfew.AdaptiveAvgPool2d", "sfew.LeakyReLU", "sfew.ELU"};
const char *const lnn_type[LNN_KINDS] = {
    "Linear", "Conv2d", "MaxPool2d", "ReLU", "Sigmoid", "Tanh", "Flatten",
    "CrossEntropyLoss", "MSELoss", "BatchNorm2d", "BatchNorm1d", "Dropout", "Dropout2d",
    "AvgPool2d", "AdaptiveAvgPool2d", "LeakyReLU", "ELU"};

lmodule *lnn_check(lua_State *L, int i)
{
    for (int k = 0; k < LNN_KINDS; k++) {
        lmodule *m = luaL_testudata(L, i, lnn_meta[k]);
        if (m) {
            if (!m->l && lnn_has_layer(k))
                luaL_argerror(L, i, "module was not created");
            return m;
        }
    }
    luaL_typeerror(L, i, "sfew module");
    return NULL;
}

lmodule *lnn_check_kind(lua_State *L, int i, lnn_kind k)
{
    lmodule *m = luaL_checkudata(L, i, lnn_meta[k]);
    if (!m->l && lnn_has_layer(k))
        luaL_argerror(L, i, "module was not created");
    return m;
}

lmodule *lnn_push(lua_State *L, lnn_kind k)
{
    lmodule *m = lua_newuserdatauv(L, sizeof *m, LNN_NUV);
    m->kind = k;
    m->training = 1;
    m->l = NULL;
    m->arg = 0;
    luaL_setmetatable(L, lnn_meta[k]);
    return m;
}

sfew_tensor *lnn_push_empty(lua_State *L)
{
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_new4(1, 0, 0, 0, 0, slot, &e);
    if (st)
        lsfew_error(L, st, &e);
    return *slot;
}

sfew_tensor *lnn_result(lua_State *L, int i, int uv, const sfew_tensor *a, const sfew_tensor *b)
{
    i = lua_absindex(L, i);
    lua_getiuservalue(L, i, uv);
    sfew_tensor *t = test_tensor(L, -1);
    if (t && !sfew_tensor_shares(t, a) && !(b && sfew_tensor_shares(t, b)))
        return t;
    lua_pop(L, 1);
    t = lnn_push_empty(L);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, i, uv);
    return t;
}

void lnn_result_view(lua_State *L, int i, int uv, sfew_tensor *t)
{
    i = lua_absindex(L, i);
    lua_getiuservalue(L, i, uv);
    ltensor *u = luaL_testudata(L, -1, LSFEW_TENSOR);
    if (u) {
        sfew_tensor_free(u->t); /* t is a view of its own: this drops one reference */
        u->t = t;
        return;
    }
    lua_pop(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    *slot = t;
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, i, uv);
}

void lnn_pin_options(lua_State *L, int i, const char *const *keys)
{
    if (lua_isnoneornil(L, i))
        return;
    i = lua_absindex(L, i);
    lsfew_check_options(L, i, keys);
    lua_newtable(L);
    for (; *keys; keys++) {
        lua_getfield(L, i, *keys);
        lua_setfield(L, -2, *keys);
    }
    lua_replace(L, i);
}

/* Frees the result in user value uv (a caller still holding it sees a freed tensor). */
static void drop_result(lua_State *L, int i, int uv)
{
    lua_getiuservalue(L, i, uv);
    ltensor *u = luaL_testudata(L, -1, LSFEW_TENSOR);
    if (u) {
        sfew_tensor_free(u->t);
        u->t = NULL;
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_setiuservalue(L, i, uv);
}

int lnn_error(lua_State *L, int arg, sfew_status st, const sfew_err *e)
{
    if (st == SFEW_ESHAPE || st == SFEW_EINVAL)
        return luaL_argerror(L, arg, e->msg);
    return lsfew_error(L, st, e);
}

/* Pushes a view of t (same storage); its .grad is a view of g. */
static void push_param(lua_State *L, sfew_tensor *t, sfew_tensor *g)
{
    sfew_err e;
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_status st = sfew_tensor_reshape(t, t->ndim, t->shape, slot, &e);
    if (st)
        lsfew_error(L, st, &e);
    slot = lsfew_tensor_slot(L);
    if ((st = sfew_tensor_reshape(g, g->ndim, g->shape, slot, &e)))
        lsfew_error(L, st, &e);
    lua_setiuservalue(L, -2, 1);
}

/* Records the views in user values LNN_WEIGHT and LNN_BIAS of the module at index i as
 * replaced, in the weak table LSFEW_STALE: an optimiser built on them would otherwise
 * go on updating tensors the layer no longer uses, with no error. */
static void mark_stale(lua_State *L, int i)
{
    const lmodule *m = lua_touserdata(L, i);
    static const char *const what[] = {"weight", "bias"};
    for (int u = LNN_WEIGHT; u <= LNN_BIAS; u++) {
        if (lua_getiuservalue(L, i, u) != LUA_TUSERDATA) {
            lua_pop(L, 1);
            continue;
        }
        if (luaL_getsubtable(L, LUA_REGISTRYINDEX, LSFEW_STALE) == 0) {
            lua_pushliteral(L, "k");
            lua_setfield(L, -2, "__mode");
            lua_pushvalue(L, -1);
            lua_setmetatable(L, -2);
        }
        lua_insert(L, -2);
        lua_pushfstring(L, "the %s of an nn.%s that set_params (or pruning) has since replaced",
                        what[u - LNN_WEIGHT], lnn_type[m->kind]);
        lua_rawset(L, -3);
        lua_pop(L, 1);
    }
}

void lnn_set_param_views(lua_State *L, int i, sfew_tensor *w, sfew_tensor *gw, sfew_tensor *b,
                         sfew_tensor *gb)
{
    i = lua_absindex(L, i);
    mark_stale(L, i);
    push_param(L, w, gw);
    lua_setiuservalue(L, i, LNN_WEIGHT);
    if (b)
        push_param(L, b, gb);
    else
        lua_pushnil(L);
    lua_setiuservalue(L, i, LNN_BIAS);
}

/* ---- generic methods -------------------------------------------------------------- */

static int m_parameters(lua_State *L)
{
    lnn_check(L, 1);
    lua_newtable(L);
    int n = 0;
    for (int u = LNN_WEIGHT; u <= LNN_BIAS; u++)
        if (lua_getiuservalue(L, 1, u) == LUA_TUSERDATA)
            lua_rawseti(L, -2, ++n);
        else
            lua_pop(L, 1);
    return 1;
}

static int m_zero_grad(lua_State *L)
{
    lnn_check(L, 1);
    for (int u = LNN_WEIGHT; u <= LNN_BIAS; u++) {
        if (lua_getiuservalue(L, 1, u) == LUA_TUSERDATA) {
            lua_getiuservalue(L, -1, 1);
            sfew_tensor *g = test_tensor(L, -1);
            if (g)
                sfew_tensor_fill(g, 0.0f);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, 1);
    return 1;
}

static int set_mode(lua_State *L, int training)
{
    lnn_check(L, 1)->training = training;
    lua_settop(L, 1);
    return 1;
}

static int m_train(lua_State *L)
{
    return set_mode(L, 1);
}

static int m_evaluate(lua_State *L)
{
    return set_mode(L, 0);
}

/* m:clear(): frees the output and input gradient the module holds (they come back, new,
 * at the next call), as Torch7's clearState. */
static int m_clear(lua_State *L)
{
    lnn_check(L, 1);
    drop_result(L, 1, LNN_OUTPUT);
    drop_result(L, 1, LNN_GRAD_INPUT);
    lua_settop(L, 1);
    return 1;
}

static int m_tostring(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    if (m->kind <= LNN_MAXPOOL2D)
        lnn_layer_describe(L, m);
    else if (m->kind >= LNN_FIRST_MORE || m->kind == LNN_CROSS_ENTROPY)
        lnn_more_describe(L, m);
    else
        lua_pushfstring(L, "nn.%s()", lnn_type[m->kind]);
    return 1;
}

static int m_spec(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    if (m->kind <= LNN_MAXPOOL2D)
        lnn_layer_spec(L, m);
    else if (m->kind >= LNN_FIRST_MORE || m->kind == LNN_CROSS_ENTROPY)
        lnn_more_spec(L, m);
    else {
        lua_newtable(L);
        lua_pushstring(L, lnn_type[m->kind]);
        lua_setfield(L, -2, "type");
    }
    return 1;
}

static int m_gc(lua_State *L)
{
    for (int k = 0; k < LNN_KINDS; k++) {
        lmodule *m = luaL_testudata(L, 1, lnn_meta[k]);
        if (m && k <= LNN_MAXPOOL2D)
            lnn_free_layer(m);
        else if (m && k >= LNN_FIRST_MORE)
            lnn_more_free(m);
    }
    return 0;
}

/* Fields besides the methods, by name, with their user value (0: training). */
static const struct {
    const char *name;
    int uv;
} fields[] = {{"weight", LNN_WEIGHT}, {"bias", LNN_BIAS}, {"output", LNN_OUTPUT},
              {"grad_input", LNN_GRAD_INPUT}, {"training", 0}};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* __index: the kind's methods (upvalue 1), then the fields. */
static int m_index(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
    for (size_t f = 0; f < NFIELDS; f++)
        if (strcmp(key, fields[f].name) == 0) {
            if (fields[f].uv)
                lua_getiuservalue(L, 1, fields[f].uv);
            else
                lua_pushboolean(L, m->training);
            return 1;
        }
    lua_pushnil(L);
    return 1;
}

/* __newindex: nothing is assigned, so a parameter cannot be replaced by accident (the
 * optimiser and checkpoints would keep seeing the old tensor). */
static int m_newindex(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    if (strcmp(key, "weight") == 0 || strcmp(key, "bias") == 0)
        return luaL_error(L, "cannot assign '%s' of nn.%s: copy into it (%s:copy(t)) or "
                          "use set_params", key, lnn_type[m->kind], key);
    return luaL_error(L, "cannot assign '%s' of nn.%s: modules take no new fields", key,
                      lnn_type[m->kind]);
}

static const luaL_Reg common_methods[] = {
    {"parameters", m_parameters}, {"zero_grad", m_zero_grad}, {"train", m_train},
    {"evaluate", m_evaluate},     {"spec", m_spec},           {"clear", m_clear},
    {NULL, NULL}};

/* One metatable per kind; __index closes over that kind's methods table, which the
 * metatable also lists as __methods (with the field names as __fields) for completion. */
static void create_meta(lua_State *L, lnn_kind k, const luaL_Reg *methods)
{
    luaL_newmetatable(L, lnn_meta[k]);
    lua_newtable(L);
    luaL_setfuncs(L, common_methods, 0);
    luaL_setfuncs(L, methods, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__methods");
    lua_pushcclosure(L, m_index, 1);
    lua_setfield(L, -2, "__index");
    lua_createtable(L, NFIELDS, 0);
    for (size_t f = 0; f < NFIELDS; f++) {
        lua_pushstring(L, fields[f].name);
        lua_rawseti(L, -2, (lua_Integer)f + 1);
    }
    lua_setfield(L, -2, "__fields");
    const luaL_Reg meta[] = {{"__newindex", m_newindex}, {"__tostring", m_tostring},
                             {"__gc", m_gc}, {NULL, NULL}};
    luaL_setfuncs(L, meta, 0);
    lua_pop(L, 1);
}

static const luaL_Reg nn_funcs[] = {
    {"Linear", lnn_linear}, {"Conv2d", lnn_conv2d}, {"MaxPool2d", lnn_maxpool2d},
    {"BatchNorm2d", lnn_batchnorm2d}, {"BatchNorm1d", lnn_batchnorm1d},
    {"Dropout", lnn_dropout}, {"Dropout2d", lnn_dropout2d}, {"AvgPool2d", lnn_avgpool2d},
    {"AdaptiveAvgPool2d", lnn_adaptive_avgpool2d}, {"LeakyReLU", lnn_leaky_relu},
    {"ELU", lnn_elu}, {"CrossEntropyLoss", lnn_cross_entropy}, {NULL, NULL}};

int luaopen_sfew_core_nn(lua_State *L)
{
    const luaL_Reg *methods[LNN_KINDS] = {
        lnn_linear_methods, lnn_conv2d_methods, lnn_maxpool2d_methods, lnn_relu_methods,
        lnn_act_methods, lnn_act_methods, lnn_flatten_methods, lnn_cross_entropy_methods,
        lnn_mse_methods, lnn_batchnorm_methods, lnn_batchnorm_methods, lnn_dropout_methods,
        lnn_dropout_methods, lnn_avgpool2d_methods, lnn_adaptive_avgpool2d_methods,
        lnn_leaky_relu_methods, lnn_elu_methods};
    for (int k = 0; k < LNN_KINDS; k++)
        create_meta(L, (lnn_kind)k, methods[k]);
    luaL_newlib(L, nn_funcs);
    for (int k = LNN_RELU; k <= LNN_MSE; k++) { /* the kinds without options */
        if (k == LNN_CROSS_ENTROPY) /* takes {weight, label_smoothing} (l_nn_loss.c) */
            continue;
        lua_pushinteger(L, k);
        lua_pushcclosure(L, lnn_simple, 1);
        lua_setfield(L, -2, lnn_type[k]);
    }
    return 1;
}
