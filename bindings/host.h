/* Shared by the sfewlua host's files: running chunks with tracebacks, and the REPL. */
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

#endif
