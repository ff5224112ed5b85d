/* The interactive loop: "?x" asks for help, an expression prints its values through
 * sfew.repl's printer (a trailing ';' keeps it quiet) and leaves the first in '_', a
 * statement over a second prints its wall time, and an error or Ctrl-C returns to the
 * prompt with the state intact. Reading lines is repl_line.c's job. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

#define PROMPT "> "
#define PROMPT2 ">> "
#define EOFMARK "<eof>"
#define MODULE_KEY "sfewlua.repl" /* registry slot of the sfew.repl module */
#define SLOW_SECONDS 1.0
#define CANCELLED (-1) /* a status: Ctrl-C dropped the statement being typed */

int repl_push_module_field(lua_State *L, const char *name)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, MODULE_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return LUA_TNIL;
    }
    int type = lua_getfield(L, -1, name);
    lua_remove(L, -2);
    return type;
}

/* Loads sfew.repl and lets it install help and reload; without it the prompt still
 * works, printing with the global print. */
static void load_module(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "sfew.repl");
    if (host_report(L, host_docall(L, 1, 1)) != LUA_OK)
        return;
    lua_getfield(L, -1, "install");
    if (lua_isfunction(L, -1))
        host_report(L, host_docall(L, 0, 0));
    else
        lua_pop(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, MODULE_KEY);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t lmsg;
        const char *msg = lua_tolstring(L, -1, &lmsg);
        size_t lmark = sizeof(EOFMARK) - 1;
        if (lmsg >= lmark && strcmp(msg + lmsg - lmark, EOFMARK) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* Compiles "return <text>" for the first len bytes of line; leaves the chunk on success. */
static int try_expression(lua_State *L, const char *line, size_t len)
{
    lua_pushliteral(L, "return ");
    lua_pushlstring(L, line, len);
    lua_pushliteral(L, ";");
    lua_concat(L, 3);
    size_t n;
    const char *ret = lua_tolstring(L, -1, &n);
    int status = luaL_loadbuffer(L, ret, n, "=stdin");
    lua_remove(L, -2); /* the source text; the chunk or the message stays */
    if (status != LUA_OK)
        lua_pop(L, 1);
    return status;
}

/* Compiles the statement at index 1, reading more lines while it is incomplete. On
 * success leaves the chunk on top; the text at index 1 grows with each line. */
static int try_statement(lua_State *L, repl_input *in)
{
    for (;;) {
        size_t len;
        const char *code = lua_tolstring(L, 1, &len);
        int status = luaL_loadbuffer(L, code, len, "=stdin");
        if (!incomplete(L, status))
            return status;
        char *more = repl_read_line(in, PROMPT2);
        if (!more) {
            if (in->cancelled)
                return CANCELLED;
            lua_pushliteral(L, "unfinished chunk");
            return LUA_ERRSYNTAX;
        }
        lua_pushliteral(L, "\n");
        lua_pushstring(L, more);
        free(more);
        lua_concat(L, 3);
    }
}

/* Length of line without trailing blanks and one final ';' (which asks for quiet). */
static size_t strip_quiet(const char *line, int *quiet)
{
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        len--;
    *quiet = len > 0 && line[len - 1] == ';';
    return *quiet ? len - 1 : len;
}

/* Compiles one input (more lines if needed). Leaves text at 1 and the chunk with its
 * *narg arguments above it; returns a load status or CANCELLED. */
static int load_input(lua_State *L, repl_input *in, const char *line, int *quiet, int *narg)
{
    const char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    lua_pushstring(L, line);
    *narg = 0;
    *quiet = 0;
    if (*p == '?') { /* ?x is help("x"): a name, so methods (t:reshape) work as well */
        const char *name = p + 1;
        while (isspace((unsigned char)*name))
            name++;
        int ignored; /* help prints anyway */
        size_t len = strip_quiet(name, &ignored);
        int status = luaL_loadstring(L, "help(...)");
        if (status == LUA_OK) {
            lua_pushlstring(L, name, len);
            *narg = 1;
        }
        return status;
    }
    size_t len = strip_quiet(line, quiet);
    int status = try_expression(L, line, len);
    if (status == LUA_OK)
        return status;
    *quiet = 0; /* a statement prints nothing anyway */
    return try_statement(L, in);
}

/* Prints the values on the stack above base, through sfew.repl's printer when present. */
static void print_results(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    if (repl_push_module_field(L, "print_values") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        lua_getglobal(L, "print");
    }
    lua_insert(L, base + 1);
    if (host_docall(L, n, 0) != LUA_OK)
        host_report(L, LUA_ERRRUN);
}

/* Calls the chunk (with narg arguments) on top of the stack through sfew.repl's run,
 * which words errors and Ctrl-C around the user's line: leaves the results above base
 * and returns LUA_OK, or prints the message. Without the module, a plain call. */
static int call_input(lua_State *L, int narg, int base)
{
    if (repl_push_module_field(L, "run") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return host_report(L, host_docall(L, narg, LUA_MULTRET));
    }
    lua_insert(L, -(narg + 2)); /* below the chunk */
    lua_pushvalue(L, 1); /* the input's text: run(text, chunk, ...) */
    lua_insert(L, -(narg + 2));
    int status = host_docall(L, narg + 2, LUA_MULTRET);
    if (status != LUA_OK) /* a Ctrl-C that landed in run itself */
        return host_report(L, status);
    if (!lua_toboolean(L, base + 1)) {
        lua_settop(L, base + 2);
        return host_report(L, LUA_ERRRUN);
    }
    lua_remove(L, base + 1);
    return LUA_OK;
}

/* Runs the chunk (with narg arguments) on top of the stack, above the text at 1. */
static void run_input(lua_State *L, int narg, int quiet)
{
    int base = 1;
    double t0 = now();
    int status = call_input(L, narg, base);
    double elapsed = now() - t0;
    if (status != LUA_OK) {
        lua_settop(L, base);
    } else if (lua_gettop(L) > base) {
        lua_pushvalue(L, base + 1);
        lua_setglobal(L, "_"); /* kept so a long computation's result is not lost */
        if (!quiet)
            print_results(L, base);
    }
    if (elapsed > SLOW_SECONDS) {
        fprintf(stderr, "(%.2f s)\n", elapsed);
        fflush(stderr);
    }
}

void host_repl(lua_State *L)
{
    repl_input in;
    load_module(L);
    lua_settop(L, 0);
    repl_input_open(&in, L);
    for (;;) {
        lua_settop(L, 0);
        char *line = repl_read_line(&in, PROMPT);
        if (!line) {
            if (in.cancelled)
                continue;
            break;
        }
        int quiet, narg;
        int status = load_input(L, &in, line, &quiet, &narg);
        free(line);
        if (status == CANCELLED)
            continue;
        repl_input_add_history(&in, lua_tostring(L, 1));
        if (status == LUA_OK)
            run_input(L, narg, quiet);
        else
            host_report(L, status);
    }
    repl_input_close(&in);
    lua_settop(L, 0);
}
