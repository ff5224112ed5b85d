/* Tab completion at the prompt: readline finds the word, sfew.repl's complete() (Lua)
 * proposes Lua names, fields and methods; inside an open string readline's own filename
 * completer proposes paths. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"

/* Everything but name characters, '.' and ':' ends a word, so "sfew.nn.Co" and "t:res"
 * are one word while "(" and quotes start a new one. */
#define WORD_BREAKS " \t\n\"'`@$><=;|&{(,)}[]+-*/%^~#\\!?"

/* readline's completion hook takes no user pointer: the state it completes against. */
static lua_State *complete_L;

static char *dup_string(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Calls sfew.repl.complete(line) and leaves its list on the stack; 0 if that fails. */
static int lua_candidates(lua_State *L, const char *line, size_t len)
{
    if (repl_push_module_field(L, "complete") != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    lua_pushlstring(L, line, len);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

/* Builds readline's match array: [0] the longest common prefix, then the candidates. */
static char **to_matches(lua_State *L, int list)
{
    lua_Integer n = luaL_len(L, list);
    if (n <= 0)
        return NULL;
    char **m = calloc((size_t)n + 2, sizeof *m);
    if (!m)
        return NULL;
    size_t common = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, list, i);
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        m[i] = s ? dup_string(s, len) : NULL;
        lua_pop(L, 1);
        if (!m[i])
            goto fail;
        if (i == 1)
            common = len;
        while (common > 0 && strncmp(m[1], m[i], common) != 0)
            common--;
    }
    m[0] = dup_string(m[1], common);
    if (!m[0])
        goto fail;
    if (n == 1) { /* a single match: readline wants it alone in [0] */
        free(m[0]);
        m[0] = m[1];
        m[1] = NULL;
    }
    return m;
fail:
    for (lua_Integer i = 0; i <= n; i++)
        free(m[i]);
    free(m);
    return NULL;
}

static char **attempt_completion(const char *text, int start, int end)
{
    (void)start;
    rl_completion_append_character = '\0';
    if (rl_completion_quote_character) { /* inside a string: a file name */
        rl_filename_completion_desired = 1;
        return rl_completion_matches(text, rl_filename_completion_function);
    }
    rl_attempted_completion_over = 1; /* never fall back to file names outside strings */
    lua_State *L = complete_L;
    if (!L || !lua_checkstack(L, 4))
        return NULL;
    int top = lua_gettop(L);
    char **m = NULL;
    if (lua_candidates(L, rl_line_buffer, (size_t)end))
        m = to_matches(L, lua_gettop(L));
    lua_settop(L, top);
    return m;
}

void repl_complete_init(lua_State *L)
{
    complete_L = L;
    rl_attempted_completion_function = attempt_completion;
    rl_basic_word_break_characters = WORD_BREAKS;
    rl_completer_word_break_characters = WORD_BREAKS;
    rl_completer_quote_characters = "\"'";
}
