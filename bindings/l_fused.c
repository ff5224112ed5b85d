/* sfew.core.fused: whole training steps in one call for networks small enough that the
 * per-layer calls cost more than the arithmetic. scripts/sfew/fused.lua decides when. */
#include <string.h>

#include "../engine/layers/mlp_fused.h"
#include "l_nn.h"
#include "l_optim.h"

/* mlp_step(linear1, linear2, x, y, work [, opt]) -> loss: forward, MSE and every gradient
 * of linear2(sigmoid(linear1(x))) against y (gradients overwritten), then opt's step when
 * given, so a whole training step is one call; work is a scratch tensor the call resizes. */
static int l_mlp_step(lua_State *L)
{
    lmodule *a = lnn_check_kind(L, 1, LNN_LINEAR), *b = lnn_check_kind(L, 2, LNN_LINEAR);
    sfew_tensor *x = check_tensor(L, 3), *y = check_tensor(L, 4), *work = check_tensor(L, 5);
    if (work == x || work == y)
        return luaL_argerror(L, 5, "work must be its own tensor");
    double loss = 0.0;
    sfew_err e;
    sfew_status st = sfew_mlp_fused_step(a->l, b->l, x, y, work, &loss, &e);
    if (st) /* the message names the culprit: "layers", "input" or "target" */
        return lnn_error(L, strstr(e.msg, "target") ? 4 : strstr(e.msg, "input") ? 3 : 1,
                         st, &e);
    if (!lua_isnoneornil(L, 6))
        lopt_step(L, 6);
    lua_pushnumber(L, loss);
    return 1;
}

static const luaL_Reg fused_funcs[] = {{"mlp_step", l_mlp_step}, {NULL, NULL}};

int luaopen_sfew_core_fused(lua_State *L)
{
    luaL_newlib(L, fused_funcs);
    return 1;
}
