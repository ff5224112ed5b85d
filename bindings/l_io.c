/* sfew.core.io: safetensors files. load(path, max_bytes) -> tensors, metadata and
 * save(path, names, tensors, keys, values) -> true; both return nil, message on trouble
 * with the file. The argument checks users see are in scripts/sfew/io.lua.
 * Also the engine's atomic writes: write_atomic(path, s), temp_name(path [, dir]) -> name,
 * rename_atomic(tmp, path), each nil, message on trouble with the file; and its JSON
 * (l_io_json.c). */
#include <stdlib.h>
#include <string.h>

#include "l_io.h"
#include "lsfew.h"
#include "modules.h"

#define LSFEW_ST_BOX "sfew.SafetensorsBox"

/* The loaded file lives in a userdata until every tensor has moved into Lua, so a Lua
 * error (out of memory) half-way never leaks it. */
static int box_gc(lua_State *L)
{
    sfew_safetensors **b = luaL_checkudata(L, 1, LSFEW_ST_BOX);
    sfew_safetensors_free(*b);
    *b = NULL;
    return 0;
}

static int io_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_Integer max_bytes = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, max_bytes >= 0, 2, "max_bytes must be positive");
    sfew_safetensors **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, LSFEW_ST_BOX);
    sfew_err e;
    sfew_status st = sfew_safetensors_load(path, (int64_t)max_bytes, box, &e);
    if (st)
        return lsfew_fail(L, st, &e);
    sfew_safetensors *r = *box;
    lua_createtable(L, 0, r->n);
    for (int i = 0; i < r->n; i++) {
        sfew_tensor **slot = lsfew_tensor_slot(L);
        *slot = r->tensors[i];
        r->tensors[i] = NULL;
        lua_setfield(L, -2, r->names[i]);
    }
    lua_createtable(L, 0, r->n_meta);
    for (int i = 0; i < r->n_meta; i++) {
        lua_pushstring(L, r->values[i]);
        lua_setfield(L, -2, r->keys[i]);
    }
    return 2;
}

/* The strings of list arg (all checked by the caller's Lua half), kept alive by it. */
static const char **string_list(lua_State *L, int arg, int n)
{
    const char **v = lua_newuserdatauv(L, sizeof *v * ((size_t)n + 1), 0);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, arg, i + 1);
        v[i] = lua_tostring(L, -1);
        luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, arg, "list of strings expected");
        lua_pop(L, 1);
    }
    return v;
}

static int io_save(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    for (int i = 2; i <= 5; i++)
        luaL_checktype(L, i, LUA_TTABLE);
    /* raw lengths: no metamethod runs while the lists are read */
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2), nm = (lua_Integer)lua_rawlen(L, 4);
    luaL_argcheck(L, n < (1 << 24) && (lua_Integer)lua_rawlen(L, 3) == n, 3,
                  "one tensor per name expected");
    luaL_argcheck(L, nm < (1 << 24) && (lua_Integer)lua_rawlen(L, 5) == nm, 5,
                  "one value per key expected");
    const char **names = string_list(L, 2, (int)n);
    const char **keys = string_list(L, 4, (int)nm);
    const char **values = string_list(L, 5, (int)nm);
    const sfew_tensor **ts = lua_newuserdatauv(L, sizeof *ts * ((size_t)n + 1), 0);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, 3, i + 1);
        ts[i] = check_tensor(L, -1);
        lua_pop(L, 1);
    }
    sfew_err e;
    sfew_status st = sfew_safetensors_save(path, (int)n, names, ts, (int)nm, keys, values, &e);
    if (st)
        return lsfew_fail(L, st, &e);
    lua_pushboolean(L, 1);
    return 1;
}

static int io_write_atomic(lua_State *L)
{
    size_t len;
    const char *path = luaL_checkstring(L, 1);
    const char *s = luaL_checklstring(L, 2, &len);
    sfew_err e;
    sfew_status st = sfew_atomic_write(path, s, len, &e);
    if (st)
        return lsfew_fail(L, st, &e);
    lua_pushboolean(L, 1);
    return 1;
}

static int io_temp_name(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int dir = lua_toboolean(L, 2);
    char *tmp = NULL;
    sfew_err e;
    sfew_status st = sfew_atomic_temp(path, dir, &tmp, &e);
    if (st)
        return lsfew_fail(L, st, &e);
    lua_pushstring(L, tmp); /* may raise (no memory): tmp must not be held then */
    free(tmp);
    return 1;
}

static int io_rename_atomic(lua_State *L)
{
    const char *tmp = luaL_checkstring(L, 1);
    const char *path = luaL_checkstring(L, 2);
    sfew_err e;
    sfew_status st = sfew_atomic_rename(tmp, path, &e);
    if (st)
        return lsfew_fail(L, st, &e);
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg io_funcs[] = {{"load", io_load},
                                    {"save", io_save},
                                    {"write_atomic", io_write_atomic},
                                    {"temp_name", io_temp_name},
                                    {"rename_atomic", io_rename_atomic},
                                    {NULL, NULL}};

int luaopen_sfew_core_io(lua_State *L)
{
    if (luaL_newmetatable(L, LSFEW_ST_BOX)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, io_funcs);
    lsfew_io_add_json(L);
    return 1;
}
