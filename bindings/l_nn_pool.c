/* AvgPool2d, AdaptiveAvgPool2d, LeakyReLU and ELU for sfew.core.nn, and the description
 * (tostring, spec) of every kind from LNN_FIRST_MORE on. */
#include "l_nn.h"

/* AvgPool2d(k [, {stride = k, padding = 0, count_include_pad = true}]) */
int lnn_avgpool2d(lua_State *L)
{
    lua_Integer k = luaL_checkinteger(L, 1);
    luaL_argcheck(L, k >= 1 && k <= 4096, 1, "kernel must be in 1..4096");
    static const char *const keys[] = {"stride", "padding", "count_include_pad", NULL};
    lnn_pin_options(L, 2, keys);
    lua_Integer stride = lsfew_opt_integer(L, 2, "stride", k);
    lua_Integer pad = lsfew_opt_integer(L, 2, "padding", 0);
    luaL_argcheck(L, stride >= 1 && stride <= 4096, 2, "stride must be in 1..4096");
    luaL_argcheck(L, pad >= 0 && pad <= k / 2, 2, "padding must be in 0..kernel/2");
    int include = lsfew_opt_boolean(L, 2, "count_include_pad", 1);
    lmodule *m = lnn_push(L, LNN_AVGPOOL2D);
    sfew_err e;
    sfew_avgpool2d *l = NULL;
    sfew_status st = sfew_avgpool2d_create(k, stride, pad, include, &l, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    m->l = l;
    return 1;
}

/* AdaptiveAvgPool2d(size) or AdaptiveAvgPool2d({oh, ow}) */
int lnn_adaptive_avgpool2d(lua_State *L)
{
    lua_Integer oh, ow;
    if (lua_istable(L, 1)) {
        lua_rawgeti(L, 1, 1);
        lua_rawgeti(L, 1, 2);
        int ok1 = 0, ok2 = 0;
        oh = lua_tointegerx(L, -2, &ok1);
        ow = lua_tointegerx(L, -1, &ok2);
        luaL_argcheck(L, ok1 && ok2 && lua_rawlen(L, 1) == 2, 1, "size {oh, ow} expected");
        lua_pop(L, 2);
    } else
        oh = ow = luaL_checkinteger(L, 1);
    luaL_argcheck(L, oh >= 1 && ow >= 1 && oh <= 65536 && ow <= 65536, 1,
                  "output size must be in 1..65536");
    lmodule *m = lnn_push(L, LNN_ADAPTIVE_AVGPOOL2D);
    sfew_err e;
    sfew_adaptive_avgpool2d *l = NULL;
    sfew_status st = sfew_adaptive_avgpool2d_create(oh, ow, &l, &e);
    if (st)
        return lnn_error(L, 1, st, &e);
    m->l = l;
    return 1;
}

/* LeakyReLU([slope = 0.01]), ELU([alpha = 1]): the number lives in the module. */
static int act_new(lua_State *L, lnn_kind k, double def)
{
    double a = luaL_optnumber(L, 1, def);
    sfew_err e;
    sfew_status st = k == LNN_ELU ? sfew_elu_check_alpha(a, &e)
                                  : sfew_leaky_relu_check_slope(a, &e);
    if (st)
        return lnn_error(L, 1, st, &e);
    lnn_push(L, k)->arg = a;
    return 1;
}

int lnn_leaky_relu(lua_State *L) { return act_new(L, LNN_LEAKY_RELU, 0.01); }
int lnn_elu(lua_State *L) { return act_new(L, LNN_ELU, 1.0); }

/* ---- forward / backward ----------------------------------------------------------- */

static int avg_forward(lua_State *L)
{
    sfew_avgpool2d *l = lnn_check_kind(L, 1, LNN_AVGPOOL2D)->l;
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = sfew_avgpool2d_check(l, x, NULL, NULL, &e);
    if (st || (st = sfew_avgpool2d_forward(l, x, lnn_result(L, 1, LNN_OUTPUT, x, NULL),
                                           lsfew_threads(L), &e)))
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int avg_backward(lua_State *L)
{
    sfew_avgpool2d *l = lnn_check_kind(L, 1, LNN_AVGPOOL2D)->l;
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_avgpool2d_check(l, x, NULL, NULL, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_avgpool2d_backward(l, x, g, lnn_result(L, 1, LNN_GRAD_INPUT, x, g),
                                      lsfew_threads(L), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

static int adaptive_forward(lua_State *L)
{
    sfew_adaptive_avgpool2d *l = lnn_check_kind(L, 1, LNN_ADAPTIVE_AVGPOOL2D)->l;
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = sfew_adaptive_avgpool2d_check(l, x, &e);
    if (st || (st = sfew_adaptive_avgpool2d_forward(l, x, lnn_result(L, 1, LNN_OUTPUT, x, NULL),
                                                    lsfew_threads(L), &e)))
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int adaptive_backward(lua_State *L)
{
    sfew_adaptive_avgpool2d *l = lnn_check_kind(L, 1, LNN_ADAPTIVE_AVGPOOL2D)->l;
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_adaptive_avgpool2d_check(l, x, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_adaptive_avgpool2d_backward(l, x, g,
                                               lnn_result(L, 1, LNN_GRAD_INPUT, x, g),
                                               lsfew_threads(L), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

/* The activations with one parameter (m->arg): LeakyReLU's slope, ELU's alpha. */
typedef struct {
    lnn_kind kind;
    sfew_status (*forward)(const sfew_tensor *, sfew_tensor *, double, int, sfew_err *);
    sfew_status (*check)(const sfew_tensor *, const sfew_tensor *, sfew_err *);
    sfew_status (*backward)(const sfew_tensor *, const sfew_tensor *, sfew_tensor *, double, int,
                            sfew_err *);
} param_act;

static const param_act param_acts[] = {
    {LNN_LEAKY_RELU, sfew_leaky_relu_forward, sfew_leaky_relu_check, sfew_leaky_relu_backward},
    {LNN_ELU, sfew_elu_forward, sfew_elu_check, sfew_elu_backward},
};

/* The module at index 1 and its entry; raises the usual type error for anything else. */
static const param_act *check_param_act(lua_State *L, lmodule **m)
{
    *m = lnn_check(L, 1);
    for (size_t i = 0; i < sizeof param_acts / sizeof *param_acts; i++)
        if (param_acts[i].kind == (*m)->kind)
            return &param_acts[i];
    luaL_typeerror(L, 1, "sfew.LeakyReLU or sfew.ELU"); /* raises */
    return NULL;
}

static int param_forward(lua_State *L)
{
    lmodule *m;
    const param_act *a = check_param_act(L, &m);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = a->forward(x, lnn_result(L, 1, LNN_OUTPUT, x, NULL), m->arg,
                                lsfew_threads(L), &e);
    return st ? lnn_error(L, 2, st, &e) : 1;
}

static int param_backward(lua_State *L)
{
    lmodule *m;
    const param_act *a = check_param_act(L, &m);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = a->check(x, g, &e);
    if (st || (st = a->backward(x, g, lnn_result(L, 1, LNN_GRAD_INPUT, x, g), m->arg,
                                lsfew_threads(L), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

/* ---- description ------------------------------------------------------------------ */

void lnn_set_num(lua_State *L, const char *key, double v)
{
    lsfew_push_num(L, v);
    lua_setfield(L, -2, key);
}

void lnn_more_describe(lua_State *L, lmodule *m)
{
    const char *type = lnn_type[m->kind];
    if (m->kind == LNN_BATCHNORM2D || m->kind == LNN_BATCHNORM1D) {
        sfew_batchnorm *l = m->l;
        lua_pushfstring(L, "nn.%s(%I", type, (lua_Integer)l->c);
        if (l->eps != 1e-5 || l->momentum != 0.1)
            lua_pushfstring(L, ", eps %f, momentum %f", l->eps, l->momentum);
        else
            lua_pushliteral(L, "");
        lua_pushstring(L, l->weight ? ")" : ", no affine)");
        lua_concat(L, 3);
    } else if (m->kind == LNN_DROPOUT || m->kind == LNN_DROPOUT2D) {
        lua_pushfstring(L, "nn.%s(%f)", type, ((sfew_dropout *)m->l)->p);
    } else if (m->kind == LNN_AVGPOOL2D) {
        sfew_avgpool2d *l = m->l;
        lua_pushfstring(L, "nn.AvgPool2d(%I, stride %I, padding %I%s)", (lua_Integer)l->k,
                        (lua_Integer)l->stride, (lua_Integer)l->pad,
                        l->count_include_pad ? "" : ", padding not counted");
    } else if (m->kind == LNN_ADAPTIVE_AVGPOOL2D) {
        sfew_adaptive_avgpool2d *l = m->l;
        lua_pushfstring(L, "nn.AdaptiveAvgPool2d(%Ix%I)", (lua_Integer)l->oh,
                        (lua_Integer)l->ow);
    } else if (m->kind == LNN_CROSS_ENTROPY) {
        int weighted = lua_getiuservalue(L, 1, LNN_EXTRA) != LUA_TNIL;
        lua_pop(L, 1);
        lua_pushfstring(L, "nn.CrossEntropyLoss(%s%s", weighted ? "class weights" : "",
                        weighted && m->arg > 0 ? ", " : "");
        if (m->arg > 0)
            lua_pushfstring(L, "label smoothing %f)", m->arg);
        else
            lua_pushliteral(L, ")");
        lua_concat(L, 2);
    } else
        lua_pushfstring(L, "nn.%s(%f)", type, m->arg);
}

void lnn_more_spec(lua_State *L, lmodule *m)
{
    lua_newtable(L);
    lua_pushstring(L, lnn_type[m->kind]);
    lua_setfield(L, -2, "type");
    if (m->kind == LNN_BATCHNORM2D || m->kind == LNN_BATCHNORM1D) {
        sfew_batchnorm *l = m->l;
        lnn_set_num(L, "num_features", (double)l->c);
        lnn_set_num(L, "eps", l->eps);
        lnn_set_num(L, "momentum", l->momentum);
        lua_pushboolean(L, l->weight != NULL);
        lua_setfield(L, -2, "affine");
    } else if (m->kind == LNN_DROPOUT || m->kind == LNN_DROPOUT2D) {
        lnn_set_num(L, "p", ((sfew_dropout *)m->l)->p);
    } else if (m->kind == LNN_AVGPOOL2D) {
        sfew_avgpool2d *l = m->l;
        lnn_set_num(L, "kernel", (double)l->k);
        lnn_set_num(L, "stride", (double)l->stride);
        lnn_set_num(L, "padding", (double)l->pad);
        lua_pushboolean(L, l->count_include_pad);
        lua_setfield(L, -2, "count_include_pad");
    } else if (m->kind == LNN_ADAPTIVE_AVGPOOL2D) {
        sfew_adaptive_avgpool2d *l = m->l;
        lua_createtable(L, 2, 0);
        lsfew_push_num(L, (double)l->oh);
        lua_rawseti(L, -2, 1);
        lsfew_push_num(L, (double)l->ow);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, "output_size");
    } else if (m->kind == LNN_LEAKY_RELU) {
        lnn_set_num(L, "negative_slope", m->arg);
    } else if (m->kind == LNN_ELU) {
        lnn_set_num(L, "alpha", m->arg);
    } else if (m->kind == LNN_CROSS_ENTROPY) {
        if (m->arg > 0)
            lnn_set_num(L, "label_smoothing", m->arg);
        lua_getiuservalue(L, 1, LNN_EXTRA);
        sfew_tensor *w = test_tensor(L, -1);
        lua_pop(L, 1);
        if (w) {
            lua_createtable(L, (int)w->numel, 0);
            for (int64_t i = 0; i < w->numel; i++) {
                lsfew_push_num(L, w->data[i]);
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            }
            lua_setfield(L, -2, "weight");
        }
    }
}

const luaL_Reg lnn_avgpool2d_methods[] = {
    {"forward", avg_forward}, {"backward", avg_backward}, {NULL, NULL}};
const luaL_Reg lnn_adaptive_avgpool2d_methods[] = {
    {"forward", adaptive_forward}, {"backward", adaptive_backward}, {NULL, NULL}};
const luaL_Reg lnn_leaky_relu_methods[] = {
    {"forward", param_forward}, {"backward", param_backward}, {NULL, NULL}};
const luaL_Reg lnn_elu_methods[] = {
    {"forward", param_forward}, {"backward", param_backward}, {NULL, NULL}};
