/* Channel surgery functions (l_prune_channels.c) that luaopen_sfew_core_prune adds to
 * the sfew.core.prune table. */
#ifndef L_PRUNE_CHANNELS_H
#define L_PRUNE_CHANNELS_H

#include <lauxlib.h>

extern const luaL_Reg lsfew_prune_channel_funcs[];

#endif
