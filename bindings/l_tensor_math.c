/* Tensor arithmetic, element-wise functions and reductions for sfew.core.tensor (the
 * userdata itself is in l_tensor.c, which registers the tables at the end of this file). */
#include <math.h>
#include <string.h>

#include "lsfew.h"

/* ---- arithmetic --------------------------------------------------------------------- */

static int arith(lua_State *L, sfew_binop op)
{
    sfew_tensor *a = test_tensor(L, 1), *b = test_tensor(L, 2);
    sfew_err e;
    sfew_status st;
    if (a && ((ltensor *)lua_touserdata(L, 1))->t == NULL)
        return luaL_argerror(L, 1, "tensor has been freed");
    if (a && b) {
        check_tensor(L, 2);
        sfew_tensor **slot = lsfew_tensor_slot(L);
        st = sfew_tensor_binary(op, a, b, slot, &e);
        if (st == SFEW_ESHAPE)
            return luaL_argerror(L, 2, e.msg);
    } else if (a) {
        if (!lua_isnumber(L, 2))
            return luaL_typeerror(L, 2, "tensor or number");
        float s = (float)lua_tonumber(L, 2);
        sfew_tensor **slot = lsfew_tensor_slot(L);
        st = sfew_tensor_scalar(op, a, s, 0, slot, &e);
    } else {
        b = check_tensor(L, 2);
        if (!lua_isnumber(L, 1))
            return luaL_typeerror(L, 1, "tensor or number");
        float s = (float)lua_tonumber(L, 1);
        sfew_tensor **slot = lsfew_tensor_slot(L);
        st = sfew_tensor_scalar(op, b, s, 1, slot, &e);
    }
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static int t_add(lua_State *L) { return arith(L, SFEW_ADD); }
static int t_sub(lua_State *L) { return arith(L, SFEW_SUB); }
static int t_mul(lua_State *L) { return arith(L, SFEW_MUL); }
static int t_div(lua_State *L) { return arith(L, SFEW_DIV); }

static int t_unm(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_scalar(SFEW_MUL, a, -1.0f, 0, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* In place: add_(x [, alpha]) adds alpha * x (a tensor of the same size) or a number. */
static int t_add_(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    if (lua_isnumber(L, 2)) {
        sfew_tensor_scalar_(SFEW_ADD, t, (float)lua_tonumber(L, 2));
    } else {
        sfew_tensor *x = check_tensor(L, 2);
        float alpha = (float)luaL_optnumber(L, 3, 1.0);
        luaL_argcheck(L, x->numel == t->numel, 2, "number of elements differs");
        sfew_tensor_axpy(t, alpha, x, NULL);
    }
    lua_settop(L, 1);
    return 1;
}

static int t_mul_(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    sfew_tensor_scalar_(SFEW_MUL, t, (float)luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int t_matmul(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1), *b = check_tensor(L, 2);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_matmul(a, b, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static int unary(lua_State *L, sfew_unop op, float p, float q)
{
    sfew_tensor *a = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_unary(op, a, p, q, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static int t_sqrt(lua_State *L) { return unary(L, SFEW_SQRT, 0, 0); }
static int t_exp(lua_State *L) { return unary(L, SFEW_EXP, 0, 0); }
static int t_log(lua_State *L) { return unary(L, SFEW_LOG, 0, 0); }
static int t_abs(lua_State *L) { return unary(L, SFEW_ABS, 0, 0); }
static int t_pow(lua_State *L) { return unary(L, SFEW_POW, (float)luaL_checknumber(L, 2), 0); }

static int t_clamp(lua_State *L)
{
    lua_Number lo = luaL_checknumber(L, 2), hi = luaL_checknumber(L, 3);
    luaL_argcheck(L, lo <= hi, 3, "upper bound below lower bound");
    return unary(L, SFEW_CLAMP, (float)lo, (float)hi);
}

static int t_transpose(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1);
    luaL_argcheck(L, a->ndim == 2, 1, "transpose needs a 2-D tensor");
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_transpose(a, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* cat{a, b, ...}: tensors stacked along dimension 1 (other sizes equal). */
static int t_cat(lua_State *L)
{
    sfew_tensor **slot = lsfew_tensor_slot(L);
    lua_Integer n;
    sfew_tensor **list = lsfew_check_tensors(L, 1, 1 << 20, &n);
    luaL_argcheck(L, n >= 1, 1, "expected a non-empty list of tensors");
    sfew_err e;
    sfew_status st = sfew_tensor_cat((const sfew_tensor **)list, (int)n, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    lua_pushvalue(L, -3); /* the result slot, below the pinned list and its buffer */
    return 1;
}

/* ---- reductions --------------------------------------------------------------------- */

static int reduce_dim(lua_State *L, sfew_reduce op, int want_idx)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_Integer d = luaL_checkinteger(L, 2);
    luaL_argcheck(L, d >= 1 && d <= t->ndim, 2, "dimension out of range");
    sfew_tensor **vals = lsfew_tensor_slot(L);
    sfew_tensor **idx = want_idx ? lsfew_tensor_slot(L) : NULL;
    sfew_tensor *ix = NULL;
    sfew_err e;
    sfew_status st = sfew_tensor_reduce_dim(op, t, (int)d - 1, vals, want_idx ? &ix : NULL, &e);
    if (st)
        return lsfew_error(L, st, &e);
    if (want_idx) {
        for (int64_t i = 0; i < ix->numel; i++)
            ix->data[i] += 1.0f; /* 1-based positions for Lua */
        *idx = ix;
    }
    return want_idx ? 2 : 1;
}

static int t_sum(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_SUM, 0);
    lsfew_push_num(L, sfew_tensor_sum(check_tensor(L, 1)));
    return 1;
}

static int t_mean(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_MEAN, 0);
    sfew_tensor *t = check_tensor(L, 1);
    lsfew_push_num(L, t->numel ? sfew_tensor_sum(t) / (double)t->numel : NAN);
    return 1;
}

static int t_max(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_MAX, 1);
    lsfew_push_num(L, sfew_tensor_max(check_tensor(L, 1)));
    return 1;
}

static int t_min(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_MIN, 1);
    lsfew_push_num(L, sfew_tensor_min(check_tensor(L, 1)));
    return 1;
}

/* argmax() -> flat 1-based index; argmax(dim) -> tensor of 1-based indices along dim. */
static int t_argmax(lua_State *L)
{
    if (lua_isnoneornil(L, 2)) {
        sfew_tensor *t = check_tensor(L, 1);
        luaL_argcheck(L, t->numel > 0, 1, "empty tensor");
        lua_pushinteger(L, (lua_Integer)sfew_tensor_argmax_all(t) + 1);
        return 1;
    }
    reduce_dim(L, SFEW_RED_MAX, 1);
    return 1;
}

static int t_all_finite(lua_State *L)
{
    lua_pushboolean(L, sfew_tensor_all_finite(check_tensor(L, 1)));
    return 1;
}

const luaL_Reg lsfew_tensor_math_methods[] = {
    {"add_", t_add_},       {"mul_", t_mul_},         {"matmul", t_matmul},
    {"sum", t_sum},         {"mean", t_mean},         {"max", t_max},
    {"min", t_min},         {"argmax", t_argmax},     {"all_finite", t_all_finite},
    {"sqrt", t_sqrt},       {"exp", t_exp},           {"log", t_log},
    {"abs", t_abs},         {"pow", t_pow},           {"clamp", t_clamp},
    {"t", t_transpose},     {NULL, NULL}};

const luaL_Reg lsfew_tensor_math_meta[] = {
    {"__add", t_add}, {"__sub", t_sub}, {"__mul", t_mul},
    {"__div", t_div}, {"__unm", t_unm}, {NULL, NULL}};

const luaL_Reg lsfew_tensor_math_funcs[] = {
    {"matmul", t_matmul}, {"cat", t_cat}, {NULL, NULL}};
