/* sfew.core.augment: apply(ops, x [, rng]) -> an augmented copy of the (N, C, H, W) batch x.
 * ops is a list of operation tables {kind = "flip" | "shift" | "affine" | "jitter" |
 * "erase", p, pad, degrees, scale, brightness, contrast, area_lo, area_hi, ratio, fill},
 * built and documented by sfew.augment. */
#include <stdlib.h>
#include <string.h>

#include "../engine/data/augment.h"
#include "lsfew.h"
#include "modules.h"

#define MAX_OPS 64

static const char *const kinds[] = {"flip", "shift", "affine", "jitter", "erase", NULL};

/* Reads operation i (1-based) of the list at index 1 into o; raises "bad argument #1". */
static void read_op(lua_State *L, int i, sfew_aug_op *o)
{
    if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
        luaL_argerror(L, 1, lua_pushfstring(L, "operation %d is a %s, not a table", i,
                                            luaL_typename(L, -1)));
    int t = lua_gettop(L);
    lua_getfield(L, t, "kind");
    const char *k = lua_tostring(L, -1);
    int kind = -1;
    for (int j = 0; k && kinds[j]; j++)
        if (strcmp(k, kinds[j]) == 0)
            kind = j;
    if (kind < 0)
        luaL_argerror(L, 1, lua_pushfstring(L, "operation %d has no known kind (got %s)", i,
                                            k ? k : luaL_typename(L, -1)));
    lua_pop(L, 1);
    memset(o, 0, sizeof *o);
    o->kind = (sfew_aug_kind)kind;
    o->p = lsfew_opt_number(L, t, "p", 1.0);
    o->pad = lsfew_opt_integer(L, t, "pad", 0);
    o->degrees = lsfew_opt_number(L, t, "degrees", 0.0);
    o->scale = lsfew_opt_number(L, t, "scale", 0.0);
    o->brightness = lsfew_opt_number(L, t, "brightness", 0.0);
    o->contrast = lsfew_opt_number(L, t, "contrast", 0.0);
    o->area_lo = lsfew_opt_number(L, t, "area_lo", 0.02);
    o->area_hi = lsfew_opt_number(L, t, "area_hi", 0.33);
    o->ratio = lsfew_opt_number(L, t, "ratio", 3.3);
    o->fill = (float)lsfew_opt_number(L, t, "fill", 0.0);
    lua_pop(L, 1);
}

static int l_apply(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    sfew_tensor *x = check_tensor(L, 2);
    /* nil or absent: the state default (lsfew_opt_rng reads no table at a nil index) */
    sfew_rng *rng = lua_isnoneornil(L, 3) ? lsfew_opt_rng(L, 3) : check_rng(L, 3);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, n <= MAX_OPS, 1, "too many operations");
    sfew_aug_op ops[MAX_OPS];
    for (int i = 0; i < (int)n; i++)
        read_op(L, i + 1, &ops[i]);
    sfew_err e;
    if (sfew_augment_check(ops, (int)n, &e))
        return luaL_argerror(L, 1, e.msg);
    luaL_argexpected(L, x->ndim == 4, 2, "4-D N x C x H x W tensor");
    sfew_tensor *out = lsfew_tensor_new_checked(L, 0, NULL);
    sfew_status st = sfew_augment_apply(ops, (int)n, x, out, rng, lsfew_threads(L), &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static const luaL_Reg augment_funcs[] = {{"apply", l_apply}, {NULL, NULL}};

int luaopen_sfew_core_augment(lua_State *L)
{
    luaL_newlib(L, augment_funcs);
    return 1;
}
