/* Entry points of the C modules and the preload table that lists them. */
#ifndef LSFEW_MODULES_H
#define LSFEW_MODULES_H

#include <lauxlib.h>
#include <lua.h>

int luaopen_sfew_core_sys(lua_State *L);
int luaopen_sfew_core_tensor(lua_State *L);
int luaopen_sfew_core_nn(lua_State *L);
int luaopen_sfew_core_optim(lua_State *L);
int luaopen_sfew_core_prune(lua_State *L);
int luaopen_sfew_core_data(lua_State *L);
int luaopen_sfew_core_io(lua_State *L);
int luaopen_sfew_core_features(lua_State *L);
int luaopen_sfew_core_augment(lua_State *L);
int luaopen_sfew_core_detect(lua_State *L);
int luaopen_sfew_core_config(lua_State *L);
int luaopen_sfew_core_fused(lua_State *L);

/* {name, luaopen} pairs, ending with {NULL, NULL}. */
extern const luaL_Reg lsfew_modules[];

/* The root module: preloads the C modules, puts the project's Lua files on
 * package.path and returns the sfew table with every submodule in it. */
int luaopen_sfew(lua_State *L);

#endif
