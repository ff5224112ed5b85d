/* sfew.core.prune.merge_channel: the C half of prune.remove_channels(..., {into = j}). */
#include "../engine/prune/channels.h"
#include "l_prune_channels.h"
#include "lsfew.h"

/* merge_channel(w, b, C, keep, drop [, complementary]): in place, 1-based channels. */
static int l_merge_channel(lua_State *L)
{
    sfew_tensor *w = check_tensor(L, 1), *b = check_tensor(L, 2);
    lua_Integer C = luaL_checkinteger(L, 3);
    lua_Integer keep = luaL_checkinteger(L, 4), drop = luaL_checkinteger(L, 5);
    luaL_argcheck(L, C >= 1 && C <= SFEW_MAX_NUMEL, 3, "channel count out of range");
    luaL_argcheck(L, keep >= 1 && keep <= C, 4, "channel out of range");
    luaL_argcheck(L, drop >= 1 && drop <= C && drop != keep, 5,
                  "channel out of range or equal to the one kept");
    sfew_err e;
    sfew_status st = sfew_prune_merge_channel(w, b, C, keep - 1, drop - 1, lua_toboolean(L, 6), &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 0;
}

const luaL_Reg lsfew_prune_channel_funcs[] = {{"merge_channel", l_merge_channel}, {NULL, NULL}};
