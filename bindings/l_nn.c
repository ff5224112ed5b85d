/* sfew.core.nn: (to be filled) the C half of sfew.nn. */
#include "lsfew.h"
#include "modules.h"

int luaopen_sfew_core_nn(lua_State *L)
{
    lua_newtable(L);
    return 1;
}
