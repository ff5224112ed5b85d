/* Tensor methods over any dimension, 1-based: t:permute(d1, ..., dn),
 * t:transpose(d1, d2), t:narrow(d, start, len), t:select([d,] i), t:index([d,] list).
 * Results are contiguous: a view on dimension 1 for narrow and select, otherwise a copy
 * (engine/tensor_view.h). */
#include <math.h>
#include <string.h>

#include "../engine/tensor_view.h"
#include "l_tensor_view.h"
#include "lsfew.h"

/* A dimension argument: an integer in 1..ndim, returned 0-based. */
static int check_dim(lua_State *L, int arg, const sfew_tensor *t)
{
    lua_Integer d = luaL_checkinteger(L, arg);
    if (d < 1 || d > t->ndim)
        luaL_argerror(L, arg, lua_pushfstring(L, "dimension %I out of range 1..%d", d, t->ndim));
    return (int)(d - 1);
}

/* Runs after the result slot is pushed; turns a failure into a Lua error. */
static int finish(lua_State *L, sfew_status st, sfew_err *e)
{
    if (st)
        return lsfew_error(L, st, e);
    return 1;
}

/* permute(d1, ..., dn) or permute{d1, ..., dn}: out dimension i is dimension di. */
static int t_permute(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int perm[SFEW_MAX_DIMS], seen[SFEW_MAX_DIMS] = {0};
    int list = lua_istable(L, 2);
    int n = list ? (int)lua_rawlen(L, 2) : lua_gettop(L) - 1;
    if (list && lua_gettop(L) > 2)
        return luaL_argerror(L, 3, "give the dimensions as a list or as arguments, not both");
    if (n != t->ndim)
        return luaL_argerror(L, 2, lua_pushfstring(L, "%d dimensions for a %d-dimensional "
                                                  "tensor", n, t->ndim));
    for (int i = 0; i < n; i++) {
        int arg = list ? 2 : i + 2;
        lua_Integer d;
        if (list) {
            lua_rawgeti(L, 2, i + 1);
            int ok;
            d = lua_tointegerx(L, -1, &ok);
            lua_pop(L, 1);
            if (!ok)
                return luaL_argerror(L, 2, lua_pushfstring(L, "entry %d is not an integer", i + 1));
        } else {
            d = luaL_checkinteger(L, arg);
        }
        if (d < 1 || d > t->ndim)
            return luaL_argerror(L, arg, lua_pushfstring(L, "dimension %I out of range 1..%d", d,
                                                         t->ndim));
        if (seen[d - 1]++)
            return luaL_argerror(L, arg, lua_pushfstring(L, "dimension %I given twice", d));
        perm[i] = (int)(d - 1);
    }
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    return finish(L, sfew_tensor_permute(t, perm, slot, &e), &e);
}

/* transpose(d1, d2); with no dimensions a 2-D tensor swaps its two. */
static int t_transpose(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int d1, d2;
    if (lua_isnoneornil(L, 2) && lua_isnoneornil(L, 3)) {
        luaL_argcheck(L, t->ndim == 2, 2, "dimensions expected (only a 2-D tensor may omit them)");
        d1 = 0;
        d2 = 1;
    } else {
        d1 = check_dim(L, 2, t);
        d2 = check_dim(L, 3, t);
    }
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    return finish(L, sfew_tensor_transpose_dims(t, d1, d2, slot, &e), &e);
}

/* narrow(d, start, len): elements start..start+len-1 of dimension d. */
static int t_narrow(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor cannot be narrowed");
    int d = check_dim(L, 2, t);
    lua_Integer start = luaL_checkinteger(L, 3), len = luaL_checkinteger(L, 4);
    lua_Integer D = (lua_Integer)t->shape[d];
    if (start < 1 || start > D + 1)
        return luaL_argerror(L, 3, lua_pushfstring(L, "start %I out of range 1..%I", start, D + 1));
    if (len < 0 || len > D - (start - 1))
        return luaL_argerror(L, 4, lua_pushfstring(L, "length %I out of range 0..%I", len,
                                                   D - (start - 1)));
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    return finish(L, sfew_tensor_narrow_dim(t, d, start - 1, len, slot, &e), &e);
}

/* select(i) on dimension 1, or select(d, i): slice i with dimension d removed. */
static int t_select(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor has no slices");
    int d = 0, iarg = 2;
    if (!lua_isnoneornil(L, 3)) {
        d = check_dim(L, 2, t);
        iarg = 3;
    }
    lua_Integer i = luaL_checkinteger(L, iarg);
    if (i < 1 || i > t->shape[d])
        return luaL_argerror(L, iarg, lua_pushfstring(L, "index %I out of range 1..%I", i,
                                                      (lua_Integer)t->shape[d]));
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    return finish(L, sfew_tensor_select_dim(t, d, i - 1, slot, &e), &e);
}

/* The index list at arg (a Lua list or a tensor of 1-based indices, each picking a slice
 * of per elements) into a new buffer held by a userdata pushed on the stack (so an error
 * frees it). */
static int64_t *check_indices(lua_State *L, int arg, int64_t D, int64_t per, int64_t *n)
{
    sfew_tensor *it = test_tensor(L, arg);
    if (!it && !lua_istable(L, arg))
        luaL_typeerror(L, arg, "list or tensor of indices");
    lua_Integer count = it ? (lua_Integer)it->numel : (lua_Integer)lua_rawlen(L, arg);
    /* per elements for each index: refuse before allocating count indices */
    if (count < 0 || count > SFEW_MAX_NUMEL / (per > 0 ? per : 1))
        luaL_argerror(L, arg, "too many indices");
    int64_t *idx = lua_newuserdatauv(L, (size_t)(count ? count : 1) * sizeof *idx, 0);
    for (lua_Integer i = 0; i < count; i++) {
        lua_Integer k;
        int ok = 1;
        if (it) {
            double v = it->data[i];
            /* whole and in range before the cast: casting NaN or a huge float is undefined */
            if (v != floor(v) || !(fabs(v) < 0x1p62))
                luaL_argerror(L, arg, lua_pushfstring(L, "index %I is not an integer", i + 1));
            if (!(v >= 1 && v <= (double)D))
                luaL_argerror(L, arg, lua_pushfstring(L, "index %f out of range 1..%I", v,
                                                      (lua_Integer)D));
            k = (lua_Integer)v;
        } else {
            lua_rawgeti(L, arg, i + 1);
            k = lua_tointegerx(L, -1, &ok);
            lua_pop(L, 1);
        }
        if (!ok)
            luaL_argerror(L, arg, lua_pushfstring(L, "index %I is not an integer", i + 1));
        if (k < 1 || k > D)
            luaL_argerror(L, arg, lua_pushfstring(L, "index %I out of range 1..%I", k,
                                                  (lua_Integer)D));
        idx[i] = k - 1;
    }
    *n = count;
    return idx;
}

/* index(list) on dimension 1, or index(d, list): the listed slices of dimension d. */
static int t_index(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor has no slices");
    int d = 0, larg = 2;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        d = check_dim(L, 2, t);
        larg = 3;
    }
    int64_t n, per = t->shape[d] > 0 ? t->numel / t->shape[d] : 0; /* per slice */
    int64_t *idx = check_indices(L, larg, t->shape[d], per, &n);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    return finish(L, sfew_tensor_index_dim(t, d, n, idx, slot, &e), &e);
}

const luaL_Reg lsfew_tensor_view_methods[] = {
    {"permute", t_permute}, {"transpose", t_transpose}, {"narrow", t_narrow},
    {"select", t_select},   {"index", t_index},         {NULL, NULL}};
