/* sfew.core.prune: the C half of sfew.prune (angles, importance, surgery on tensors). */
#include <stdlib.h>
#include <string.h>

#include "l_prune_channels.h"
#include "lsfew.h"
#include "modules.h"

/* Reads a list of 1-based indices in 1..n at arg into flags (n entries, zeroed first).
 * Raw reads: no Lua code runs while the caller holds tensor pointers. */
static void check_index_list(lua_State *L, int arg, int64_t n, unsigned char *flags)
{
    luaL_checktype(L, arg, LUA_TTABLE);
    memset(flags, 0, (size_t)n);
    lua_Unsigned len = lua_rawlen(L, arg);
    for (lua_Unsigned i = 1; i <= len; i++) {
        lua_rawgeti(L, arg, (lua_Integer)i);
        int ok;
        lua_Integer k = lua_tointegerx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok || k < 1 || k > n)
            luaL_argerror(L, arg, lua_pushfstring(L, "entry %I is not an index in 1..%I",
                                                  (lua_Integer)i, (lua_Integer)n));
        flags[k - 1] = 1;
    }
}

static unsigned char *flags_buffer(lua_State *L, int64_t n)
{
    return lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1), 0);
}

/* unit_angles(acts [, {center = 0, tol = 1e-6}]) -> angles (U x U), dead units list; the
 * activations are taken about center (0: raw outputs; 0.5 centres sigmoid outputs) */
static int l_unit_angles(lua_State *L)
{
    sfew_tensor *acts = check_tensor(L, 1);
    static const char *const keys[] = {"center", "tol", NULL};
    lsfew_check_options(L, 2, keys);
    float center = (float)lsfew_opt_number(L, 2, "center", 0.0);
    float tol = (float)lsfew_opt_number(L, 2, "tol", 1e-6);
    luaL_argcheck(L, acts->ndim == 2, 1, "expected patterns x units activations");
    int64_t U = acts->shape[1];
    unsigned char *dead = flags_buffer(L, U);
    int dead_idx = lua_gettop(L);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_prune_unit_angles(acts, center, tol, slot, dead, &e);
    if (st)
        return lsfew_error(L, st, &e);
    lua_newtable(L);
    for (int64_t u = 0, k = 0; u < U; u++)
        if (dead[u]) {
            lua_pushinteger(L, (lua_Integer)u + 1);
            lua_rawseti(L, -2, ++k);
        }
    lua_remove(L, dead_idx);
    return 2;
}

static int l_kernel_importance(lua_State *L)
{
    sfew_tensor *w = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_prune_kernel_importance(w, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* drop_rows(t, list) -> a copy without those rows of dimension 1 */
static int l_drop_rows(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar has no rows");
    unsigned char *drop = flags_buffer(L, t->shape[0]);
    check_index_list(L, 2, t->shape[0], drop);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_prune_drop_rows(t, drop, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* remove_inputs(w, b, C, list [, values]) -> w', b' with constant inputs folded into b */
static int l_remove_inputs(lua_State *L)
{
    sfew_tensor *w = check_tensor(L, 1), *b = check_tensor(L, 2);
    lua_Integer C = luaL_checkinteger(L, 3);
    luaL_argcheck(L, C >= 1 && C <= (1 << 24), 3, "input count out of range");
    unsigned char *drop = flags_buffer(L, C);
    check_index_list(L, 4, C, drop);
    float *value = NULL;
    if (!lua_isnoneornil(L, 5)) {
        luaL_checktype(L, 5, LUA_TTABLE);
        value = lua_newuserdatauv(L, sizeof(float) * (size_t)C, 0);
        for (lua_Integer c = 1; c <= C; c++) {
            lua_rawgeti(L, 5, c);
            int ok = lua_isnil(L, -1);
            value[c - 1] = ok ? 0.0f : (float)lua_tonumberx(L, -1, &ok);
            if (!ok)
                luaL_argerror(L, 5, lua_pushfstring(L, "value %I is not a number", c));
            lua_pop(L, 1);
        }
    }
    sfew_tensor **ws = lsfew_tensor_slot(L);
    sfew_tensor **bs = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_prune_remove_inputs(w, b, C, drop, value, ws, bs, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 2;
}

/* merge_unit(w2, b2, keep, drop, complementary): in place, 1-based units */
static int l_merge_unit(lua_State *L)
{
    sfew_tensor *w = check_tensor(L, 1), *b = check_tensor(L, 2);
    lua_Integer keep = luaL_checkinteger(L, 3), drop = luaL_checkinteger(L, 4);
    int comp = lua_toboolean(L, 5);
    /* checked before the 0-based shift, which would overflow for math.mininteger */
    luaL_argcheck(L, keep >= 1, 3, "unit index must be positive");
    luaL_argcheck(L, drop >= 1, 4, "unit index must be positive");
    sfew_err e;
    sfew_status st = sfew_prune_merge_unit(w, b, keep - 1, drop - 1, comp, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 0;
}

static const luaL_Reg prune_funcs[] = {
    {"unit_angles", l_unit_angles}, {"kernel_importance", l_kernel_importance},
    {"drop_rows", l_drop_rows},     {"remove_inputs", l_remove_inputs},
    {"merge_unit", l_merge_unit},   {NULL, NULL}};

int luaopen_sfew_core_prune(lua_State *L)
{
    luaL_newlib(L, prune_funcs);
    luaL_setfuncs(L, lsfew_prune_channel_funcs, 0);
    return 1;
}
