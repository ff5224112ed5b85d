/* sfew.core.data: (to be filled) the C half of sfew.data. */
#include "lsfew.h"
#include "modules.h"

int luaopen_sfew_core_data(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
