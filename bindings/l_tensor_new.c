/* The constructors of sfew.core.tensor: new, zeros, ones, full, rand, randn, from. */
#include <string.h>

#include "lsfew.h"

/* ---- constructors ------------------------------------------------------------------- */

static int t_new(lua_State *L)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = lsfew_check_shape(L, 1, shape);
    int vals = lua_istable(L, 1) ? 2 : 1 + nd;
    sfew_tensor *t = lsfew_tensor_new_checked(L, nd, shape);
    if (lua_isnoneornil(L, vals))
        return 1;
    sfew_tensor *src = test_tensor(L, vals);
    if (src) {
        luaL_argcheck(L, src->numel == t->numel, vals, "number of values does not match shape");
        memcpy(t->data, src->data, (size_t)t->numel * sizeof(float));
        return 1;
    }
    lua_Integer n;
    const double *v = lsfew_check_numbers(L, vals, SFEW_MAX_NUMEL, &n);
    if (n != t->numel)
        return luaL_argerror(L, vals, lua_pushfstring(L, "%I values for a shape of %I elements",
                                                      n, (lua_Integer)t->numel));
    for (lua_Integer i = 0; i < n; i++)
        t->data[i] = (float)v[i];
    lua_pop(L, 1); /* the values buffer: the tensor is the result */
    return 1;
}

static int t_full_with(lua_State *L, float v)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = lsfew_check_shape(L, 1, shape);
    sfew_tensor_fill(lsfew_tensor_new_checked(L, nd, shape), v);
    return 1;
}

static int t_zeros(lua_State *L) { return t_full_with(L, 0.0f); }
static int t_ones(lua_State *L) { return t_full_with(L, 1.0f); }

static int t_full(lua_State *L)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = lsfew_check_shape(L, 1, shape);
    int varg = lua_istable(L, 1) ? 2 : 1 + nd;
    float v = (float)luaL_checknumber(L, varg);
    sfew_tensor_fill(lsfew_tensor_new_checked(L, nd, shape), v);
    return 1;
}

static int t_random(lua_State *L, int normal)
{
    int64_t shape[SFEW_MAX_DIMS];
    luaL_checktype(L, 1, LUA_TTABLE);
    int nd = lsfew_check_shape(L, 1, shape);
    sfew_rng *r = lsfew_arg_rng(L, 2);
    sfew_tensor *t = lsfew_tensor_new_checked(L, nd, shape);
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = (float)(normal ? sfew_rng_normal(r) : sfew_rng_uniform(r));
    return 1;
}

static int t_rand(lua_State *L) { return t_random(L, 0); }
static int t_randn(lua_State *L) { return t_random(L, 1); }

/* Walks a nested list to find its shape (from the first element at each depth). */
static int nested_shape(lua_State *L, int idx, int64_t *shape)
{
    int nd = 0;
    lua_pushvalue(L, idx);
    while (lua_istable(L, -1)) {
        if (nd == SFEW_MAX_DIMS)
            luaL_argerror(L, idx, "too deeply nested");
        shape[nd++] = (int64_t)lua_rawlen(L, -1);
        if (shape[nd - 1] == 0)
            break;
        lua_rawgeti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
    return nd;
}

static void nested_fill(lua_State *L, int depth, int nd, const int64_t *shape, float **out)
{
    int64_t n = (int64_t)lua_rawlen(L, -1);
    if (n != shape[depth])
        luaL_argerror(L, 1, lua_pushfstring(L, "ragged nested list at depth %d", depth + 1));
    for (int64_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        if (depth + 1 < nd) {
            if (!lua_istable(L, -1))
                luaL_argerror(L, 1, "ragged nested list");
            nested_fill(L, depth + 1, nd, shape, out);
        } else {
            int isnum;
            lua_Number v = lua_tonumberx(L, -1, &isnum);
            if (!isnum)
                luaL_argerror(L, 1, "nested list holds a non-number");
            *(*out)++ = (float)v;
        }
        lua_pop(L, 1);
    }
}

/* from{{1, 2}, {3, 4}}: a tensor from nested Lua lists. */
static int t_from(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int64_t shape[SFEW_MAX_DIMS];
    int nd = nested_shape(L, 1, shape);
    sfew_tensor *t = lsfew_tensor_new_checked(L, nd, shape);
    float *p = t->data;
    lua_pushvalue(L, 1);
    if (t->numel > 0)
        nested_fill(L, 0, nd, shape, &p);
    lua_pop(L, 1);
    return 1;
}

static int t_is_tensor(lua_State *L)
{
    lua_pushboolean(L, test_tensor(L, 1) != NULL);
    return 1;
}

const luaL_Reg lsfew_tensor_new_funcs[] = {
    {"new", t_new},     {"zeros", t_zeros}, {"ones", t_ones},       {"full", t_full},
    {"rand", t_rand},   {"randn", t_randn}, {"from", t_from},       {"is_tensor", t_is_tensor},
    {NULL, NULL}};
