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

static void add_paths(lua_State *L)
{
    char root[PATH_MAX];
    if (!find_root(root, sizeof root))
        return; /* the Lua files may still be on LUA_PATH */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    const char *old = lua_tostring(L, -1);
    lua_pushfstring(L, "%s/scripts/?.lua;%s/scripts/?/init.lua;%s/?.lua;%s", root, root, root,
                    old ? old : "");
    lua_setfield(L, -3, "path");
    lua_pop(L, 1);
    lua_pushstring(L, root);
    lua_setfield(L, -2, "sfew_root"); /* package.sfew_root: where data/ and reports/ go */
    lua_pop(L, 1);
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
    for (int i = 0; submodules[i]; i++) {
        lua_getglobal(L, "require");
        lua_pushfstring(L, "sfew.%s", submodules[i]);
        lua_call(L, 1, 1);
        lua_setfield(L, root, submodules[i]);
    }
    lua_pushliteral(L, SFEW_VERSION);
    lua_setfield(L, root, "version");
    lua_settop(L, root);
    return 1;
}
