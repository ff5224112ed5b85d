/* Shared by the sfewlua host's files: running chunks with tracebacks, and the REPL
 * (repl.c: the loop; repl_line.c: reading lines; repl_complete.c: Tab completion). */
#ifndef LSFEW_HOST_H
#define LSFEW_HOST_H

#include <lua.h>

#define SFEWLUA_PROGNAME "sfewlua"

/* Calls the function below its narg arguments under a traceback handler, with SIGINT
 * turned into a Lua error while it runs. Returns the lua_pcall status. */
int host_docall(lua_State *L, int narg, int nres);
/* Prints the message at the top of the stack (if any) to stderr; returns status. */
int host_report(lua_State *L, int status);
/* Runs the interactive loop until end of input. */
void host_repl(lua_State *L);

/* Where the REPL's input comes from. */
typedef struct repl_input {
    int tty;           /* a terminal: readline, history, completion, Ctrl-C clears */
    int cancelled;     /* the last read ended with Ctrl-C (repl_read_line gave NULL) */
    char history[1024];
} repl_input;

void repl_input_open(repl_input *in, lua_State *L);
/* One line without its newline, malloc'd (caller frees); NULL at end of input or, with
 * in->cancelled set, after Ctrl-C. */
char *repl_read_line(repl_input *in, const char *prompt);
void repl_input_add_history(repl_input *in, const char *line);
void repl_input_close(repl_input *in);

/* Installs the readline completion hook that asks sfew.repl for candidates. */
void repl_complete_init(lua_State *L);
/* Pushes field `name` of the sfew.repl module (nil when it did not load); returns its type. */
int repl_push_module_field(lua_State *L, const char *name);

#endif
