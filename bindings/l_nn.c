/* sfew.core.nn: the C half of sfew.nn. Module userdata of every kind share one layout
 * (lmodule) and the generic methods here; Linear, Conv2d and MaxPool2d live in
 * l_nn_layers.c. Outputs are fresh tensors; layers keep only work buffers and caches. */
#include <math.h>
#include <string.h>

#include "l_nn.h"
#include "modules.h"

const char *const lnn_meta[LNN_KINDS] = {
    "sfew.Linear", "sfew.Conv2d", "sfew.MaxPool2d", "sfew.ReLU", "sfew.Sigmoid",
    "sfew.Tanh", "sfew.Flatten", "sfew.CrossEntropyLoss", "sfew.MSELoss"};
const char *const lnn_type[LNN_KINDS] = {
    "Linear", "Conv2d", "MaxPool2d", "ReLU", "Sigmoid", "Tanh", "Flatten",
    "CrossEntropyLoss", "MSELoss"};

lmodule *lnn_check(lua_State *L, int i)
{
    for (int k = 0; k < LNN_KINDS; k++) {
        lmodule *m = luaL_testudata(L, i, lnn_meta[k]);
        if (m) {
            if (!m->l && k <= LNN_MAXPOOL2D)
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
    if (!m->l && k <= LNN_MAXPOOL2D)
        luaL_argerror(L, i, "module was not created");
    return m;
}

lmodule *lnn_push(lua_State *L, lnn_kind k)
{
    lmodule *m = lua_newuserdatauv(L, sizeof *m, 2);
    m->kind = k;
    m->training = 1;
    m->l = NULL;
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

sfew_tensor *lnn_dest(lua_State *L, int i, const sfew_tensor *a, const sfew_tensor *b)
{
    if (lua_isnoneornil(L, i) || lua_type(L, i) == LUA_TBOOLEAN)
        return lnn_push_empty(L);
    sfew_tensor *d = check_tensor(L, i);
    if (sfew_tensor_shares(d, a) || (b && sfew_tensor_shares(d, b)))
        return lnn_push_empty(L);
    lua_pushvalue(L, i);
    return d;
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

void lnn_set_param_views(lua_State *L, int i, sfew_tensor *w, sfew_tensor *gw, sfew_tensor *b,
                         sfew_tensor *gb)
{
    i = lua_absindex(L, i);
    push_param(L, w, gw);
    lua_setiuservalue(L, i, 1);
    if (b)
        push_param(L, b, gb);
    else
        lua_pushnil(L);
    lua_setiuservalue(L, i, 2);
}

/* ---- generic methods -------------------------------------------------------------- */

static int m_parameters(lua_State *L)
{
    lnn_check(L, 1);
    lua_newtable(L);
    int n = 0;
    for (int u = 1; u <= 2; u++)
        if (lua_getiuservalue(L, 1, u) == LUA_TUSERDATA)
            lua_rawseti(L, -2, ++n);
        else
            lua_pop(L, 1);
    return 1;
}

static int m_zero_grad(lua_State *L)
{
    lnn_check(L, 1);
    for (int u = 1; u <= 2; u++) {
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

static int m_tostring(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    if (m->kind <= LNN_MAXPOOL2D)
        lnn_layer_describe(L, m);
    else
        lua_pushfstring(L, "nn.%s()", lnn_type[m->kind]);
    return 1;
}

static int m_spec(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    if (m->kind <= LNN_MAXPOOL2D)
        lnn_layer_spec(L, m);
    else {
        lua_newtable(L);
        lua_pushstring(L, lnn_type[m->kind]);
        lua_setfield(L, -2, "type");
    }
    return 1;
}

static int m_gc(lua_State *L)
{
    for (int k = 0; k <= LNN_MAXPOOL2D; k++) {
        lmodule *m = luaL_testudata(L, 1, lnn_meta[k]);
        if (m)
            lnn_free_layer(m);
    }
    return 0;
}

/* __index: the kind's methods (upvalue 1), then weight, bias and training. */
static int m_index(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    const char *key = lua_tostring(L, 2);
    if (key && strcmp(key, "weight") == 0)
        lua_getiuservalue(L, 1, 1);
    else if (key && strcmp(key, "bias") == 0)
        lua_getiuservalue(L, 1, 2);
    else if (key && strcmp(key, "training") == 0)
        lua_pushboolean(L, m->training);
    else
        lua_pushnil(L);
    return 1;
}

/* ---- activations and Flatten ------------------------------------------------------- */

typedef sfew_status (*act_fwd)(const sfew_tensor *, sfew_tensor *, int, sfew_err *);
typedef sfew_status (*act_bwd)(const sfew_tensor *, const sfew_tensor *, sfew_tensor *, int,
                               sfew_err *);

static const act_fwd act_forward_fn[] = {sfew_relu_forward, sfew_sigmoid_forward,
                                         sfew_tanh_forward};
static const act_bwd act_backward_fn[] = {sfew_relu_backward, sfew_sigmoid_backward,
                                          sfew_tanh_backward};

static int act_kind(lua_State *L)
{
    lmodule *m = lnn_check(L, 1);
    luaL_argcheck(L, m->kind >= LNN_RELU && m->kind <= LNN_TANH, 1, "not an activation");
    return m->kind - LNN_RELU;
}

static int act_forward(lua_State *L)
{
    int k = act_kind(L);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = act_forward_fn[k](x, lnn_dest(L, 3, x, NULL), lsfew_threads(L), &e);
    return st ? lsfew_error(L, st, &e) : 1;
}

/* m:forward_(x): in place on x, which it returns. For containers that own x. */
static int act_forward_(lua_State *L)
{
    int k = act_kind(L);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = act_forward_fn[k](x, x, lsfew_threads(L), &e);
    lua_settop(L, 2);
    return st ? lsfew_error(L, st, &e) : 1;
}

static int act_backward(lua_State *L)
{
    int k = act_kind(L);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = act_backward_fn[k](x, g, lnn_dest(L, 4, x, g), lsfew_threads(L), &e);
    return st ? lnn_error(L, 3, st, &e) : 1;
}

/* m:backward_(x, g): overwrites g with the input gradient and returns it. ReLU only:
 * its x may be the in-place output, whose sign pattern equals the input's. */
static int act_backward_(lua_State *L)
{
    int k = act_kind(L);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = act_backward_fn[k](x, g, g, lsfew_threads(L), &e);
    lua_settop(L, 3);
    return st ? lnn_error(L, 3, st, &e) : 1;
}

static int flatten_forward(lua_State *L)
{
    lnn_check_kind(L, 1, LNN_FLATTEN);
    sfew_tensor *x = check_tensor(L, 2);
    char buf[96];
    if (x->ndim < 2)
        return luaL_argerror(L, 2, lua_pushfstring(L, "Flatten expects N x ... input with at "
                             "least 2 dimensions, got %s", sfew_shape_str(x->ndim, x->shape,
                             buf, 96)));
    int64_t shape[2] = {x->shape[0], 1}; /* rest in C-H-W order: row-major already */
    for (int i = 1; i < x->ndim; i++)
        shape[1] *= x->shape[i];
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_reshape(x, 2, shape, slot, &e);
    return st ? lsfew_error(L, st, &e) : 1;
}

static int flatten_backward(lua_State *L)
{
    lnn_check_kind(L, 1, LNN_FLATTEN);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    char a[96], b[96];
    if (g->numel != x->numel || g->ndim != 2 || (x->ndim >= 1 && g->shape[0] != x->shape[0]))
        return luaL_argerror(L, 3, lua_pushfstring(L, "Flatten backward: grad_output is %s "
                             "for input %s", sfew_shape_str(g->ndim, g->shape, a, 96),
                             sfew_shape_str(x->ndim, x->shape, b, 96)));
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_reshape(g, x->ndim, x->shape, slot, &e);
    return st ? lsfew_error(L, st, &e) : 1;
}

/* ---- constructors and the module table -------------------------------------------- */

static int push_simple(lua_State *L, lnn_kind k)
{
    lnn_push(L, k);
    return 1;
}

static int new_relu(lua_State *L)
{
    return push_simple(L, LNN_RELU);
}

static int new_sigmoid(lua_State *L)
{
    return push_simple(L, LNN_SIGMOID);
}

static int new_tanh(lua_State *L)
{
    return push_simple(L, LNN_TANH);
}

static int new_flatten(lua_State *L)
{
    return push_simple(L, LNN_FLATTEN);
}

static int new_cross_entropy(lua_State *L)
{
    return push_simple(L, LNN_CROSS_ENTROPY);
}

static int new_mse(lua_State *L)
{
    return push_simple(L, LNN_MSE);
}

static const luaL_Reg common_methods[] = {
    {"parameters", m_parameters}, {"zero_grad", m_zero_grad}, {"train", m_train},
    {"evaluate", m_evaluate},     {"spec", m_spec},           {NULL, NULL}};
static const luaL_Reg act_methods[] = {{"forward", act_forward}, {"backward", act_backward},
                                       {NULL, NULL}};
static const luaL_Reg relu_methods[] = {
    {"forward", act_forward}, {"backward", act_backward}, {"forward_", act_forward_},
    {"backward_", act_backward_}, {NULL, NULL}};
static const luaL_Reg flatten_methods[] = {
    {"forward", flatten_forward}, {"backward", flatten_backward}, {NULL, NULL}};

static const luaL_Reg nn_funcs[] = {
    {"Linear", lnn_linear},   {"Conv2d", lnn_conv2d},
    {"MaxPool2d", lnn_maxpool2d}, {"ReLU", new_relu},
    {"Sigmoid", new_sigmoid}, {"Tanh", new_tanh},
    {"Flatten", new_flatten}, {"CrossEntropyLoss", new_cross_entropy},
    {"MSELoss", new_mse},     {NULL, NULL}};

/* One metatable per kind; __index closes over that kind's methods table. */
static void create_meta(lua_State *L, lnn_kind k, const luaL_Reg *methods)
{
    luaL_newmetatable(L, lnn_meta[k]);
    lua_newtable(L);
    luaL_setfuncs(L, common_methods, 0);
    luaL_setfuncs(L, methods, 0);
    lua_pushcclosure(L, m_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, m_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, m_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
}

int luaopen_sfew_core_nn(lua_State *L)
{
    create_meta(L, LNN_LINEAR, lnn_linear_methods);
    create_meta(L, LNN_CONV2D, lnn_conv2d_methods);
    create_meta(L, LNN_MAXPOOL2D, lnn_maxpool2d_methods);
    create_meta(L, LNN_RELU, relu_methods);
    create_meta(L, LNN_SIGMOID, act_methods);
    create_meta(L, LNN_TANH, act_methods);
    create_meta(L, LNN_FLATTEN, flatten_methods);
    create_meta(L, LNN_CROSS_ENTROPY, lnn_cross_entropy_methods);
    create_meta(L, LNN_MSE, lnn_mse_methods);
    luaL_newlib(L, nn_funcs);
    return 1;
}
