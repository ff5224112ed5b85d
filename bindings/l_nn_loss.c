/* CrossEntropyLoss and MSELoss for sfew.core.nn: forward returns a number, backward the
 * gradient with respect to the input. Lua targets are 1-based; the engine's 0-based. */
#include <math.h>

#include "l_nn.h"

/* Reads class targets at arg (a tensor or a Lua list of 1-based integers) into a
 * 0-based array kept alive on the stack as a userdata. Writes the count into *n. */
static int64_t *check_targets(lua_State *L, int arg, int64_t *n)
{
    sfew_tensor *t = test_tensor(L, arg);
    if (!t && !lua_istable(L, arg))
        luaL_typeerror(L, arg, "tensor or list of class numbers");
    if (t && !t->data)
        luaL_argerror(L, arg, "tensor has been freed");
    /* raw access: no metamethod runs Lua code during the walk */
    int64_t count = t ? t->numel : (int64_t)lua_rawlen(L, arg);
    luaL_argcheck(L, count >= 0 && count < INT32_MAX, arg, "too many targets");
    int64_t *out = lua_newuserdatauv(L, (size_t)(count > 0 ? count : 1) * sizeof *out, 0);
    for (int64_t i = 0; i < count; i++) {
        double v;
        if (t)
            v = t->data[i];
        else {
            lua_rawgeti(L, arg, (lua_Integer)i + 1);
            int ok = 0;
            v = lua_tonumberx(L, -1, &ok);
            lua_pop(L, 1);
            if (!ok)
                luaL_argerror(L, arg, lua_pushfstring(L, "target %I is not a number",
                                                      (lua_Integer)i + 1));
        }
        if (v != floor(v) || fabs(v) > 1e9)
            luaL_argerror(L, arg, lua_pushfstring(L, "target %I (%f) is not a class number",
                                                  (lua_Integer)i + 1, v));
        out[i] = (int64_t)v - 1;
    }
    *n = count;
    return out;
}

/* CrossEntropyLoss([{weight = tensor or list (C), label_smoothing = 0}]): the weight is
 * copied into the module (never trained: it is not among the parameters). */
int lnn_cross_entropy(lua_State *L)
{
    static const char *const keys[] = {"weight", "label_smoothing", NULL};
    lnn_pin_options(L, 1, keys);
    double ls = lsfew_opt_number(L, 1, "label_smoothing", 0);
    luaL_argcheck(L, ls >= 0 && ls <= 1, 1, "option 'label_smoothing' must be in [0, 1]");
    int weighted = !lua_isnoneornil(L, 1) && lua_getfield(L, 1, "weight") != LUA_TNIL;
    sfew_tensor *src = weighted ? test_tensor(L, -1) : NULL;
    if (weighted && !src && !lua_istable(L, -1))
        return luaL_argerror(L, 1, "option 'weight' must be a tensor or a list of numbers");
    int64_t c = src ? src->numel : weighted ? (int64_t)lua_rawlen(L, -1) : 0;
    luaL_argcheck(L, !weighted || (c >= 1 && c < INT32_MAX && (!src || src->ndim == 1)), 1,
                  "option 'weight' must hold one number per class");
    lmodule *m = lnn_push(L, LNN_CROSS_ENTROPY);
    m->arg = ls;
    if (!weighted)
        return 1;
    sfew_tensor *w = lsfew_tensor_new_checked(L, 1, &c);
    for (int64_t i = 0; i < c; i++) {
        if (src)
            w->data[i] = src->data[i];
        else {
            lua_rawgeti(L, -3, (lua_Integer)i + 1);
            int ok = 0;
            w->data[i] = (float)lua_tonumberx(L, -1, &ok);
            if (!ok)
                return luaL_argerror(L, 1, lua_pushfstring(L, "option 'weight': entry %I is not "
                                     "a number", (lua_Integer)i + 1));
            lua_pop(L, 1);
        }
    }
    lua_setiuservalue(L, -2, LNN_EXTRA);
    return 1;
}

/* The module's options at index 1, or NULL for the plain loss. */
static const sfew_cross_entropy_opts *ce_opts(lua_State *L, lmodule *m,
                                              sfew_cross_entropy_opts *o)
{
    lua_getiuservalue(L, 1, LNN_EXTRA);
    o->weight = test_tensor(L, -1); /* the module keeps it */
    lua_pop(L, 1);
    o->label_smoothing = m->arg;
    return o->weight || o->label_smoothing > 0 ? o : NULL;
}

/* Raises for a failed cross-entropy check: the logits (#1) or the targets (#2). */
static int ce_error(lua_State *L, const sfew_tensor *x, sfew_status st, const sfew_err *e)
{
    return lnn_error(L, x->ndim != 2 || x->shape[1] < 1 ? 2 : 3, st, e);
}

static int ce_forward(lua_State *L)
{
    lmodule *m = lnn_check_kind(L, 1, LNN_CROSS_ENTROPY);
    sfew_tensor *x = check_tensor(L, 2);
    int64_t n;
    int64_t *target = check_targets(L, 3, &n);
    double loss;
    sfew_err e;
    sfew_cross_entropy_opts ob;
    const sfew_cross_entropy_opts *o = ce_opts(L, m, &ob);
    sfew_status st = o ? sfew_cross_entropy_forward_opts(x, target, n, o, &loss, &e)
                       : sfew_cross_entropy_forward(x, target, n, &loss, &e);
    if (st)
        return ce_error(L, x, st, &e);
    lua_pushnumber(L, loss);
    return 1;
}

static int ce_backward(lua_State *L)
{
    lmodule *m = lnn_check_kind(L, 1, LNN_CROSS_ENTROPY);
    sfew_tensor *x = check_tensor(L, 2);
    int64_t n;
    int64_t *target = check_targets(L, 3, &n);
    sfew_err e;
    sfew_cross_entropy_opts ob;
    const sfew_cross_entropy_opts *o = ce_opts(L, m, &ob);
    sfew_status st = o ? sfew_cross_entropy_check_opts(x, target, n, o, &e)
                       : sfew_cross_entropy_check(x, target, n, &e);
    if (st)
        return ce_error(L, x, st, &e);
    sfew_tensor *gi = lnn_result(L, 1, LNN_GRAD_INPUT, x, NULL);
    if ((st = o ? sfew_cross_entropy_backward_opts(x, target, n, o, gi, &e)
                : sfew_cross_entropy_backward(x, target, n, gi, &e)))
        return lsfew_error(L, st, &e);
    return 1;
}

/* c:correct(logits, target) -> how many rows have their largest logit at the target. */
static int ce_correct(lua_State *L)
{
    lnn_check_kind(L, 1, LNN_CROSS_ENTROPY);
    sfew_tensor *x = check_tensor(L, 2);
    int64_t n, hits;
    int64_t *target = check_targets(L, 3, &n);
    sfew_err e;
    sfew_status st = sfew_cross_entropy_correct(x, target, n, &hits, &e);
    if (st)
        return ce_error(L, x, st, &e);
    lua_pushinteger(L, (lua_Integer)hits);
    return 1;
}

static int mse_forward(lua_State *L)
{
    lnn_check_kind(L, 1, LNN_MSE);
    sfew_tensor *x = check_tensor(L, 2), *t = check_tensor(L, 3);
    double loss;
    sfew_err e;
    sfew_status st = sfew_mse_forward(x, t, &loss, &e);
    if (st)
        return lnn_error(L, 3, st, &e);
    lua_pushnumber(L, loss);
    return 1;
}

static int mse_backward(lua_State *L)
{
    lnn_check_kind(L, 1, LNN_MSE);
    sfew_tensor *x = check_tensor(L, 2), *t = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_mse_check(x, t, &e);
    if (st)
        return lnn_error(L, 3, st, &e);
    if ((st = sfew_mse_backward(x, t, lnn_result(L, 1, LNN_GRAD_INPUT, x, t), &e)))
        return lsfew_error(L, st, &e);
    return 1;
}

const luaL_Reg lnn_cross_entropy_methods[] = {
    {"forward", ce_forward}, {"backward", ce_backward}, {"correct", ce_correct},
    {NULL, NULL}};
const luaL_Reg lnn_mse_methods[] = {{"forward", mse_forward}, {"backward", mse_backward},
                                    {NULL, NULL}};
