/* Helpers every binding file uses: errors from engine codes, option tables, shapes. */
#include <math.h>
#include <string.h>

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

/* Raw access: no metamethod of the options table runs while the caller may hold engine
 * pointers, and the value read is the one the table holds (pinned by it). */
static int opt_field(lua_State *L, int t, const char *key)
{
    if (lua_isnoneornil(L, t))
        return LUA_TNIL;
    luaL_checktype(L, t, LUA_TTABLE);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
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

/* Edit distance of two short names counting a swap of neighbours as one edit ("bais" is
 * one from "bias"); longer names are never close (SIZE_MAX). */
static size_t distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), d[33][33];
    if (na > 32 || nb > 32)
        return (size_t)-1;
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

/* Same rule as argcheck.suggest in Lua: a name that starts with key or that key starts
 * with (3 or more characters: "padd" for "padding"), else one within max(1, #key // 3)
 * edits; ties go to the alphabetically first name. */
const char *lsfew_suggest(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t len = strlen(key), best_d = (size_t)-1, limit = len / 3 > 1 ? len / 3 : 1;
    for (const char *const *a = allowed; *a; a++) {
        size_t n = strlen(*a), shorter = n < len ? n : len;
        size_t d = shorter >= 3 && strncmp(*a, key, shorter) == 0 ? 0 : distance(key, *a);
        if (d < best_d || (d == best_d && strcmp(*a, best) < 0)) {
            best = *a;
            best_d = d;
        }
    }
    return best && best_d <= limit ? best : NULL;
}

void lsfew_check_options(lua_State *L, int t, const char *const *allowed)
{
    if (lua_isnoneornil(L, t))
        return;
    t = lua_absindex(L, t);
    luaL_checktype(L, t, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        /* lua_tostring on a number key would change it under lua_next: only strings */
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, t, lua_pushfstring(L, "unknown option %s (option names are "
                                                "strings)", luaL_typename(L, -1)));
        const char *key = lua_tostring(L, -1);
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (!*a) {
            const char *near = lsfew_suggest(key, allowed);
            if (near)
                luaL_argerror(L, t, lua_pushfstring(L, "unknown option '%s' (did you mean "
                                                    "'%s'?)", key, near));
            luaL_argerror(L, t, lua_pushfstring(L, "unknown option '%s'", key));
        }
    }
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
        lua_Integer n = lsfew_list_len(L, arg, SFEW_MAX_DIMS, "too many dimensions");
        for (int i = 1; i <= n; i++) {
            lua_rawgeti(L, arg, i);
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

/* ---- lists read with raw access --------------------------------------------------- */

lua_Integer lsfew_list_len(lua_State *L, int arg, lua_Integer max, const char *toolong)
{
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_Unsigned n = lua_rawlen(L, arg);
    if (n > (lua_Unsigned)max)
        luaL_argerror(L, arg, toolong ? toolong
                                      : lua_pushfstring(L, "list of %I entries (at most %I)",
                                                        (lua_Integer)n, max));
    return (lua_Integer)n;
}

/* A userdata buffer of n elements of size sz (at least one byte), left on the stack. */
static void *list_buffer(lua_State *L, lua_Integer n, size_t sz)
{
    return lua_newuserdatauv(L, n > 0 ? (size_t)n * sz : 1, 0);
}

lua_Integer *lsfew_check_integers(lua_State *L, int arg, lua_Integer max, lua_Integer *n)
{
    arg = lua_absindex(L, arg);
    *n = lsfew_list_len(L, arg, max, NULL);
    lua_Integer *v = list_buffer(L, *n, sizeof *v);
    for (lua_Integer i = 0; i < *n; i++) {
        lua_rawgeti(L, arg, i + 1);
        int ok;
        v[i] = lua_tointegerx(L, -1, &ok);
        if (!ok)
            luaL_argerror(L, arg, lua_pushfstring(L, "entry %I is not an integer (got %s)", i + 1,
                                                  luaL_typename(L, -1)));
        lua_pop(L, 1);
    }
    return v;
}

double *lsfew_check_numbers(lua_State *L, int arg, lua_Integer max, lua_Integer *n)
{
    arg = lua_absindex(L, arg);
    *n = lsfew_list_len(L, arg, max, NULL);
    double *v = list_buffer(L, *n, sizeof *v);
    for (lua_Integer i = 0; i < *n; i++) {
        lua_rawgeti(L, arg, i + 1);
        int ok;
        v[i] = lua_tonumberx(L, -1, &ok);
        if (!ok)
            luaL_argerror(L, arg, lua_pushfstring(L, "entry %I is not a number (got %s)", i + 1,
                                                  luaL_typename(L, -1)));
        lua_pop(L, 1);
    }
    return v;
}

/* Entries are copied into a table only this call sees, so they stay alive whatever Lua
 * code (a finalizer) does to the caller's list. */
static void pin_list(lua_State *L, int arg, lua_Integer n)
{
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, arg, i);
        lua_rawseti(L, -2, i);
    }
}

const char **lsfew_check_strings(lua_State *L, int arg, lua_Integer max, lua_Integer *n)
{
    arg = lua_absindex(L, arg);
    *n = lsfew_list_len(L, arg, max, NULL);
    pin_list(L, arg, *n);
    int pin = lua_gettop(L);
    const char **v = list_buffer(L, *n + 1, sizeof *v);
    for (lua_Integer i = 0; i < *n; i++) {
        if (lua_rawgeti(L, pin, i + 1) != LUA_TSTRING)
            luaL_argerror(L, arg, lua_pushfstring(L, "entry %I is not a string (got %s)", i + 1,
                                                  luaL_typename(L, -1)));
        v[i] = lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    v[*n] = NULL;
    return v;
}

sfew_tensor **lsfew_check_tensors(lua_State *L, int arg, lua_Integer max, lua_Integer *n)
{
    arg = lua_absindex(L, arg);
    *n = lsfew_list_len(L, arg, max, NULL);
    pin_list(L, arg, *n);
    int pin = lua_gettop(L);
    sfew_tensor **v = list_buffer(L, *n, sizeof *v);
    for (lua_Integer i = 0; i < *n; i++) {
        lua_rawgeti(L, pin, i + 1);
        v[i] = test_tensor(L, -1);
        if (!v[i])
            luaL_argerror(L, arg, lua_pushfstring(L, "entry %I is not a live tensor (got %s)",
                                                  i + 1, luaL_typename(L, -1)));
        lua_pop(L, 1);
    }
    return v;
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
