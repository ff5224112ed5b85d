/* sfew.core.optim: SGD, Adam and AdamW as userdata owning their engine state. The parameter
 * list is pinned in the user value, and the pointer arrays handed to step are allocated
 * once at construction, so a step allocates nothing. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l_optim.h"
#include "lsfew.h"
#include "modules.h"
#include "../engine/optim/clip.h"

static const lopt_hyper sgd_hypers[] = {
    {"lr", offsetof(sfew_sgd_opts, lr)}, {"momentum", offsetof(sfew_sgd_opts, momentum)},
    {"dampening", offsetof(sfew_sgd_opts, dampening)},
    {"weight_decay", offsetof(sfew_sgd_opts, weight_decay)}, {NULL, 0}};
static const lopt_hyper adam_hypers[] = {
    {"lr", offsetof(sfew_adam_opts, lr)}, {"beta1", offsetof(sfew_adam_opts, beta1)},
    {"beta2", offsetof(sfew_adam_opts, beta2)}, {"eps", offsetof(sfew_adam_opts, eps)},
    {"weight_decay", offsetof(sfew_adam_opts, weight_decay)}, {NULL, 0}};

static const char *const type_names[] = {"SGD", "Adam", "AdamW"};

const char *lopt_type_name(const lopt *o) { return type_names[o->kind]; }

static lopt *test_opt(lua_State *L, int i)
{
    lopt *o = luaL_testudata(L, i, LSFEW_SGD);
    o = o ? o : luaL_testudata(L, i, LSFEW_ADAM);
    return o ? o : luaL_testudata(L, i, LSFEW_ADAMW);
}

lopt *lopt_check(lua_State *L, int i)
{
    lopt *o = test_opt(L, i);
    if (!o)
        luaL_typeerror(L, i, "optimizer");
    if (!o->sgd && !o->adam)
        luaL_argerror(L, i, "optimizer has been freed");
    return o;
}

const lopt_hyper *lopt_hypers(const lopt *o)
{
    return o->kind == LOPT_SGD ? sgd_hypers : adam_hypers;
}

void *lopt_opts(lopt *o)
{
    if (o->kind == LOPT_SGD)
        return sfew_sgd_options(o->sgd);
    return sfew_adam_options(o->adam);
}

double *lopt_hyper_slot(void *opts, const lopt_hyper *h)
{
    return (double *)((char *)opts + h->off);
}

sfew_status lopt_opts_check(const lopt *o, const void *opts, sfew_err *e)
{
    return o->kind == LOPT_SGD ? sfew_sgd_opts_check(opts, e) : sfew_adam_opts_check(opts, e);
}

static int o_gc(lua_State *L)
{
    lopt *o = test_opt(L, 1);
    if (o) {
        sfew_sgd_free(o->sgd);
        sfew_adam_free(o->adam);
        free(o->ps);
        free((void *)o->gs);
        o->sgd = NULL;
        o->adam = NULL;
        o->ps = NULL;
        o->gs = NULL;
    }
    return 0;
}

/* ---- construction ----------------------------------------------------------------- */

/* Copies the list at index 1 into a new table (left on the stack), giving each tensor a
 * zero gradient when it has none. Returns the count. */
static int take_params(lua_State *L)
{
    /* raw reads: the list pinned is the one checked, whatever its metamethods do */
    lua_Integer n = lsfew_list_len(L, 1, (1 << 24) - 1, "too many parameters");
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        sfew_tensor *t = test_tensor(L, -1);
        if (!t)
            luaL_argerror(L, 1, lua_pushfstring(L, "element %I is not a live tensor (got %s)",
                                                i, luaL_typename(L, -1)));
        if (lua_getiuservalue(L, -1, 1) != LUA_TUSERDATA) {
            lua_pop(L, 1);
            sfew_tensor **slot = lsfew_tensor_slot(L);
            sfew_err e;
            sfew_status st = sfew_tensor_new(t->ndim, t->shape, slot, &e);
            if (st)
                lsfew_error(L, st, &e);
            lua_pushvalue(L, -1);
            lua_setiuservalue(L, -3, 1);
        }
        lua_pop(L, 1);
        lua_rawseti(L, -2, i);
    }
    return (int)n;
}

/* Reads the options table at index 2 into opts, refusing unknown names and wrong types
 * with "bad argument #2". */
static void read_opts(lua_State *L, const lopt *o, void *opts)
{
    if (lua_isnoneornil(L, 2))
        return;
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        const lopt_hyper *h = lopt_hypers(o);
        while (h->name && strcmp(h->name, k) != 0)
            h++;
        if (h->name) {
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_argerror(L, 2, lua_pushfstring(L, "option '%s' must be a number, got %s",
                                                    k, luaL_typename(L, -1)));
            *lopt_hyper_slot(opts, h) = lua_tonumber(L, -1);
        } else if (o->kind == LOPT_SGD && strcmp(k, "nesterov") == 0) {
            if (!lua_isboolean(L, -1))
                luaL_argerror(L, 2, "option 'nesterov' must be a boolean");
            ((sfew_sgd_opts *)opts)->nesterov = lua_toboolean(L, -1);
        } else if (o->kind != LOPT_SGD && strcmp(k, "betas") == 0) {
            sfew_adam_opts *a = opts;
            int ok = lua_istable(L, -1) && lua_rawlen(L, -1) == 2;
            ok = ok && lua_rawgeti(L, -1, 1) == LUA_TNUMBER && lua_rawgeti(L, -2, 2) == LUA_TNUMBER;
            if (!ok)
                luaL_argerror(L, 2, "option 'betas' must be a list of two numbers");
            a->beta1 = lua_tonumber(L, -2);
            a->beta2 = lua_tonumber(L, -1);
            lua_pop(L, 2);
        } else {
            static const char *const sgd_keys[] = {"lr", "momentum", "dampening",
                                                   "weight_decay", "nesterov", NULL};
            static const char *const adam_keys[] = {"lr", "betas", "beta1", "beta2", "eps",
                                                    "weight_decay", NULL};
            const char *near = lsfew_suggest(k, o->kind == LOPT_SGD ? sgd_keys : adam_keys);
            luaL_argerror(L, 2, near ? lua_pushfstring(L, "unknown option '%s' for %s (did "
                                                       "you mean '%s'?)", k,
                                                       type_names[o->kind], near)
                                     : lua_pushfstring(L, "unknown option '%s' for %s", k,
                                                       type_names[o->kind]));
        }
        lua_pop(L, 1);
    }
}

static int new_opt(lua_State *L, int kind)
{
    lua_settop(L, 2);
    int n = take_params(L); /* the list copy: index 3 */
    lopt *o = lua_newuserdatauv(L, sizeof *o, 1);
    memset(o, 0, sizeof *o);
    o->kind = kind;
    luaL_setmetatable(L, kind == LOPT_SGD ? LSFEW_SGD : kind == LOPT_ADAM ? LSFEW_ADAM
                                                                          : LSFEW_ADAMW);
    lua_pushvalue(L, 3);
    lua_setiuservalue(L, -2, 1);
    sfew_sgd_opts so = {-1, 0, 0, 0, 0};
    sfew_adam_opts ao = kind == LOPT_ADAMW ? sfew_adamw_defaults() : sfew_adam_defaults();
    void *opts = kind == LOPT_SGD ? (void *)&so : (void *)&ao;
    read_opts(L, o, opts);
    if (kind == LOPT_SGD && so.lr == -1)
        luaL_argerror(L, 2, "option 'lr' is required for SGD");
    sfew_err e;
    if (lopt_opts_check(o, opts, &e))
        luaL_argerror(L, 2, e.msg);
    o->ps = calloc((size_t)n + 1, sizeof *o->ps);
    o->gs = calloc((size_t)n + 1, sizeof *o->gs);
    if (!o->ps || !o->gs)
        return luaL_error(L, "%s: out of memory", type_names[kind]);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, 3, i + 1);
        o->ps[i] = check_tensor(L, -1);
        lua_pop(L, 1);
    }
    sfew_status st = kind == LOPT_SGD
                         ? sfew_sgd_create(n, (const sfew_tensor *const *)o->ps, &so, &o->sgd, &e)
                         : sfew_adam_create(n, (const sfew_tensor *const *)o->ps, &ao, &o->adam,
                                            &e);
    if (st)
        return lsfew_error(L, st, &e);
    o->n = n;
    return 1;
}

static int l_sgd(lua_State *L) { return new_opt(L, LOPT_SGD); }
static int l_adam(lua_State *L) { return new_opt(L, LOPT_ADAM); }
static int l_adamw(lua_State *L) { return new_opt(L, LOPT_ADAMW); }

/* ---- stepping ---------------------------------------------------------------------- */

/* Refreshes the pointer arrays of the optimiser at index idx from its pinned list: a
 * tensor may have been given a new gradient (p.grad = ...) or freed since the last step. */
static void gather(lua_State *L, int idx, lopt *o, int need_grad)
{
    idx = lua_absindex(L, idx);
    int stale = lua_getfield(L, LUA_REGISTRYINDEX, LSFEW_STALE) == LUA_TTABLE;
    lua_getiuservalue(L, idx, 1);
    for (int i = 0; i < o->n; i++) {
        lua_rawgeti(L, -1, i + 1);
        o->ps[i] = test_tensor(L, -1);
        if (!o->ps[i])
            luaL_error(L, "%s: parameter %d has been freed", type_names[o->kind], i + 1);
        /* A replaced parameter is refused rather than followed: its successor has another
         * shape, so the optimiser's moments could not carry over anyway. */
        if (stale) {
            lua_pushvalue(L, -1);
            if (lua_rawget(L, -4) == LUA_TSTRING)
                luaL_error(L, "%s: parameter %d is %s; build the optimiser again from "
                           "net:parameters()", type_names[o->kind], i + 1, lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        lua_getiuservalue(L, -1, 1);
        o->gs[i] = test_tensor(L, -1);
        if (!o->gs[i] && need_grad)
            luaL_error(L, "%s: parameter %d has no gradient (p.grad)", type_names[o->kind],
                       i + 1);
        lua_pop(L, 2);
    }
    lua_pop(L, 2);
}

void lopt_step(lua_State *L, int idx)
{
    lopt *o = lopt_check(L, idx);
    gather(L, idx, o, 1);
    sfew_err e;
    sfew_status st = o->kind == LOPT_SGD ? sfew_sgd_step(o->sgd, o->ps, o->gs, &e)
                                    : sfew_adam_step(o->adam, o->ps, o->gs, &e);
    if (st)
        lsfew_error(L, st, &e);
}

static int o_step(lua_State *L)
{
    lopt_step(L, 1);
    return 0;
}

static int o_zero_grad(lua_State *L)
{
    lopt *o = lopt_check(L, 1);
    gather(L, 1, o, 0);
    for (int i = 0; i < o->n; i++)
        if (o->gs[i])
            sfew_tensor_fill((sfew_tensor *)o->gs[i], 0.0f);
    return 0;
}

/* ---- fields and printing ----------------------------------------------------------- */

static int o_index(lua_State *L)
{
    lopt *o = lopt_check(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    const char *k = lua_tostring(L, 2);
    if (!k)
        return 0;
    void *opts = lopt_opts(o);
    for (const lopt_hyper *h = lopt_hypers(o); h->name; h++)
        if (strcmp(h->name, k) == 0) {
            lua_pushnumber(L, *lopt_hyper_slot(opts, h));
            return 1;
        }
    if (o->kind == LOPT_SGD && strcmp(k, "nesterov") == 0)
        lua_pushboolean(L, ((sfew_sgd_opts *)opts)->nesterov);
    else if (strcmp(k, "params") == 0)
        lua_getiuservalue(L, 1, 1);
    else
        lua_pushnil(L);
    return 1;
}

/* opt.lr = 0.01 (and the other numeric options): checked, left unchanged when bad. */
static int o_newindex(lua_State *L)
{
    lopt *o = lopt_check(L, 1);
    const char *k = luaL_checkstring(L, 2);
    void *opts = lopt_opts(o);
    for (const lopt_hyper *h = lopt_hypers(o); h->name; h++)
        if (strcmp(h->name, k) == 0) {
            double *slot = lopt_hyper_slot(opts, h), old = *slot;
            *slot = luaL_checknumber(L, 3);
            sfew_err e;
            if (lopt_opts_check(o, opts, &e)) {
                *slot = old;
                return luaL_argerror(L, 3, e.msg);
            }
            return 0;
        }
    return luaL_error(L, "%s has no settable field '%s'", type_names[o->kind], k);
}

static int o_tostring(lua_State *L)
{
    lopt *o = test_opt(L, 1);
    if (!o)
        return luaL_typeerror(L, 1, "optimizer");
    if (!o->sgd && !o->adam) {
        lua_pushfstring(L, "optim.%s(freed)", type_names[o->kind]);
        return 1;
    }
    char buf[256];
    if (o->kind == LOPT_SGD) {
        const sfew_sgd_opts *s = sfew_sgd_options(o->sgd);
        snprintf(buf, sizeof buf, "optim.SGD(lr=%g, momentum=%g, dampening=%g, "
                 "weight_decay=%g, nesterov=%s; %d parameters)", s->lr, s->momentum,
                 s->dampening, s->weight_decay, s->nesterov ? "true" : "false", o->n);
    } else {
        const sfew_adam_opts *a = sfew_adam_options(o->adam);
        snprintf(buf, sizeof buf, "optim.%s(lr=%g, betas=(%g, %g), eps=%g, "
                 "weight_decay=%g; %d parameters)", type_names[o->kind], a->lr, a->beta1,
                 a->beta2, a->eps, a->weight_decay, o->n);
    }
    lua_pushstring(L, buf);
    return 1;
}

static const luaL_Reg opt_methods[] = {
    {"step", o_step}, {"zero_grad", o_zero_grad}, {"state_dict", lopt_state_dict},
    {"load_state_dict", lopt_load_state_dict}, {NULL, NULL}};

static const luaL_Reg opt_meta[] = {
    {"__newindex", o_newindex}, {"__tostring", o_tostring}, {"__gc", o_gc}, {NULL, NULL}};

/* clip_grad_norm(params, max_norm) -> the total norm before clipping; parameters without
 * a gradient are skipped, as PyTorch does. */
static int l_clip_grad_norm(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double max_norm = luaL_checknumber(L, 2);
    luaL_argcheck(L, max_norm >= 0, 2, "max_norm must be >= 0");
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, n < (1 << 24), 1, "too many parameters");
    /* a userdata buffer: a Lua error below leaks nothing */
    sfew_tensor **gs = lua_newuserdatauv(L, ((size_t)n + 1) * sizeof *gs, 0);
    int k = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        if (!test_tensor(L, -1))
            luaL_argerror(L, 1, lua_pushfstring(L, "element %I is not a live tensor (got %s)",
                                                i, luaL_typename(L, -1)));
        lua_getiuservalue(L, -1, 1);
        sfew_tensor *g = test_tensor(L, -1);
        if (g)
            gs[k++] = g;
        lua_pop(L, 2);
    }
    double total = 0.0;
    sfew_err e;
    sfew_status st = sfew_clip_grad_norm(k, gs, max_norm, &total, &e);
    if (st)
        return lsfew_error(L, st, &e);
    lua_pushnumber(L, total);
    return 1;
}

static const luaL_Reg optim_funcs[] = {{"SGD", l_sgd}, {"Adam", l_adam}, {"AdamW", l_adamw},
                                       {"clip_grad_norm", l_clip_grad_norm}, {NULL, NULL}};

int luaopen_sfew_core_optim(lua_State *L)
{
    const char *names[] = {LSFEW_SGD, LSFEW_ADAM, LSFEW_ADAMW};
    for (int i = 0; i < 3; i++) {
        if (luaL_newmetatable(L, names[i])) {
            luaL_setfuncs(L, opt_meta, 0);
            luaL_newlib(L, opt_methods);
            lua_pushvalue(L, -1); /* also __methods, for help() and completion */
            lua_setfield(L, -3, "__methods");
            lua_pushcclosure(L, o_index, 1);
            lua_setfield(L, -2, "__index");
        }
        lua_pop(L, 1);
    }
    luaL_newlib(L, optim_funcs);
    return 1;
}
