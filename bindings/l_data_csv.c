/* sfew.core.data.read_csv: options resolved against the header (columns by number or by
 * name), the table built by the engine, and the result as a Lua table. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsfew.h"

#define CSV_BOX "sfew.CsvBox"

/* Parsed file and built table, freed by __gc whatever happens in between. */
typedef struct csv_box {
    sfew_csv *csv;
    sfew_csv_table *table;
    char *drop;
} csv_box;

static int box_gc(lua_State *L)
{
    csv_box *b = luaL_checkudata(L, 1, CSV_BOX);
    sfew_csv_free(b->csv);
    sfew_csv_table_free(b->table);
    free(b->drop);
    b->csv = NULL;
    b->table = NULL;
    b->drop = NULL;
    return 0;
}

/* Header cell equals name, ignoring case and surrounding blanks. */
static int same_name(const char *cell, const char *name)
{
    while (isspace((unsigned char)*cell))
        cell++;
    size_t n = strlen(cell);
    while (n > 0 && isspace((unsigned char)cell[n - 1]))
        n--;
    return strlen(name) == n && strncasecmp(cell, name, n) == 0;
}

/* The 0-based column the value at index v names (a 1-based number or a header name);
 * -1 for false. Raises with the option's name when it names no column. */
static int column_of(lua_State *L, const sfew_csv *c, int header, int ncols, int v,
                     const char *opt)
{
    if (lua_type(L, v) == LUA_TBOOLEAN && !lua_toboolean(L, v))
        return -1;
    if (lua_isinteger(L, v)) {
        lua_Integer k = lua_tointeger(L, v);
        if (k < 1 || k > ncols)
            luaL_error(L, "option '%s': column %I out of 1..%d", opt, k, ncols);
        return (int)k - 1;
    }
    if (lua_type(L, v) != LUA_TSTRING)
        luaL_error(L, "option '%s' must be a column number or name", opt);
    const char *name = lua_tostring(L, v);
    for (int k = 0; header && k < ncols && k < sfew_csv_nfield(c, 0); k++)
        if (same_name(c->field[c->start[0] + k], name))
            return k;
    luaL_error(L, "option '%s': no column named '%s'", opt, name);
    return -1;
}

static int raw_field(lua_State *L, int t, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

/* Resolves label, name and drop options into the spec; fills b->drop. */
static void resolve(lua_State *L, int opts, csv_box *b, sfew_csv_spec *s)
{
    const sfew_csv *c = b->csv;
    int none = lua_isnoneornil(L, opts);
    s->label_col = -1;
    for (int k = 0; s->header && k < s->ncols; k++)
        if (same_name(c->field[c->start[0] + k], "label"))
            s->label_col = k;
    if (!none && raw_field(L, opts, "label") != LUA_TNIL)
        s->label_col = column_of(L, c, s->header, s->ncols, lua_gettop(L), "label");
    else if (s->label_col < 0 && s->ncols >= 2)
        s->label_col = 1;
    b->drop = calloc((size_t)s->ncols, 1);
    if (!b->drop)
        luaL_error(L, "read_csv: no memory");
    int name_col = s->label_col == 0 ? -1 : 0;
    if (!none && raw_field(L, opts, "name") != LUA_TNIL)
        name_col = column_of(L, c, s->header, s->ncols, lua_gettop(L), "name");
    if (name_col >= 0)
        b->drop[name_col] = 1;
    if (!none && raw_field(L, opts, "drop") != LUA_TNIL) {
        int t = lua_gettop(L);
        if (!lua_istable(L, t))
            luaL_error(L, "option 'drop' must be a list of columns");
        /* raw reads; false ("no column") means nothing in a drop list */
        for (lua_Integer i = 1; lua_rawgeti(L, t, i) != LUA_TNIL; i++) {
            if (lua_type(L, -1) != LUA_TNUMBER && lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "option 'drop': entry %d must be a column number or name, got %s",
                           (int)i, luaL_typename(L, -1));
            b->drop[column_of(L, c, s->header, s->ncols, lua_gettop(L), "drop")] = 1;
            lua_pop(L, 1);
        }
    }
    s->drop = b->drop;
    lua_pushinteger(L, name_col + 1); /* 0 means none; read back by the caller */
}

static void push_result(lua_State *L, const csv_box *b, const sfew_csv_spec *s, int name_col)
{
    const sfew_csv *c = b->csv;
    sfew_csv_table *t = b->table;
    lua_createtable(L, 0, 6);
    lua_createtable(L, t->nfeat, 0);
    for (int k = 0; k < t->nfeat; k++) {
        const char *h = s->header && t->feat[k] < sfew_csv_nfield(c, 0)
                            ? c->field[c->start[0] + t->feat[k]] : "";
        lua_pushstring(L, h);
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "columns");
    if (name_col >= 0) {
        lua_createtable(L, t->rows, 0);
        for (int i = 0; i < t->rows; i++) {
            lua_pushstring(L, c->field[c->start[t->rec[i]] + name_col]);
            lua_rawseti(L, -2, i + 1);
        }
        lua_setfield(L, -2, "names");
    }
    lua_createtable(L, t->rows, 0);
    for (int i = 0; i < t->rows; i++) {
        lua_pushinteger(L, c->line[t->rec[i]]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "lines");
    lua_pushinteger(L, t->dropped);
    lua_setfield(L, -2, "dropped");
    lua_pushinteger(L, t->first_drop_line);
    lua_setfield(L, -2, "first_dropped_line");
}

/* read_csv(path [, {header, label, name, drop, na, nclasses}]) -> {x, y, names, columns,
 * lines, dropped, first_dropped_line} | nil, message */
int lsfew_data_read_csv(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    int opts = 2;
    if (!lua_isnoneornil(L, opts))
        luaL_checktype(L, opts, LUA_TTABLE);
    lua_settop(L, 2);
    sfew_csv_spec s = {path, lsfew_opt_boolean(L, opts, "header", 1), -1, 7, NULL, 0, 0};
    const char *na = lsfew_opt_string(L, opts, "na", "error");
    luaL_argcheck(L, !strcmp(na, "error") || !strcmp(na, "drop"), 2,
                  "option 'na' must be \"error\" or \"drop\"");
    s.na_drop = !strcmp(na, "drop");
    lua_Integer nc = lsfew_opt_integer(L, opts, "nclasses", 7);
    luaL_argcheck(L, nc >= 1 && nc <= 1000000, 2, "option 'nclasses' must be positive");
    s.nclasses = (int)nc;
    csv_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    if (luaL_newmetatable(L, CSV_BOX)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    sfew_err err;
    sfew_status st = sfew_csv_read(path, &b->csv, &err);
    if (st)
        return lsfew_fail(L, st, &err);
    if (b->csv->nrec <= s.header) {
        lua_pushnil(L);
        lua_pushfstring(L, "read_csv: '%s' has no data rows", path);
        return 2;
    }
    s.ncols = sfew_csv_nfield(b->csv, 0);
    resolve(L, opts, b, &s);
    int name_col = (int)lua_tointeger(L, -1) - 1;
    st = sfew_csv_table_build(b->csv, &s, &b->table, &err);
    if (st)
        return lsfew_fail(L, st, &err);
    push_result(L, b, &s, name_col);
    int res = lua_gettop(L);
    push_tensor(L, b->table->x);
    b->table->x = NULL; /* the userdata owns it now */
    lua_setfield(L, res, "x");
    if (b->table->y) {
        push_tensor(L, b->table->y);
        b->table->y = NULL;
        lua_setfield(L, res, "y");
    }
    return 1;
}
