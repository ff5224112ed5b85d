/* sfew.core.tensor: float32 tensors for Lua: the userdata, views and metamethods
 * (constructors are in l_tensor_new.c, element access in l_tensor_access.c, arithmetic and
 * reductions in l_tensor_math.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l_tensor_view.h"
#include "lsfew.h"

/* ---- userdata ---------------------------------------------------------------------- */

sfew_tensor *test_tensor(lua_State *L, int i)
{
    ltensor *u = luaL_testudata(L, i, LSFEW_TENSOR);
    return u ? u->t : NULL;
}

sfew_tensor *check_tensor(lua_State *L, int i)
{
    ltensor *u = luaL_checkudata(L, i, LSFEW_TENSOR);
    if (!u->t)
        luaL_argerror(L, i, "tensor has been freed");
    return u->t;
}

sfew_tensor **lsfew_tensor_slot(lua_State *L)
{
    ltensor *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->t = NULL;
    luaL_setmetatable(L, LSFEW_TENSOR);
    return &u->t;
}

void push_tensor(lua_State *L, sfew_tensor *t)
{
    if (!t)
        luaL_error(L, "tensor: out of memory");
    *lsfew_tensor_slot(L) = t;
}

void lsfew_push_grad(lua_State *L, int i)
{
    lua_getiuservalue(L, i, 1);
}

static int t_free(lua_State *L)
{
    ltensor *u = luaL_checkudata(L, 1, LSFEW_TENSOR);
    sfew_tensor_free(u->t);
    u->t = NULL;
    return 0;
}

sfew_tensor *lsfew_tensor_new_checked(lua_State *L, int ndim, const int64_t *shape)
{
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_new(ndim, shape, slot, &e);
    if (st)
        lsfew_error(L, st, &e);
    return *slot;
}

/* ---- shape and views ---------------------------------------------------------------- */

static int t_shape(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lsfew_push_shape(L, t->ndim, t->shape);
    return 1;
}

static int t_size(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    if (lua_isnoneornil(L, 2))
        return t_shape(L);
    lua_Integer d = luaL_checkinteger(L, 2);
    luaL_argcheck(L, d >= 1 && d <= t->ndim, 2, "dimension out of range");
    lua_pushinteger(L, (lua_Integer)t->shape[d - 1]);
    return 1;
}

static int t_dim(lua_State *L)
{
    lua_pushinteger(L, check_tensor(L, 1)->ndim);
    return 1;
}

static int t_numel(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_tensor(L, 1)->numel);
    return 1;
}

static int t_reshape(lua_State *L)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = 0;
    if (lua_istable(L, 2)) {
        lua_Integer n;
        const lua_Integer *v = lsfew_check_integers(L, 2, SFEW_MAX_DIMS, &n);
        for (nd = 0; nd < n; nd++)
            shape[nd] = (int64_t)v[nd];
    } else {
        for (int i = 2; i <= lua_gettop(L); i++) {
            luaL_argcheck(L, nd < SFEW_MAX_DIMS, i, "too many dimensions");
            shape[nd++] = (int64_t)luaL_checkinteger(L, i);
        }
        if (nd == 0)
            return luaL_typeerror(L, 2, "shape (a list of sizes)");
    }
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_tensor *t = check_tensor(L, 1);
    sfew_err e;
    sfew_status st = sfew_tensor_reshape(t, nd, shape, slot, &e);
    if (st)
        return luaL_argerror(L, 2, e.msg);
    return 1;
}

/* narrow(dim, start, len): rows start..start+len-1 (1-based) of dimension 1, shared. */
static int t_narrow(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_Integer dim = luaL_checkinteger(L, 2);
    lua_Integer start = luaL_checkinteger(L, 3);
    lua_Integer len = luaL_checkinteger(L, 4);
    luaL_argcheck(L, dim == 1, 2, "only dimension 1 can be narrowed (views stay contiguous)");
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor cannot be narrowed");
    luaL_argcheck(L, start >= 1 && start <= t->shape[0] + 1, 3, "start out of range");
    luaL_argcheck(L, len >= 0 && len <= t->shape[0] - (start - 1), 4, "length out of range");
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_narrow(t, start - 1, len, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* Row i (1-based) of the first dimension, without that dimension: a shared view. */
static void push_select(lua_State *L, sfew_tensor *t, lua_Integer i, int arg)
{
    luaL_argcheck(L, i >= 1 && i <= t->shape[0], arg, "index out of range");
    sfew_tensor *row = NULL;
    sfew_err e;
    sfew_status st = sfew_tensor_narrow(t, i - 1, 1, &row, &e);
    if (st)
        lsfew_error(L, st, &e);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    st = sfew_tensor_reshape(row, t->ndim - 1, t->shape + 1, slot, &e);
    sfew_tensor_free(row);
    if (st)
        lsfew_error(L, st, &e);
}

static int t_select(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor has no rows");
    push_select(L, t, luaL_checkinteger(L, 2), 2);
    return 1;
}

static int t_clone(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_clone(t, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* index(list): rows of dimension 1 picked by 1-based indices (list or tensor), copied. */
static int t_index(lua_State *L)
{
    lua_Integer n;
    const lua_Integer *ks = NULL;
    sfew_tensor *it = test_tensor(L, 2);
    if (it) {
        n = (lua_Integer)it->numel;
        lua_Integer *v = lua_newuserdatauv(L, n > 0 ? (size_t)n * sizeof *v : 1, 0);
        for (lua_Integer i = 0; i < n; i++) {
            float f = it->data[i];
            /* checked before the cast: a NaN or huge float has no integer value */
            if (!(f >= -9.0e15f && f <= 9.0e15f) || f != (float)(int64_t)f)
                return luaL_argerror(L, 2, lua_pushfstring(L, "index %I is not an integer",
                                                           i + 1));
            v[i] = (lua_Integer)f;
        }
        ks = v;
    } else {
        ks = lsfew_check_integers(L, 2, SFEW_MAX_NUMEL, &n);
    }
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor has no rows");
    for (lua_Integer i = 0; i < n; i++)
        if (ks[i] < 1 || ks[i] > t->shape[0])
            return luaL_argerror(L, 2, lua_pushfstring(L, "index %I out of range 1..%I", ks[i],
                                                       (lua_Integer)t->shape[0]));
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = n;
    sfew_tensor *o = lsfew_tensor_new_checked(L, t->ndim, shape);
    t = check_tensor(L, 1); /* live still: allocating may have run a finalizer */
    int64_t row = t->shape[0] ? t->numel / t->shape[0] : 0;
    for (lua_Integer i = 0; i < n; i++)
        memcpy(o->data + i * row, t->data + (ks[i] - 1) * row, (size_t)row * sizeof(float));
    return 1;
}

/* ---- metamethods -------------------------------------------------------------------- */

static int t_tostring(lua_State *L)
{
    ltensor *u = luaL_checkudata(L, 1, LSFEW_TENSOR);
    if (!u->t) {
        lua_pushliteral(L, "sfew.Tensor(freed)");
        return 1;
    }
    lsfew_tensor_format(L, u->t);
    return 1;
}

static int t_len(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_pushinteger(L, t->ndim ? (lua_Integer)t->shape[0] : 1);
    return 1;
}

/* t.grad, methods, and t[i] (a number for 1-D, a row view otherwise). */
static int t_index_meta(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 1;
        if (strcmp(lua_tostring(L, 2), "grad") == 0) {
            lua_getiuservalue(L, 1, 1);
            return 1;
        }
        return 0;
    }
    if (lua_isinteger(L, 2)) {
        sfew_tensor *t = check_tensor(L, 1);
        lua_Integer i = lua_tointeger(L, 2);
        if (t->ndim == 1) {
            luaL_argcheck(L, i >= 1 && i <= t->shape[0], 2, "index out of range");
            lsfew_push_num(L, t->data[i - 1]);
            return 1;
        }
        luaL_argcheck(L, t->ndim > 1, 1, "a scalar tensor has no rows");
        push_select(L, t, i, 2);
        return 1;
    }
    return 0;
}

static int t_newindex_meta(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "grad") == 0) {
        if (!lua_isnil(L, 3)) {
            sfew_tensor *t = check_tensor(L, 1), *g = check_tensor(L, 3);
            luaL_argcheck(L, sfew_tensor_same_shape(t, g), 3,
                          "gradient must have the same shape as the tensor");
        }
        lua_pushvalue(L, 3);
        lua_setiuservalue(L, 1, 1);
        return 0;
    }
    if (lua_isinteger(L, 2)) {
        sfew_tensor *t = check_tensor(L, 1);
        lua_Integer i = lua_tointeger(L, 2);
        luaL_argcheck(L, t->ndim == 1, 2, "t[i] = v needs a 1-D tensor; use t:set(...)");
        luaL_argcheck(L, i >= 1 && i <= t->shape[0], 2, "index out of range");
        t->data[i - 1] = (float)luaL_checknumber(L, 3);
        return 0;
    }
    return luaL_error(L, "cannot set field '%s' of a tensor", luaL_tolstring(L, 2, NULL));
}

static const luaL_Reg tensor_methods[] = {
    {"shape", t_shape},   {"size", t_size},       {"dim", t_dim},
    {"numel", t_numel},   {"reshape", t_reshape}, {"view", t_reshape},
    {"narrow", t_narrow}, {"select", t_select},   {"index", t_index},
    {"clone", t_clone},   {"free", t_free},       {NULL, NULL}};

static const luaL_Reg tensor_meta[] = {
    {"__len", t_len},   {"__tostring", t_tostring}, {"__gc", t_free},
    {"__close", t_free}, {"__newindex", t_newindex_meta}, {NULL, NULL}};

int luaopen_sfew_core_tensor(lua_State *L)
{
    lua_newtable(L);
    luaL_setfuncs(L, lsfew_tensor_new_funcs, 0);
    luaL_setfuncs(L, lsfew_tensor_math_funcs, 0);
    if (luaL_newmetatable(L, LSFEW_TENSOR)) {
        luaL_setfuncs(L, tensor_meta, 0);
        luaL_setfuncs(L, lsfew_tensor_math_meta, 0);
        luaL_newlib(L, tensor_methods);
        luaL_setfuncs(L, lsfew_tensor_access_methods, 0);
        luaL_setfuncs(L, lsfew_tensor_math_methods, 0);
        luaL_setfuncs(L, lsfew_tensor_view_methods, 0);
        /* Pure-Lua code may add methods to this table (tensor.methods). */
        lua_pushvalue(L, -1);
        lua_setfield(L, -4, "methods");
        lua_pushcclosure(L, t_index_meta, 1);
        lua_setfield(L, -2, "__index");
    } else {
        lua_getfield(L, -1, "__index");
        lua_getupvalue(L, -1, 1);
        lua_setfield(L, -4, "methods");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 1;
}
