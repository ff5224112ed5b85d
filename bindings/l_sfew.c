/* luaopen_sfew: the root module, shared by the sfewlua host and build/sfew.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lsfew.h"
#include "modules.h"

/* Submodules that make up the sfew table, in load order. */
static const char *const submodules[] = {"tensor", "nn", "optim", "prune", "models",
                                         "data",   "io", "train", "checkpoint", NULL};

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Finds the project's Lua files: $SFEW_ROOT, else next to the binary or library this
 * code was loaded from (build/.. in a checkout, PREFIX/share/sfewlua when installed). */
static int find_root(char *root, size_t size)
{
    char self[PATH_MAX], probe[PATH_MAX + 64];
    char cand[PATH_MAX + 32];
    const char *env = getenv("SFEW_ROOT");
    if (env && *env) {
        snprintf(root, size, "%.*s", (int)size - 1, env);
        return 1;
    }
    Dl_info info;
    if (dladdr((const void *)submodules, &info) && info.dli_fname && strchr(info.dli_fname, '/')) {
        if (!realpath(info.dli_fname, self))
            return 0;
    } else {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            return 0;
        self[n] = '\0';
    }
    char *slash = strrchr(self, '/');
    if (!slash)
        return 0;
    *slash = '\0'; /* self is now the binary's folder */
    static const char *const layouts[] = {"%s/..", "%s/../share/sfewlua", NULL};
    for (int i = 0; layouts[i]; i++) {
        snprintf(cand, sizeof cand, layouts[i], self);
        snprintf(probe, sizeof probe, "%s/scripts/sfew/nn.lua", cand);
        if (file_exists(probe)) {
            if (!realpath(cand, root))
                snprintf(root, size, "%.*s", (int)size - 1, cand);
            return 1;
        }
    }
    return 0;
}

/* A package searcher over the project's own files only: "sfew.x.y" is
 * ROOT/scripts/sfew/x/y.lua (or .../init.lua) and "experiments.x" is
 * ROOT/experiments/x.lua. Any other name is left to the other searchers, so loading
 * sfew puts no generic module names (report, cli, ...) on the search path. */
static int search_root(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const char *root = lua_tostring(L, lua_upvalueindex(1));
    const char *pattern;
    if (strncmp(name, "sfew.", 5) == 0)
        pattern = "%s/scripts/?.lua;%s/scripts/?/init.lua";
    else if (strncmp(name, "experiments.", 12) == 0)
        pattern = "%s/?.lua;%s/?/init.lua";
    else
        return 0; /* not ours: no message, the other searchers explain */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchpath");
    lua_pushstring(L, name);
    lua_pushfstring(L, pattern, root, root);
    lua_call(L, 2, 2);
    if (lua_isnil(L, -2))
        return 1; /* the list of files tried */
    const char *file = lua_tostring(L, -2);
    if (luaL_loadfile(L, file) != LUA_OK)
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name, file,
                          lua_tostring(L, -1));
    lua_pushstring(L, file);
    return 2;
}

/* Installs search_root right after the preload searcher (the project's files win over
 * copies elsewhere on package.path) and records the root in package.sfew_root. */
static void add_paths(lua_State *L)
{
    char root[PATH_MAX];
    if (!find_root(root, sizeof root))
        return; /* the Lua files may still be on LUA_PATH */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    if (lua_istable(L, -1)) {
        /* shift searchers 2..n up by one, then put ours at 2 */
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = n; i >= 2; i--) {
            lua_rawgeti(L, -1, i);
            lua_rawseti(L, -2, i + 1);
        }
        lua_pushstring(L, root);
        lua_pushcclosure(L, search_root, 1);
        lua_rawseti(L, -2, 2);
    }
    lua_pop(L, 1);
    lua_pushstring(L, root);
    lua_setfield(L, -2, "sfew_root"); /* package.sfew_root: where data/ and reports/ go */
    lua_pop(L, 1);
}

/* sfew.experiment, sfew.cli, ...: library modules loaded on first use, so a program that
 * only trains a net does not load the reporting code. */
static const char *const lazy[] = {"experiment", "cli",      "report",   "plot",
                                   "progress",   "paper",    "fit",      "checkpoint",
                                   "features",   "ablation", NULL};

static int lazy_index(lua_State *L)
{
    const char *key = lua_tostring(L, 2);
    if (!key)
        return 0;
    for (int i = 0; lazy[i]; i++) {
        if (strcmp(key, lazy[i]) == 0) {
            lua_getglobal(L, "require");
            lua_pushfstring(L, "sfew.%s", key);
            lua_call(L, 1, 1);
            lua_pushvalue(L, 2);
            lua_pushvalue(L, -2);
            lua_rawset(L, 1);
            return 1;
        }
    }
    return 0;
}

static void preload_core(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (const luaL_Reg *m = lsfew_modules; m->name; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 1);
}

int luaopen_sfew(lua_State *L)
{
    preload_core(L);
    add_paths(L);
    lua_newtable(L);
    int root = lua_gettop(L);
    /* Registered before the submodules load, so they may require "sfew" lazily. */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, root);
    lua_setfield(L, -2, "sfew");
    lua_pop(L, 1);
    luaL_requiref(L, "sfew.core.sys", luaopen_sfew_core_sys, 0);
    lua_pushnil(L);
    while (lua_next(L, -2)) { /* sfew.rng, sfew.clock, sfew.threads, ... */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, root);
    }
    lua_pop(L, 1);
    luaL_requiref(L, "sfew.core.config", luaopen_sfew_core_config, 0); /* sfew.config() */
    lua_setfield(L, root, "config");
    for (int i = 0; submodules[i]; i++) {
        lua_getglobal(L, "require");
        lua_pushfstring(L, "sfew.%s", submodules[i]);
        lua_call(L, 1, 1);
        lua_setfield(L, root, submodules[i]);
    }
    lua_pushliteral(L, SFEW_VERSION);
    lua_setfield(L, root, "version");
    lua_newtable(L);
    lua_pushcfunction(L, lazy_index);
    lua_setfield(L, -2, "__index");
    lua_newtable(L); /* __fields: the lazy names, for the prompt's completion */
    for (int i = 0; lazy[i]; i++) {
        lua_pushstring(L, lazy[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "__fields");
    lua_setmetatable(L, root);
    lua_settop(L, root);
    return 1;
}
