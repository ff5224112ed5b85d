/* The sfewlua host: runs a script with arguments, -e statements, or a REPL, with the
 * sfew module preloaded. Built the way lua.c is: everything runs under lua_pcall. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "../engine/cpu.h"
#include "../engine/layers/conv2d.h"
#include "host.h"
#include "modules.h"

static lua_State *global_L; /* only for the SIGINT handler, as in lua.c */

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig)
{
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    signal(sig, SIG_DFL); /* a second Ctrl-C kills a process stuck in C */
    lua_sethook(global_L, stop_hook, flag, 1);
}

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int host_docall(lua_State *L, int narg, int nres)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    global_L = L;
    sigaction(SIGINT, &sa, &old);
    int status = lua_pcall(L, narg, nres, base);
    sigaction(SIGINT, &old, NULL); /* the REPL's prompt has its own handler */
    if (lua_gethook(L) == stop_hook) /* a Ctrl-C that came as the call was ending */
        lua_sethook(L, NULL, 0, 0);
    lua_remove(L, base);
    return status;
}

int host_report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "%s: %s\n", SFEWLUA_PROGNAME, msg ? msg : "(error object)");
        fflush(stderr);
        lua_pop(L, 1);
    }
    return status;
}

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options] [script [args]]\n"
            "Available options are:\n"
            "  -e stat   execute string 'stat'\n"
            "  -i        enter interactive mode after executing 'script'\n"
            "  -l mod    require library 'mod' into global 'mod'\n"
            "  -v        show version information\n"
            "  -h        show this help\n"
            "  --        stop handling options\n"
            "  -         execute stdin and stop handling options\n"
            "With no script and no -e, starts the interactive prompt.\n",
            SFEWLUA_PROGNAME);
}

static void print_version(void)
{
    printf("sfewlua %s (%s)\n", SFEW_VERSION, LUA_RELEASE);
}

/* -v: the instruction set and the kernels that run, as sfew.config() gives them. */
static void print_kernels(void)
{
    char name[64];
    const char *core = sfew_cpu_blas_core();
    sfew_cpu_name(name, sizeof name);
    printf("cpu: %s, isa: %s (detected %s)\n", name, sfew_cpu_isa_name(sfew_cpu_isa()),
           sfew_cpu_isa_name(sfew_cpu_isa_detected()));
    printf("blas: OpenBLAS %s kernels (%s)\nconv: %s\n", core,
           sfew_cpu_isa_name(sfew_cpu_blas_core_isa(core)), sfew_conv2d_kernels_name());
}

/* Starts this program again with OPENBLAS_CORETYPE=core, marked as our choice in
 * SFEW_BLAS_CHOSEN and counted in SFEW_BLAS_REEXEC. Returns only when exec fails or this
 * is already the second start: then we carry on as we are, and sfew.core.config warns
 * that the kernels are below the CPU. */
static void reexec_with_core(char **argv, const char *core)
{
    const char *n = getenv("SFEW_BLAS_REEXEC");
    int count = n ? atoi(n) : 0;
    if (count >= 2)
        return;
    char buf[16];
    snprintf(buf, sizeof buf, "%d", count + 1);
    setenv("OPENBLAS_CORETYPE", core, 1);
    setenv("SFEW_BLAS_CHOSEN", core, 1);
    setenv("SFEW_BLAS_REEXEC", buf, 1);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv("SFEW_BLAS_CHOSEN");
}

/* OpenBLAS picks its kernels when it is loaded, before main, and 0.3.21 falls back to
 * its generic (SSE3) ones on CPUs it does not know. So when nobody set OPENBLAS_CORETYPE
 * (or our own earlier choice is below this CPU) and the core is below the CPU, start
 * once more with the matching core. AVX-512 cores must pass the sgemm self-check, else
 * Haswell's run. The variables we set make the new process (and the processes it
 * starts) keep the choice. */
static void pick_blas_core(char **argv)
{
    const char *env = getenv("OPENBLAS_CORETYPE"), *ours = getenv("SFEW_BLAS_CHOSEN");
    if (env && !(ours && strcmp(env, ours) == 0))
        return; /* the user's choice */
    const char *core = sfew_cpu_blas_core();
    sfew_isa cpu = sfew_cpu_isa_detected(), have = sfew_cpu_blas_core_isa(core);
    if (have < cpu)
        reexec_with_core(argv, sfew_cpu_blas_core_for(cpu));
    else if (have == SFEW_ISA_AVX512 && !sfew_cpu_blas_selfcheck())
        reexec_with_core(argv, "Haswell");
}

/* Builds the global 'arg' as lua.c does: script at 0, its arguments at 1.. */
static void create_arg_table(lua_State *L, char **argv, int argc, int script)
{
    lua_createtable(L, argc - script - 1, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int run_chunk(lua_State *L, int status)
{
    if (status == LUA_OK)
        status = host_docall(L, 0, 0);
    return host_report(L, status);
}

/* Runs the script with its arguments. With keep (-i), what it returns stays for the
 * prompt: the first value in the globals 'result' and '_' (see sfew.script). */
static int run_script(lua_State *L, char **argv, int argc, int script, int keep)
{
    const char *fname = strcmp(argv[script], "-") == 0 ? NULL : argv[script];
    int base = lua_gettop(L);
    int status = luaL_loadfile(L, fname);
    if (status == LUA_OK) {
        int n = argc - script - 1;
        luaL_checkstack(L, n + 3, "too many arguments to script");
        for (int i = script + 1; i < argc; i++)
            lua_pushstring(L, argv[i]);
        status = host_docall(L, n, keep ? 1 : 0);
        if (status == LUA_OK && keep) {
            lua_pushvalue(L, -1);
            lua_setglobal(L, "result");
            lua_setglobal(L, "_");
        }
    }
    host_report(L, status);
    lua_settop(L, base);
    return status;
}

typedef struct opts {
    int interactive, version, script, has_e, bad;
} opts;

static opts scan_args(char **argv, int argc)
{
    opts o = {0, 0, 0, 0, 0};
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0)
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-i") == 0)
            o.interactive = 1;
        else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0)
            o.version = 1;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            o.bad = 2;
        else if (strcmp(a, "-e") == 0 || strcmp(a, "-l") == 0) {
            if (i + 1 >= argc) {
                o.bad = 1;
                return o;
            }
            o.has_e |= a[1] == 'e';
            i++;
        } else if ((a[1] == 'e' || a[1] == 'l') && a[2]) {
            o.has_e |= a[1] == 'e';
        } else {
            o.bad = 1;
            return o;
        }
    }
    o.script = i < argc ? i : 0;
    return o;
}

/* Runs -e and -l options in order; returns 0 on failure. */
static int run_options(lua_State *L, char **argv, int last)
{
    for (int i = 1; i < last; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || (a[1] != 'e' && a[1] != 'l'))
            continue;
        const char *val = a[2] ? a + 2 : argv[++i];
        int status;
        if (a[1] == 'e') {
            status = run_chunk(L, luaL_loadbuffer(L, val, strlen(val), "=(command line)"));
        } else {
            lua_getglobal(L, "require");
            lua_pushstring(L, val);
            status = host_docall(L, 1, 1);
            if (status == LUA_OK)
                lua_setglobal(L, val);
            host_report(L, status);
        }
        if (status != LUA_OK)
            return 0;
    }
    return 1;
}

static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    opts o = scan_args(argv, argc);
    if (o.bad) {
        print_usage(o.bad == 2 ? stdout : stderr);
        lua_pushboolean(L, o.bad == 2);
        return 1;
    }
    luaL_openlibs(L);
    luaL_requiref(L, "sfew", luaopen_sfew, 1); /* sfew is preloaded as a global */
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_sfew);
    lua_setfield(L, -2, "sfew");
    lua_pop(L, 1);
    create_arg_table(L, argv, argc, o.script);
    if (o.version) {
        print_version();
        print_kernels();
    }
    if (!run_options(L, argv, o.script ? o.script : argc)) {
        lua_pushboolean(L, 0);
        return 1;
    }
    if (o.script && run_script(L, argv, argc, o.script, o.interactive) != LUA_OK) {
        lua_pushboolean(L, 0);
        return 1;
    }
    if (o.interactive || (!o.script && !o.has_e && !o.version)) {
        if (!o.script && !o.has_e && isatty(0))
            print_version();
        lua_settop(L, 0); /* the REPL works from an empty stack */
        host_repl(L);
    }
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv)
{
    pick_blas_core(argv);
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "%s: cannot create state: not enough memory\n", argv[0]);
        return EXIT_FAILURE;
    }
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    int ok = status == LUA_OK && lua_toboolean(L, -1);
    host_report(L, status);
    lua_close(L);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
