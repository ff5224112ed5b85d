/* sfew.core.config: sfew.config(), what the engine runs on (instruction set, OpenBLAS's
 * kernels, our convolution kernels, threads, version), and sfew.config{conv = ...} to
 * choose the convolution kernels. Loading it warns once on stderr when OpenBLAS runs
 * kernels below what the CPU supports and nobody chose them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/cpu.h"
#include "../engine/detect/cascade.h"
#include "lsfew.h"

static const char *const conv_names[] = {"auto", "reference", NULL};

/* Who picked OpenBLAS's core: the sfewlua host marks its own choice. */
static const char *blas_chooser(void)
{
    const char *env = getenv("OPENBLAS_CORETYPE"), *host = getenv("SFEW_BLAS_CHOSEN");
    if (!env)
        return "openblas";
    return host && strcmp(env, host) == 0 ? "sfewlua" : "environment";
}

static void set_string(lua_State *L, const char *key, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

static void push_config(lua_State *L)
{
    char name[64];
    sfew_isa isa = sfew_cpu_isa();
    const char *core = sfew_cpu_blas_core();
    int ref = sfew_cpu_conv_kernels() == SFEW_CONV_REFERENCE;
    lua_createtable(L, 0, 16);
    sfew_cpu_name(name, sizeof name);
    set_string(L, "cpu", name);
    set_string(L, "isa", sfew_cpu_isa_name(isa));
    set_string(L, "isa_detected", sfew_cpu_isa_name(sfew_cpu_isa_detected()));
    set_string(L, "blas", "OpenBLAS");
    set_string(L, "blas_core", core);
    set_string(L, "blas_isa", sfew_cpu_isa_name(sfew_cpu_blas_core_isa(core)));
    set_string(L, "blas_chosen_by", blas_chooser());
    set_string(L, "conv", ref ? "reference" : "auto");
    set_string(L, "conv_kernels", sfew_conv2d_kernels_name());
    set_string(L, "detect_scan", sfew_detect_haar_scan_name());
    lua_pushinteger(L, lsfew_threads(L));
    lua_setfield(L, -2, "threads");
    set_string(L, "version", SFEW_VERSION);
    set_string(L, "lua", LUA_RELEASE);
}

/* config() -> table; config{conv = "auto" | "reference"} sets, then returns the table. */
static int l_config(lua_State *L)
{
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 1)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "conv") != 0)
                return luaL_argerror(L, 1, lua_pushfstring(L, "unknown option '%s' (known: "
                                     "conv)", luaL_tolstring(L, -1, NULL)));
        }
        lua_getfield(L, 1, "conv");
        const char *v = lua_tostring(L, -1);
        int k = 0;
        while (v && lua_type(L, -1) == LUA_TSTRING && conv_names[k] && strcmp(conv_names[k], v))
            k++;
        if (!v || lua_type(L, -1) != LUA_TSTRING || !conv_names[k])
            return luaL_argerror(L, 1, lua_pushfstring(L, "option 'conv' must be \"auto\" or "
                                 "\"reference\", got %s", v && lua_type(L, -1) == LUA_TSTRING
                                 ? v : luaL_typename(L, -1)));
        sfew_cpu_set_conv_kernels(k ? SFEW_CONV_REFERENCE : SFEW_CONV_AUTO);
        lua_pop(L, 1);
    }
    push_config(L);
    return 1;
}

/* Process-wide, as OpenBLAS's core is: one warning however many states load us. */
static int warned;

static void warn_generic_blas(void)
{
    const char *core = sfew_cpu_blas_core();
    sfew_isa cpu = sfew_cpu_isa_detected();
    if (warned || strcmp(blas_chooser(), "environment") == 0 ||
        sfew_cpu_blas_core_isa(core) >= cpu)
        return;
    warned = 1;
    fprintf(stderr, "sfew: OpenBLAS runs its %s kernels on a CPU with %s; set "
            "OPENBLAS_CORETYPE=%s before starting (the sfewlua host does) for full speed\n",
            core, sfew_cpu_isa_name(cpu), sfew_cpu_blas_core_for(cpu));
}

int luaopen_sfew_core_config(lua_State *L)
{
    warn_generic_blas();
    lua_pushcfunction(L, l_config);
    return 1;
}
