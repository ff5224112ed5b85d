/* Element access of sfew.core.tensor: get, set, totable, flat, item, copy, fill, zero. */
#include "lsfew.h"

/* totable and flat build one Lua value per element (and one table per row): past this
 * many the result would not fit in memory, so they refuse instead of trying. */
#define MAX_LUA_VALUES (INT64_C(1) << 27)

static int64_t offset_from_args(lua_State *L, sfew_tensor *t, int first, int count)
{
    int64_t idx[SFEW_MAX_DIMS];
    if (count != t->ndim)
        luaL_error(L, "bad argument #%d: %d indices for a %d-dimensional tensor", first, count,
                   t->ndim);
    for (int i = 0; i < count; i++) {
        lua_Integer k = luaL_checkinteger(L, first + i);
        if (k < 1 || k > t->shape[i])
            luaL_argerror(L, first + i,
                          lua_pushfstring(L, "index %I out of range 1..%I", k,
                                          (lua_Integer)t->shape[i]));
        idx[i] = k - 1;
    }
    return sfew_tensor_offset(t, count, idx, NULL);
}

static int t_get(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int64_t off = offset_from_args(L, t, 2, lua_gettop(L) - 1);
    lsfew_push_num(L, t->data[off]);
    return 1;
}

static int t_set(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int top = lua_gettop(L);
    float v = (float)luaL_checknumber(L, top);
    int64_t off = offset_from_args(L, t, 2, top - 2);
    t->data[off] = v;
    lua_settop(L, 1);
    return 1;
}

static void push_nested(lua_State *L, const sfew_tensor *t, int depth, const float **p)
{
    if (t->ndim == 0) {
        lua_pushnumber(L, **p);
        return;
    }
    lua_createtable(L, (int)t->shape[depth], 0);
    for (int64_t i = 0; i < t->shape[depth]; i++) {
        if (depth + 1 == t->ndim)
            lua_pushnumber(L, *(*p)++);
        else
            push_nested(L, t, depth + 1, p);
        lua_rawseti(L, -2, i + 1);
    }
}

/* Tables totable would build: 1 + s0 + s0*s1 + ... (rows at each depth), capped. */
static int64_t table_count(const sfew_tensor *t)
{
    int64_t total = 1, level = 1;
    for (int d = 0; d + 1 < t->ndim; d++) {
        if (sfew_size_mul(level, t->shape[d], MAX_LUA_VALUES, &level))
            return MAX_LUA_VALUES + 1;
        total += level;
    }
    return total;
}

static int t_totable(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int64_t tables = table_count(t);
    if (tables > MAX_LUA_VALUES || t->numel > MAX_LUA_VALUES)
        return luaL_argerror(L, 1, lua_pushfstring(L, "too large for Lua lists (%I values, "
                                                   "%I tables; at most %I)",
                                                   (lua_Integer)t->numel, (lua_Integer)tables,
                                                   (lua_Integer)MAX_LUA_VALUES));
    luaL_checkstack(L, t->ndim + 4, "tensor too deep");
    const float *p = t->data;
    push_nested(L, t, 0, &p);
    return 1;
}

/* flat(): the values as one flat Lua list, row-major. */
static int t_flat(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    if (t->numel > MAX_LUA_VALUES)
        return luaL_argerror(L, 1, lua_pushfstring(L, "too large for a Lua list (%I values; "
                                                   "at most %I)", (lua_Integer)t->numel,
                                                   (lua_Integer)MAX_LUA_VALUES));
    lua_createtable(L, (int)t->numel, 0);
    for (int64_t i = 0; i < t->numel; i++) {
        lua_pushnumber(L, t->data[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int t_item(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->numel == 1, 1, "item needs a tensor of exactly one element");
    lsfew_push_num(L, t->data[0]);
    return 1;
}

static int t_copy(lua_State *L)
{
    sfew_tensor *dst = check_tensor(L, 1);
    sfew_tensor *src = check_tensor(L, 2);
    if (dst->numel != src->numel)
        return luaL_argerror(L, 2, lua_pushfstring(L, "%I elements, destination has %I",
                                                   (lua_Integer)src->numel,
                                                   (lua_Integer)dst->numel));
    sfew_tensor_copy(dst, src, NULL);
    lua_settop(L, 1);
    return 1;
}

static int t_fill(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    sfew_tensor_fill(t, (float)luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int t_zero(lua_State *L)
{
    sfew_tensor_fill(check_tensor(L, 1), 0.0f);
    lua_settop(L, 1);
    return 1;
}

const luaL_Reg lsfew_tensor_access_methods[] = {
    {"get", t_get},   {"set", t_set},   {"totable", t_totable}, {"flat", t_flat},
    {"item", t_item}, {"copy", t_copy}, {"fill", t_fill},       {"zero", t_zero},
    {NULL, NULL}};
