/* The interactive prompt: readline editing and history on a terminal, plain lines
 * otherwise; an expression prints its values; an error prints and the loop goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

#define PROMPT "> "
#define PROMPT2 ">> "
#define HISTORY_FILE ".sfewlua_history"
#define HISTORY_MAX 1000
#define EOFMARK "<eof>"

typedef struct repl {
    int tty;
    char history[1024];
} repl;

/* Reads one line (without its newline); NULL at end of input. Caller frees. */
static char *read_line(repl *r, const char *prompt)
{
    if (r->tty)
        return readline(prompt);
    size_t cap = 256, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        buf[len++] = (char)c;
    }
    if (c == EOF && len == 0) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
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

/* Compiles the text at the top of the stack as "return <text>"; leaves the chunk. */
static int try_expression(lua_State *L)
{
    const char *line = lua_tostring(L, -1);
    const char *ret = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
    if (status == LUA_OK)
        lua_remove(L, -2);
    else
        lua_pop(L, 2);
    return status;
}

/* Compiles a statement, reading more lines while it is incomplete. */
static int try_statement(lua_State *L, repl *r)
{
    for (;;) {
        size_t len;
        const char *code = lua_tolstring(L, 1, &len);
        int status = luaL_loadbuffer(L, code, len, "=stdin");
        if (!incomplete(L, status))
            return status;
        char *more = read_line(r, PROMPT2);
        if (!more)
            return status == LUA_OK ? status : (lua_pushliteral(L, "unfinished chunk"), LUA_ERRSYNTAX);
        lua_pushliteral(L, "\n");
        lua_pushstring(L, more);
        free(more);
        lua_concat(L, 3);
    }
}

/* Prints the values left on the stack, through sfew.repl's printer when present. */
static void print_results(lua_State *L)
{
    int n = lua_gettop(L);
    if (n == 0)
        return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    lua_getglobal(L, "print");
    lua_insert(L, 1);
    if (host_docall(L, n, 0) != LUA_OK)
        host_report(L, LUA_ERRRUN);
}

static void add_history_line(repl *r, const char *line)
{
    if (r->tty && line[0]) {
        add_history(line);
        if (r->history[0])
            append_history(1, r->history);
    }
}

void host_repl(lua_State *L)
{
    repl r;
    memset(&r, 0, sizeof r);
    r.tty = isatty(0);
    const char *home = getenv("HOME");
    if (r.tty && home) {
        snprintf(r.history, sizeof r.history, "%s/%s", home, HISTORY_FILE);
        read_history(r.history);
        FILE *f = fopen(r.history, "a"); /* append_history needs the file to exist */
        if (f)
            fclose(f);
    }
    for (;;) {
        lua_settop(L, 0);
        char *line = read_line(&r, PROMPT);
        if (!line)
            break;
        size_t len = strlen(line);
        lua_pushlstring(L, line, len);
        int status = try_expression(L);
        if (status != LUA_OK)
            status = try_statement(L, &r);
        add_history_line(&r, lua_tostring(L, 1));
        free(line);
        lua_remove(L, 1);
        if (status == LUA_OK)
            status = host_docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            print_results(L);
        else
            host_report(L, status);
    }
    if (r.tty) {
        if (r.history[0])
            history_truncate_file(r.history, HISTORY_MAX);
        fputc('\n', stdout);
    }
    lua_settop(L, 0);
}
