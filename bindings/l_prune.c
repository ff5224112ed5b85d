/* sfew.core.prune: (to be filled) the C half of sfew.prune. */
#include "lsfew.h"
#include "modules.h"

int luaopen_sfew_core_prune(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
