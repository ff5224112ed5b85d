/* sfew.core.io: (to be filled) the C half of sfew.io. */
#include "lsfew.h"
#include "modules.h"

int luaopen_sfew_core_io(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
