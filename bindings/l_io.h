/* sfew.core.io is built from two files: l_io.c (safetensors, atomic writes) and
 * l_io_json.c (JSON). */
#ifndef LSFEW_L_IO_H
#define LSFEW_L_IO_H

#include <lua.h>

/* Adds json_encode and json_decode to the table on top of the stack. */
void lsfew_io_add_json(lua_State *L);

#endif
