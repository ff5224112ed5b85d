/* Helpers every binding file uses: errors from engine codes, option tables, shapes. */
#include <math.h>

#include "lsfew.h"

int lsfew_error(lua_State *L, sfew_status st, const sfew_err *err)
{
    return luaL_error(L, "%s", err && err->msg[0] ? err->msg : sfew_status_str(st));
}

int lsfew_fail(lua_State *L, sfew_status st, const sfew_err *err)
{
    if (st != SFEW_EIO)
        return lsfew_error(L, st, err);
    luaL_pushfail(L);
    lua_pushstring(L, err && err->msg[0] ? err->msg : sfew_status_str(st));
    return 2;
}

static int opt_field(lua_State *L, int t, const char *key)
{
    if (lua_isnoneornil(L, t))
        return LUA_TNIL;
    luaL_checktype(L, t, LUA_TTABLE);
    return lua_getfield(L, t, key);
}

lua_Number lsfew_opt_number(lua_State *L, int t, const char *key, lua_Number def)
{
    t = lua_absindex(L, t);
    int ty = opt_field(L, t, key);
    lua_Number v = def;
    if (ty == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    else if (ty != LUA_TNIL)
        luaL_error(L, "option '%s' must be a number, got %s", key, luaL_typename(L, -1));
    if (!lua_isnoneornil(L, t))
        lua_pop(L, 1);
    return v;
}

lua_Integer lsfew_opt_integer(lua_State *L, int t, const char *key, lua_Integer def)
{
    t = lua_absindex(L, t);
    int ty = opt_field(L, t, key);
    lua_Integer v = def;
    if (ty == LUA_TNUMBER && lua_isinteger(L, -1))
        v = lua_tointeger(L, -1);
    else if (ty == LUA_TNUMBER) {
        lua_Number n = lua_tonumber(L, -1);
        if (!lua_numbertointeger(n, &v) || (lua_Number)v != n)
            luaL_error(L, "option '%s' must be an integer, got %f", key, n);
    } else if (ty != LUA_TNIL)
        luaL_error(L, "option '%s' must be an integer, got %s", key, luaL_typename(L, -1));
    if (!lua_isnoneornil(L, t))
        lua_pop(L, 1);
    return v;
}

int lsfew_opt_boolean(lua_State *L, int t, const char *key, int def)
{
    t = lua_absindex(L, t);
    int ty = opt_field(L, t, key);
    int v = def;
    if (ty == LUA_TBOOLEAN)
        v = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL)
        luaL_error(L, "option '%s' must be a boolean, got %s", key, luaL_typename(L, -1));
    if (!lua_isnoneornil(L, t))
        lua_pop(L, 1);
    return v;
}

const char *lsfew_opt_string(lua_State *L, int t, const char *key, const char *def)
{
    t = lua_absindex(L, t);
    int ty = opt_field(L, t, key);
    const char *v = def;
    if (ty == LUA_TSTRING) {
        /* The string stays alive while the options table holds it. */
        v = lua_tostring(L, -1);
    } else if (ty != LUA_TNIL)
        luaL_error(L, "option '%s' must be a string, got %s", key, luaL_typename(L, -1));
    if (!lua_isnoneornil(L, t))
        lua_pop(L, 1);
    return v;
}

static int64_t shape_size(lua_State *L, int arg, int idx)
{
    int isnum = 0;
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    if (!isnum)
        luaL_argerror(L, arg, lua_pushfstring(L, "size %d is not an integer", idx));
    if (v < 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "size %d is negative (%I)", idx, v));
    return (int64_t)v;
}

int lsfew_check_shape(lua_State *L, int arg, int64_t *shape)
{
    if (lua_istable(L, arg)) {
        lua_Integer n = luaL_len(L, arg);
        if (n > SFEW_MAX_DIMS)
            luaL_argerror(L, arg, "too many dimensions");
        for (int i = 1; i <= n; i++) {
            lua_geti(L, arg, i);
            shape[i - 1] = shape_size(L, arg, i);
            lua_pop(L, 1);
        }
        return (int)n;
    }
    if (lua_type(L, arg) != LUA_TNUMBER)
        luaL_typeerror(L, arg, "shape (a list of sizes)");
    int n = 0;
    while (lua_type(L, arg + n) == LUA_TNUMBER) {
        if (n == SFEW_MAX_DIMS)
            luaL_argerror(L, arg + n, "too many dimensions");
        lua_pushvalue(L, arg + n);
        shape[n] = shape_size(L, arg + n, n + 1);
        lua_pop(L, 1);
        n++;
    }
    return n;
}

void lsfew_push_num(lua_State *L, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        lua_pushinteger(L, (lua_Integer)v);
    else
        lua_pushnumber(L, v);
}

void lsfew_push_shape(lua_State *L, int ndim, const int64_t *shape)
{
    lua_createtable(L, ndim, 0);
    for (int i = 0; i < ndim; i++) {
        lua_pushinteger(L, (lua_Integer)shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
}
