/* sfew.core.optim: (to be filled) the C half of sfew.optim. */
#include "lsfew.h"
#include "modules.h"

int luaopen_sfew_core_optim(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
