/* sfew.core.optim, second half: opt:state_dict() and opt:load_state_dict(sd), the
 * optimiser state as tensors plus string metadata, ready for a checkpoint. */
#include <stdio.h>
#include <string.h>

#include "l_optim.h"

static const char *const sgd_state[] = {"momentum_buffer", NULL};
static const char *const adam_state[] = {"exp_avg", "exp_avg_sq", NULL};

static const char *const *state_names(const lopt *o)
{
    return o->kind == LOPT_SGD ? sgd_state : adam_state;
}

static sfew_tensor *state_tensor(lopt *o, int i, int j)
{
    if (o->kind == LOPT_SGD)
        return sfew_sgd_buffer(o->sgd, i);
    return j == 0 ? sfew_adam_exp_avg(o->adam, i) : sfew_adam_exp_avg_sq(o->adam, i);
}

static int64_t *steps_of(lopt *o, int i)
{
    return o->kind == LOPT_SGD ? sfew_sgd_steps(o->sgd, i) : sfew_adam_steps(o->adam, i);
}

static void set_meta(lua_State *L, int t, const char *key, const char *fmt, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    lua_pushstring(L, buf);
    lua_setfield(L, t, key);
}

/* {tensors = {"<i>.<name>" = copy}, meta = {type, params, options, "<i>.step"}}. */
int lopt_state_dict(lua_State *L)
{
    lopt *o = lopt_check(L, 1);
    lua_createtable(L, 0, 2);
    lua_newtable(L); /* tensors: index 3 */
    lua_newtable(L); /* meta: index 4 */
    lua_pushstring(L, lopt_type_name(o));
    lua_setfield(L, 4, "type");
    set_meta(L, 4, "params", "%.0f", o->n);
    void *opts = lopt_opts(o);
    for (const lopt_hyper *h = lopt_hypers(o); h->name; h++)
        set_meta(L, 4, h->name, "%.17g", *lopt_hyper_slot(opts, h));
    if (o->kind == LOPT_SGD)
        set_meta(L, 4, "nesterov", "%.0f", ((sfew_sgd_opts *)opts)->nesterov);
    for (int i = 0; i < o->n; i++) {
        char key[64];
        snprintf(key, sizeof key, "%d.step", i + 1);
        set_meta(L, 4, key, "%.0f", (double)*steps_of(o, i));
        for (int j = 0; state_names(o)[j]; j++) {
            sfew_tensor **slot = lsfew_tensor_slot(L);
            sfew_err e;
            sfew_status st = sfew_tensor_clone(state_tensor(o, i, j), slot, &e);
            if (st)
                return lsfew_error(L, st, &e);
            snprintf(key, sizeof key, "%d.%s", i + 1, state_names(o)[j]);
            lua_setfield(L, 3, key);
        }
    }
    lua_setfield(L, 2, "meta");
    lua_setfield(L, 2, "tensors");
    return 1;
}

/* t[key] read raw: a state table's metamethods never run, so every tensor checked is the
 * one later copied, and nothing can free one in between. */
static int raw_field(lua_State *L, int t, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

/* A number from meta[key] (a string), raising on argument 2 (the state) when absent or bad.
 * Argument 2 of a method call is reported as "bad argument #1", as Lua counts after self. */
static double meta_number(lua_State *L, int meta, const char *key)
{
    raw_field(L, meta, key);
    int ok = lua_type(L, -1) == LUA_TSTRING && lua_stringtonumber(L, lua_tostring(L, -1));
    if (!ok)
        luaL_argerror(L, 2, lua_pushfstring(L, "state meta '%s' is missing or not a number",
                                            key));
    double v = lua_tonumber(L, -1);
    lua_pop(L, 2);
    return v;
}

/* Checks every tensor of the state's tensors table (index 4) before anything changes. */
static void check_state_tensors(lua_State *L, lopt *o)
{
    char key[64], a[128], b[128];
    for (int i = 0; i < o->n; i++)
        for (int j = 0; state_names(o)[j]; j++) {
            snprintf(key, sizeof key, "%d.%s", i + 1, state_names(o)[j]);
            raw_field(L, 4, key);
            sfew_tensor *t = test_tensor(L, -1), *mine = state_tensor(o, i, j);
            if (!t)
                luaL_argerror(L, 2, lua_pushfstring(L, "state tensor '%s' is missing", key));
            if (!sfew_tensor_same_shape(t, mine))
                luaL_argerror(L, 2, lua_pushfstring(
                    L, "state tensor '%s' has shape %s, parameter %d has %s", key,
                    sfew_shape_str(t->ndim, t->shape, a, sizeof a), i + 1,
                    sfew_shape_str(mine->ndim, mine->shape, b, sizeof b)));
            lua_pop(L, 1);
        }
}

int lopt_load_state_dict(lua_State *L)
{
    lopt *o = lopt_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    raw_field(L, 2, "meta");    /* 3 */
    raw_field(L, 2, "tensors"); /* 4 */
    luaL_argcheck(L, lua_istable(L, 3) && lua_istable(L, 4), 2,
                  "state must have tables 'tensors' and 'meta'");
    raw_field(L, 3, "type");
    luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING
                  && strcmp(lua_tostring(L, -1), lopt_type_name(o)) == 0, 2,
                  lua_pushfstring(L, "state is not from an %s optimizer", lopt_type_name(o)));
    lua_pop(L, 1);
    luaL_argcheck(L, meta_number(L, 3, "params") == o->n, 2,
                  lua_pushfstring(L, "state has a different number of parameters (this "
                                  "optimizer has %d)", o->n));
    check_state_tensors(L, o);
    sfew_sgd_opts so = {0};
    sfew_adam_opts ao = {0};
    ao.decoupled = o->kind == LOPT_ADAMW;
    void *opts = o->kind == LOPT_SGD ? (void *)&so : (void *)&ao;
    for (const lopt_hyper *h = lopt_hypers(o); h->name; h++)
        *lopt_hyper_slot(opts, h) = meta_number(L, 3, h->name);
    if (o->kind == LOPT_SGD)
        so.nesterov = meta_number(L, 3, "nesterov") != 0;
    sfew_err e;
    if (lopt_opts_check(o, opts, &e))
        return luaL_argerror(L, 2, e.msg);
    for (int i = 0; i < o->n; i++) {
        char key[64];
        snprintf(key, sizeof key, "%d.step", i + 1);
        double s = meta_number(L, 3, key);
        luaL_argcheck(L, s >= 0 && s < 9e15, 2, "a step count is out of range");
    }
    /* Everything checked: now commit. */
    for (int i = 0; i < o->n; i++) {
        char key[64];
        snprintf(key, sizeof key, "%d.step", i + 1);
        *steps_of(o, i) = (int64_t)meta_number(L, 3, key);
        for (int j = 0; state_names(o)[j]; j++) {
            snprintf(key, sizeof key, "%d.%s", i + 1, state_names(o)[j]);
            raw_field(L, 4, key);
            sfew_tensor *t = test_tensor(L, -1);
            if (!t) /* checked above; a finalizer run since may have freed it */
                return luaL_argerror(L, 2, lua_pushfstring(L, "state tensor '%s' was freed",
                                                           key));
            sfew_tensor_copy(state_tensor(o, i, j), t, NULL);
            lua_pop(L, 1);
        }
    }
    if (o->kind == LOPT_SGD)
        *sfew_sgd_options(o->sgd) = so;
    else
        *sfew_adam_options(o->adam) = ao;
    return 0;
}
