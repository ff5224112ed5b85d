/* Activations (ReLU, Sigmoid, Tanh) and Flatten for sfew.core.nn. Forward and backward
 * write into the results the module owns (see l_nn.h); Flatten's results are views. */
#include <stdint.h>

#include "l_nn.h"

typedef sfew_status (*act_fwd)(const sfew_tensor *, sfew_tensor *, int, sfew_err *);
typedef sfew_status (*act_bwd)(const sfew_tensor *, const sfew_tensor *, sfew_tensor *, int,
                               sfew_err *);

static const act_fwd act_forward_fn[] = {sfew_relu_forward, sfew_sigmoid_forward,
                                         sfew_tanh_forward};
static const act_bwd act_backward_fn[] = {sfew_relu_backward, sfew_sigmoid_backward,
                                          sfew_tanh_backward};

/* nn.ReLU() and the other modules without options: upvalue 1 is the kind. */
int lnn_simple(lua_State *L)
{
    static const char *const none[] = {NULL}; /* these kinds take no options */
    lsfew_check_options(L, 1, none);
    lnn_push(L, (lnn_kind)lua_tointeger(L, lua_upvalueindex(1)));
    return 1;
}

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
    sfew_tensor *out = lnn_result(L, 1, LNN_OUTPUT, x, NULL);
    sfew_status st = act_forward_fn[k](x, out, lsfew_threads(L), &e);
    return st ? lsfew_error(L, st, &e) : 1;
}

static int act_backward(lua_State *L)
{
    int k = act_kind(L);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_tensor *gi = lnn_result(L, 1, LNN_GRAD_INPUT, x, g);
    sfew_status st = act_backward_fn[k](x, g, gi, lsfew_threads(L), &e);
    return st ? lnn_error(L, 3, st, &e) : 1;
}

/* relu:forward_(x): in place on x, which it returns (the module's output is untouched). */
static int act_forward_(lua_State *L)
{
    int k = act_kind(L);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = act_forward_fn[k](x, x, lsfew_threads(L), &e);
    lua_settop(L, 2);
    return st ? lsfew_error(L, st, &e) : 1;
}

/* relu:backward_(x, g): overwrites g with the input gradient and returns it. ReLU only:
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

/* Pushes the view of t with the given shape into the module's result uv. */
static int push_view(lua_State *L, int uv, const sfew_tensor *t, int ndim, const int64_t *shape)
{
    sfew_tensor *v = NULL;
    sfew_err e;
    sfew_status st = sfew_tensor_reshape(t, ndim, shape, &v, &e);
    if (st)
        return lsfew_error(L, st, &e);
    lnn_result_view(L, 1, uv, v);
    return 1;
}

/* (N, C, H, W) or any (N, ...) -> (N, C*H*W): the rest is row-major already. */
static int flatten_forward(lua_State *L)
{
    lnn_check_kind(L, 1, LNN_FLATTEN);
    sfew_tensor *x = check_tensor(L, 2);
    char buf[96];
    if (x->ndim < 2)
        return luaL_argerror(L, 2, lua_pushfstring(L, "Flatten expects N x ... input with at "
                             "least 2 dimensions, got %s", sfew_shape_str(x->ndim, x->shape,
                             buf, 96)));
    int64_t shape[2] = {x->shape[0], 1};
    for (int i = 1; i < x->ndim; i++) {
        /* with N = 0 the other sizes are not bounded by the element count */
        if (x->shape[i] != 0 && shape[1] > INT64_MAX / x->shape[i])
            return luaL_argerror(L, 2, lua_pushfstring(L, "Flatten: the sizes of %s after "
                                 "the first multiply past 2^63", sfew_shape_str(x->ndim,
                                 x->shape, buf, 96)));
        shape[1] *= x->shape[i];
    }
    return push_view(L, LNN_OUTPUT, x, 2, shape);
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
    return push_view(L, LNN_GRAD_INPUT, g, x->ndim, x->shape);
}

const luaL_Reg lnn_act_methods[] = {{"forward", act_forward}, {"backward", act_backward},
                                    {NULL, NULL}};
const luaL_Reg lnn_relu_methods[] = {
    {"forward", act_forward}, {"backward", act_backward}, {"forward_", act_forward_},
    {"backward_", act_backward_}, {NULL, NULL}};
const luaL_Reg lnn_flatten_methods[] = {
    {"forward", flatten_forward}, {"backward", flatten_backward}, {NULL, NULL}};
