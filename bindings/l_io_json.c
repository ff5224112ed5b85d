/* The engine's JSON (engine/io/json.c, json_write.c) as two functions of sfew.core.io,
 * wrapped by scripts/sfew/json.lua: json_encode(v, null, object_mt) -> text (raises on
 * values JSON cannot hold) and json_decode(text, null, object_mt) -> value, or nil,
 * message for malformed text. null is the value that stands for JSON null; object_mt
 * marks a table that encodes as an object even when empty (decoded empty objects get
 * it). Tables are read raw: no metamethod runs while C holds pointers into them. */
#include <stdlib.h>
#include <string.h>

#include "l_io.h"
#include "lsfew.h"

#define LSFEW_JSON_BOX "sfew.JsonBox"
#define JSON_MAX_DEPTH 200

/* A parsed tree or the text being encoded, freed by __gc even when a Lua error (out of
 * memory, a value JSON cannot hold) interrupts the walk. */
typedef struct json_box {
    sfew_json *tree;
    char *s;
    size_t len, cap;
} json_box;

static int json_box_gc(lua_State *L)
{
    json_box *b = luaL_checkudata(L, 1, LSFEW_JSON_BOX);
    sfew_json_free(b->tree);
    free(b->s);
    *b = (json_box){0};
    return 0;
}

static json_box *new_json_box(lua_State *L)
{
    json_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = (json_box){0};
    luaL_setmetatable(L, LSFEW_JSON_BOX);
    return b;
}

/* Room for more bytes at the end of the text. */
static char *json_room(lua_State *L, json_box *b, size_t more)
{
    if (more > ((size_t)1 << 40) || b->len + more > ((size_t)1 << 40))
        luaL_error(L, "json.encode: text too long");
    if (b->len + more > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + more)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s)
            luaL_error(L, "json.encode: no memory for the text");
        b->s = s;
        b->cap = cap;
    }
    return b->s + b->len;
}

static void json_put(lua_State *L, json_box *b, const char *s, size_t n)
{
    memcpy(json_room(L, b, n), s, n);
    b->len += n;
}

static void json_put_string(lua_State *L, json_box *b, const char *s, size_t n)
{
    if (n > ((size_t)1 << 36))
        luaL_error(L, "json.encode: string too long");
    b->len += sfew_json_quote(s, n, json_room(L, b, 6 * n + 2));
}

typedef struct json_key {
    const char *s;
    size_t len;
} json_key;

/* Bytewise order, as Lua's < on strings in the C locale. */
static int key_cmp(const void *a, const void *b)
{
    const json_key *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void json_put_value(lua_State *L, json_box *b, int v, int depth);

/* Encodes the table at v: 1..n as an array, string keys as an object in key order. Only
 * raw accesses, so no metamethod runs (and nothing can change the table) while the
 * strings' pointers are held. Stack: 1 value, 2 null, 3 object_mt, 4 box, 5 seen. */
static void json_put_table(lua_State *L, json_box *b, int v, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        luaL_error(L, "json.encode: nesting deeper than %d", JSON_MAX_DEPTH);
    luaL_checkstack(L, 8, "json.encode: nesting too deep");
    lua_pushvalue(L, v);
    if (lua_rawget(L, 5) != LUA_TNIL)
        luaL_error(L, "json.encode: a table contains itself");
    lua_pop(L, 1);
    lua_pushvalue(L, v);
    lua_pushboolean(L, 1);
    lua_rawset(L, 5);
    lua_Unsigned n = lua_rawlen(L, v), count = 0, nkeys = 0;
    lua_pushnil(L);
    while (lua_next(L, v)) {
        count++;
        nkeys += lua_type(L, -2) == LUA_TSTRING;
        lua_pop(L, 1);
    }
    int has_mt = lua_getmetatable(L, v);
    int object_mt = has_mt && lua_rawequal(L, -1, 3);
    lua_pop(L, has_mt);
    if (count == n && (n > 0 || !object_mt)) {
        json_put(L, b, "[", 1);
        for (lua_Unsigned i = 1; i <= n; i++) {
            if (i > 1)
                json_put(L, b, ",", 1);
            lua_rawgeti(L, v, (lua_Integer)i);
            json_put_value(L, b, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
        }
        json_put(L, b, "]", 1);
    } else if (nkeys == count) {
        json_key *keys = lua_newuserdatauv(L, sizeof *keys * (size_t)(count ? count : 1), 0);
        size_t k = 0;
        lua_pushnil(L);
        while (lua_next(L, v)) {
            lua_pop(L, 1);
            keys[k].s = lua_tolstring(L, -1, &keys[k].len); /* a string: no conversion */
            k++;
        }
        qsort(keys, k, sizeof *keys, key_cmp);
        json_put(L, b, "{", 1);
        for (size_t i = 0; i < k; i++) {
            if (i > 0)
                json_put(L, b, ",", 1);
            json_put_string(L, b, keys[i].s, keys[i].len);
            json_put(L, b, ":", 1);
            lua_pushlstring(L, keys[i].s, keys[i].len);
            lua_rawget(L, v);
            json_put_value(L, b, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
        }
        json_put(L, b, "}", 1);
        lua_pop(L, 1);
    } else {
        luaL_error(L, "json.encode: a table mixes list items and other keys (or has "
                      "non-string keys)");
    }
    lua_pushvalue(L, v);
    lua_pushnil(L);
    lua_rawset(L, 5);
}

static void json_put_value(lua_State *L, json_box *b, int v, int depth)
{
    char num[SFEW_JSON_NUMBER_MAX];
    size_t n;
    const char *s;
    switch (lua_type(L, v)) {
    case LUA_TNIL:
        json_put(L, b, "null", 4);
        return;
    case LUA_TBOOLEAN:
        json_put(L, b, lua_toboolean(L, v) ? "true" : "false", lua_toboolean(L, v) ? 4 : 5);
        return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, v)) {
            n = sfew_json_integer((int64_t)lua_tointeger(L, v), num);
        } else if (!(n = sfew_json_number((double)lua_tonumber(L, v), num))) {
            lua_Number x = lua_tonumber(L, v);
            luaL_error(L, "json.encode: cannot encode %s (NaN and infinities have no JSON "
                          "spelling)", x != x ? "nan" : x > 0 ? "inf" : "-inf");
        }
        json_put(L, b, num, n);
        return;
    case LUA_TSTRING:
        s = lua_tolstring(L, v, &n);
        json_put_string(L, b, s, n);
        return;
    case LUA_TTABLE:
        if (lua_rawequal(L, v, 2))
            json_put(L, b, "null", 4);
        else
            json_put_table(L, b, v, depth);
        return;
    default:
        luaL_error(L, "json.encode: cannot encode a %s", luaL_typename(L, v));
    }
}

static int json_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 3);
    json_box *b = new_json_box(L); /* 4 */
    lua_newtable(L);                /* 5: the tables being encoded, to catch cycles */
    json_put_value(L, b, 1, 0);
    lua_pushlstring(L, b->s ? b->s : "", b->len);
    return 1;
}

static void push_json(lua_State *L, const sfew_json *v)
{
    luaL_checkstack(L, 4, "json.decode: nesting too deep");
    switch (v->type) {
    case SFEW_JSON_NULL:
        lua_pushvalue(L, 2);
        return;
    case SFEW_JSON_BOOL:
        lua_pushboolean(L, v->boolean);
        return;
    case SFEW_JSON_NUMBER:
        if (v->is_int)
            lua_pushinteger(L, (lua_Integer)v->integer);
        else
            lua_pushnumber(L, (lua_Number)v->number);
        return;
    case SFEW_JSON_STRING:
        lua_pushlstring(L, v->str ? v->str : "", v->str ? v->len : 0);
        return;
    case SFEW_JSON_ARRAY:
        lua_createtable(L, v->count < INT32_MAX ? (int)v->count : 0, 0);
        lua_Integer i = 0;
        for (const sfew_json *c = v->child; c; c = c->next) {
            push_json(L, c);
            lua_rawseti(L, -2, ++i);
        }
        return;
    case SFEW_JSON_OBJECT:
        lua_createtable(L, 0, v->count < INT32_MAX ? (int)v->count : 0);
        for (const sfew_json *c = v->child; c; c = c->next) {
            lua_pushlstring(L, c->key ? c->key : "", c->key ? c->keylen : 0);
            push_json(L, c);
            lua_rawset(L, -3);
        }
        if (!v->count) { /* so that it encodes back as {} */
            lua_pushvalue(L, 3);
            lua_setmetatable(L, -2);
        }
        return;
    }
}

static int json_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_settop(L, 3);
    json_box *b = new_json_box(L);
    sfew_err e;
    sfew_status st = sfew_json_parse(text, len, &b->tree, &e);
    if (st == SFEW_EINVAL) { /* malformed text: the caller's data, not misuse */
        luaL_pushfail(L);
        lua_pushstring(L, e.msg);
        return 2;
    }
    if (st)
        return lsfew_error(L, st, &e);
    push_json(L, b->tree);
    return 1;
}

static const luaL_Reg json_funcs[] = {
    {"json_encode", json_encode}, {"json_decode", json_decode}, {NULL, NULL}};

void lsfew_io_add_json(lua_State *L)
{
    if (luaL_newmetatable(L, LSFEW_JSON_BOX)) {
        lua_pushcfunction(L, json_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_setfuncs(L, json_funcs, 0);
}
