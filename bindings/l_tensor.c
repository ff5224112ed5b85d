/* sfew.core.tensor: float32 tensors for Lua (constructors, views, arithmetic, reductions). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lsfew.h"

/* ---- userdata ---------------------------------------------------------------------- */

sfew_tensor *test_tensor(lua_State *L, int i)
{
    ltensor *u = luaL_testudata(L, i, LSFEW_TENSOR);
    return u ? u->t : NULL;
}

sfew_tensor *check_tensor(lua_State *L, int i)
{
    ltensor *u = luaL_checkudata(L, i, LSFEW_TENSOR);
    if (!u->t)
        luaL_argerror(L, i, "tensor has been freed");
    return u->t;
}

sfew_tensor **lsfew_tensor_slot(lua_State *L)
{
    ltensor *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->t = NULL;
    luaL_setmetatable(L, LSFEW_TENSOR);
    return &u->t;
}

void push_tensor(lua_State *L, sfew_tensor *t)
{
    if (!t)
        luaL_error(L, "tensor: out of memory");
    *lsfew_tensor_slot(L) = t;
}

void lsfew_push_grad(lua_State *L, int i)
{
    lua_getiuservalue(L, i, 1);
}

static int t_free(lua_State *L)
{
    ltensor *u = luaL_checkudata(L, 1, LSFEW_TENSOR);
    sfew_tensor_free(u->t);
    u->t = NULL;
    return 0;
}

/* ---- constructors ------------------------------------------------------------------- */

static sfew_tensor *new_checked(lua_State *L, int ndim, const int64_t *shape)
{
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_new(ndim, shape, slot, &e);
    if (st)
        lsfew_error(L, st, &e);
    return *slot;
}

static int t_new(lua_State *L)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = lsfew_check_shape(L, 1, shape);
    int vals = lua_istable(L, 1) ? 2 : 1 + nd;
    sfew_tensor *t = new_checked(L, nd, shape);
    if (lua_isnoneornil(L, vals))
        return 1;
    sfew_tensor *src = test_tensor(L, vals);
    if (src) {
        luaL_argcheck(L, src->numel == t->numel, vals, "number of values does not match shape");
        memcpy(t->data, src->data, (size_t)t->numel * sizeof(float));
        return 1;
    }
    luaL_checktype(L, vals, LUA_TTABLE);
    lua_Integer n = luaL_len(L, vals);
    if (n != t->numel)
        return luaL_argerror(L, vals, lua_pushfstring(L, "%I values for a shape of %I elements",
                                                      n, (lua_Integer)t->numel));
    for (lua_Integer i = 0; i < n; i++) {
        lua_geti(L, vals, i + 1);
        int isnum;
        lua_Number v = lua_tonumberx(L, -1, &isnum);
        if (!isnum)
            return luaL_argerror(L, vals, lua_pushfstring(L, "value %I is not a number", i + 1));
        t->data[i] = (float)v;
        lua_pop(L, 1);
    }
    return 1;
}

static int t_full_with(lua_State *L, float v)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = lsfew_check_shape(L, 1, shape);
    sfew_tensor_fill(new_checked(L, nd, shape), v);
    return 1;
}

static int t_zeros(lua_State *L) { return t_full_with(L, 0.0f); }
static int t_ones(lua_State *L) { return t_full_with(L, 1.0f); }

static int t_full(lua_State *L)
{
    int64_t shape[SFEW_MAX_DIMS];
    int nd = lsfew_check_shape(L, 1, shape);
    int varg = lua_istable(L, 1) ? 2 : 1 + nd;
    float v = (float)luaL_checknumber(L, varg);
    sfew_tensor_fill(new_checked(L, nd, shape), v);
    return 1;
}

static int t_random(lua_State *L, int normal)
{
    int64_t shape[SFEW_MAX_DIMS];
    luaL_checktype(L, 1, LUA_TTABLE);
    int nd = lsfew_check_shape(L, 1, shape);
    sfew_rng *r = lua_isnoneornil(L, 2) ? lsfew_opt_rng(L, 0) : check_rng(L, 2);
    sfew_tensor *t = new_checked(L, nd, shape);
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = (float)(normal ? sfew_rng_normal(r) : sfew_rng_uniform(r));
    return 1;
}

static int t_rand(lua_State *L) { return t_random(L, 0); }
static int t_randn(lua_State *L) { return t_random(L, 1); }

/* Walks a nested list to find its shape (from the first element at each depth). */
static int nested_shape(lua_State *L, int idx, int64_t *shape)
{
    int nd = 0;
    lua_pushvalue(L, idx);
    while (lua_istable(L, -1)) {
        if (nd == SFEW_MAX_DIMS)
            luaL_argerror(L, idx, "too deeply nested");
        shape[nd++] = (int64_t)luaL_len(L, -1);
        if (shape[nd - 1] == 0)
            break;
        lua_geti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
    return nd;
}

static void nested_fill(lua_State *L, int depth, int nd, const int64_t *shape, float **out)
{
    int64_t n = (int64_t)luaL_len(L, -1);
    if (n != shape[depth])
        luaL_argerror(L, 1, lua_pushfstring(L, "ragged nested list at depth %d", depth + 1));
    for (int64_t i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        if (depth + 1 < nd) {
            if (!lua_istable(L, -1))
                luaL_argerror(L, 1, "ragged nested list");
            nested_fill(L, depth + 1, nd, shape, out);
        } else {
            int isnum;
            lua_Number v = lua_tonumberx(L, -1, &isnum);
            if (!isnum)
                luaL_argerror(L, 1, "nested list holds a non-number");
            *(*out)++ = (float)v;
        }
        lua_pop(L, 1);
    }
}

/* from{{1, 2}, {3, 4}}: a tensor from nested Lua lists. */
static int t_from(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int64_t shape[SFEW_MAX_DIMS];
    int nd = nested_shape(L, 1, shape);
    sfew_tensor *t = new_checked(L, nd, shape);
    float *p = t->data;
    lua_pushvalue(L, 1);
    if (t->numel > 0)
        nested_fill(L, 0, nd, shape, &p);
    lua_pop(L, 1);
    return 1;
}

static int t_is_tensor(lua_State *L)
{
    lua_pushboolean(L, test_tensor(L, 1) != NULL);
    return 1;
}

/* ---- shape and views ---------------------------------------------------------------- */

static int t_shape(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lsfew_push_shape(L, t->ndim, t->shape);
    return 1;
}

static int t_size(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    if (lua_isnoneornil(L, 2))
        return t_shape(L);
    lua_Integer d = luaL_checkinteger(L, 2);
    luaL_argcheck(L, d >= 1 && d <= t->ndim, 2, "dimension out of range");
    lua_pushinteger(L, (lua_Integer)t->shape[d - 1]);
    return 1;
}

static int t_dim(lua_State *L)
{
    lua_pushinteger(L, check_tensor(L, 1)->ndim);
    return 1;
}

static int t_numel(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_tensor(L, 1)->numel);
    return 1;
}

static int t_reshape(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int64_t shape[SFEW_MAX_DIMS];
    int nd = 0;
    if (lua_istable(L, 2)) {
        lua_Integer n = luaL_len(L, 2);
        luaL_argcheck(L, n <= SFEW_MAX_DIMS, 2, "too many dimensions");
        for (int i = 1; i <= n; i++) {
            lua_geti(L, 2, i);
            int ok;
            shape[nd++] = (int64_t)lua_tointegerx(L, -1, &ok);
            if (!ok)
                return luaL_argerror(L, 2, lua_pushfstring(L, "size %d is not an integer", i));
            lua_pop(L, 1);
        }
    } else {
        for (int i = 2; i <= lua_gettop(L); i++) {
            luaL_argcheck(L, nd < SFEW_MAX_DIMS, i, "too many dimensions");
            shape[nd++] = (int64_t)luaL_checkinteger(L, i);
        }
        if (nd == 0)
            return luaL_typeerror(L, 2, "shape (a list of sizes)");
    }
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_reshape(t, nd, shape, slot, &e);
    if (st)
        return luaL_argerror(L, 2, e.msg);
    return 1;
}

/* narrow(dim, start, len): rows start..start+len-1 (1-based) of dimension 1, shared. */
static int t_narrow(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_Integer dim = luaL_checkinteger(L, 2);
    lua_Integer start = luaL_checkinteger(L, 3);
    lua_Integer len = luaL_checkinteger(L, 4);
    luaL_argcheck(L, dim == 1, 2, "only dimension 1 can be narrowed (views stay contiguous)");
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor cannot be narrowed");
    luaL_argcheck(L, start >= 1 && start <= t->shape[0] + 1, 3, "start out of range");
    luaL_argcheck(L, len >= 0 && start - 1 + len <= t->shape[0], 4, "length out of range");
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_narrow(t, start - 1, len, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* Row i (1-based) of the first dimension, without that dimension: a shared view. */
static void push_select(lua_State *L, sfew_tensor *t, lua_Integer i, int arg)
{
    luaL_argcheck(L, i >= 1 && i <= t->shape[0], arg, "index out of range");
    sfew_tensor *row = NULL;
    sfew_err e;
    sfew_status st = sfew_tensor_narrow(t, i - 1, 1, &row, &e);
    if (st)
        lsfew_error(L, st, &e);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    st = sfew_tensor_reshape(row, t->ndim - 1, t->shape + 1, slot, &e);
    sfew_tensor_free(row);
    if (st)
        lsfew_error(L, st, &e);
}

static int t_select(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor has no rows");
    push_select(L, t, luaL_checkinteger(L, 2), 2);
    return 1;
}

static int t_clone(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_clone(t, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* index(list): rows of dimension 1 picked by 1-based indices (list or tensor), copied. */
static int t_index(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->ndim >= 1, 1, "a scalar tensor has no rows");
    sfew_tensor *it = test_tensor(L, 2);
    lua_Integer n = it ? (lua_Integer)it->numel : (luaL_checktype(L, 2, LUA_TTABLE), luaL_len(L, 2));
    int64_t shape[SFEW_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = n;
    sfew_tensor *o = new_checked(L, t->ndim, shape);
    int64_t row = t->shape[0] ? t->numel / t->shape[0] : 0;
    for (lua_Integer i = 0; i < n; i++) {
        lua_Integer k;
        if (it) {
            k = (lua_Integer)it->data[i];
        } else {
            lua_geti(L, 2, i + 1);
            int ok;
            k = lua_tointegerx(L, -1, &ok);
            lua_pop(L, 1);
            if (!ok)
                return luaL_argerror(L, 2, lua_pushfstring(L, "index %I is not an integer", i + 1));
        }
        if (k < 1 || k > t->shape[0])
            return luaL_argerror(L, 2, lua_pushfstring(L, "index %I out of range 1..%I", k,
                                                       (lua_Integer)t->shape[0]));
        memcpy(o->data + i * row, t->data + (k - 1) * row, (size_t)row * sizeof(float));
    }
    return 1;
}

/* ---- element access ----------------------------------------------------------------- */

static int64_t offset_from_args(lua_State *L, sfew_tensor *t, int first, int count)
{
    int64_t idx[SFEW_MAX_DIMS];
    if (count != t->ndim)
        luaL_error(L, "bad argument #%d: %d indices for a %d-dimensional tensor", first, count,
                   t->ndim);
    for (int i = 0; i < count; i++) {
        lua_Integer k = luaL_checkinteger(L, first + i);
        if (k < 1 || k > t->shape[i])
            luaL_argerror(L, first + i,
                          lua_pushfstring(L, "index %I out of range 1..%I", k,
                                          (lua_Integer)t->shape[i]));
        idx[i] = k - 1;
    }
    return sfew_tensor_offset(t, count, idx, NULL);
}

static int t_get(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int64_t off = offset_from_args(L, t, 2, lua_gettop(L) - 1);
    lsfew_push_num(L, t->data[off]);
    return 1;
}

static int t_set(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    int top = lua_gettop(L);
    float v = (float)luaL_checknumber(L, top);
    int64_t off = offset_from_args(L, t, 2, top - 2);
    t->data[off] = v;
    lua_settop(L, 1);
    return 1;
}

static void push_nested(lua_State *L, const sfew_tensor *t, int depth, const float **p)
{
    if (t->ndim == 0) {
        lua_pushnumber(L, **p);
        return;
    }
    lua_createtable(L, (int)t->shape[depth], 0);
    for (int64_t i = 0; i < t->shape[depth]; i++) {
        if (depth + 1 == t->ndim)
            lua_pushnumber(L, *(*p)++);
        else
            push_nested(L, t, depth + 1, p);
        lua_rawseti(L, -2, i + 1);
    }
}

static int t_totable(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_checkstack(L, t->ndim + 4, "tensor too deep");
    const float *p = t->data;
    push_nested(L, t, 0, &p);
    return 1;
}

/* flat(): the values as one flat Lua list, row-major. */
static int t_flat(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_createtable(L, (int)t->numel, 0);
    for (int64_t i = 0; i < t->numel; i++) {
        lua_pushnumber(L, t->data[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int t_item(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    luaL_argcheck(L, t->numel == 1, 1, "item needs a tensor of exactly one element");
    lsfew_push_num(L, t->data[0]);
    return 1;
}

static int t_copy(lua_State *L)
{
    sfew_tensor *dst = check_tensor(L, 1);
    sfew_tensor *src = check_tensor(L, 2);
    if (dst->numel != src->numel)
        return luaL_argerror(L, 2, lua_pushfstring(L, "%I elements, destination has %I",
                                                   (lua_Integer)src->numel,
                                                   (lua_Integer)dst->numel));
    sfew_tensor_copy(dst, src, NULL);
    lua_settop(L, 1);
    return 1;
}

static int t_fill(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    sfew_tensor_fill(t, (float)luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int t_zero(lua_State *L)
{
    sfew_tensor_fill(check_tensor(L, 1), 0.0f);
    lua_settop(L, 1);
    return 1;
}

/* ---- arithmetic --------------------------------------------------------------------- */

static int arith(lua_State *L, sfew_binop op)
{
    sfew_tensor *a = test_tensor(L, 1), *b = test_tensor(L, 2);
    sfew_err e;
    sfew_status st;
    if (a && ((ltensor *)lua_touserdata(L, 1))->t == NULL)
        return luaL_argerror(L, 1, "tensor has been freed");
    if (a && b) {
        check_tensor(L, 2);
        sfew_tensor **slot = lsfew_tensor_slot(L);
        st = sfew_tensor_binary(op, a, b, slot, &e);
        if (st == SFEW_ESHAPE)
            return luaL_argerror(L, 2, e.msg);
    } else if (a) {
        if (!lua_isnumber(L, 2))
            return luaL_typeerror(L, 2, "tensor or number");
        float s = (float)lua_tonumber(L, 2);
        sfew_tensor **slot = lsfew_tensor_slot(L);
        st = sfew_tensor_scalar(op, a, s, 0, slot, &e);
    } else {
        b = check_tensor(L, 2);
        if (!lua_isnumber(L, 1))
            return luaL_typeerror(L, 1, "tensor or number");
        float s = (float)lua_tonumber(L, 1);
        sfew_tensor **slot = lsfew_tensor_slot(L);
        st = sfew_tensor_scalar(op, b, s, 1, slot, &e);
    }
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static int t_add(lua_State *L) { return arith(L, SFEW_ADD); }
static int t_sub(lua_State *L) { return arith(L, SFEW_SUB); }
static int t_mul(lua_State *L) { return arith(L, SFEW_MUL); }
static int t_div(lua_State *L) { return arith(L, SFEW_DIV); }

static int t_unm(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_scalar(SFEW_MUL, a, -1.0f, 0, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* In place: add_(x [, alpha]) adds alpha * x (a tensor of the same size) or a number. */
static int t_add_(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    if (lua_isnumber(L, 2)) {
        sfew_tensor_scalar_(SFEW_ADD, t, (float)lua_tonumber(L, 2));
    } else {
        sfew_tensor *x = check_tensor(L, 2);
        float alpha = (float)luaL_optnumber(L, 3, 1.0);
        luaL_argcheck(L, x->numel == t->numel, 2, "number of elements differs");
        sfew_tensor_axpy(t, alpha, x, NULL);
    }
    lua_settop(L, 1);
    return 1;
}

static int t_mul_(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    sfew_tensor_scalar_(SFEW_MUL, t, (float)luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int t_matmul(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1), *b = check_tensor(L, 2);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_matmul(a, b, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static int unary(lua_State *L, sfew_unop op, float p, float q)
{
    sfew_tensor *a = check_tensor(L, 1);
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_unary(op, a, p, q, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

static int t_sqrt(lua_State *L) { return unary(L, SFEW_SQRT, 0, 0); }
static int t_exp(lua_State *L) { return unary(L, SFEW_EXP, 0, 0); }
static int t_log(lua_State *L) { return unary(L, SFEW_LOG, 0, 0); }
static int t_abs(lua_State *L) { return unary(L, SFEW_ABS, 0, 0); }
static int t_pow(lua_State *L) { return unary(L, SFEW_POW, (float)luaL_checknumber(L, 2), 0); }

static int t_clamp(lua_State *L)
{
    lua_Number lo = luaL_checknumber(L, 2), hi = luaL_checknumber(L, 3);
    luaL_argcheck(L, lo <= hi, 3, "upper bound below lower bound");
    return unary(L, SFEW_CLAMP, (float)lo, (float)hi);
}

static int t_transpose(lua_State *L)
{
    sfew_tensor *a = check_tensor(L, 1);
    luaL_argcheck(L, a->ndim == 2, 1, "transpose needs a 2-D tensor");
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_transpose(a, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* cat{a, b, ...}: tensors stacked along dimension 1 (other sizes equal). */
static int t_cat(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    luaL_argcheck(L, n >= 1 && n <= (1 << 20), 1, "expected a non-empty list of tensors");
    const sfew_tensor **list = lua_newuserdatauv(L, sizeof(*list) * (size_t)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        list[i - 1] = test_tensor(L, -1);
        if (!list[i - 1])
            return luaL_argerror(L, 1, lua_pushfstring(L, "entry %I is not a tensor", i));
        lua_pop(L, 1); /* the list keeps it alive */
    }
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_err e;
    sfew_status st = sfew_tensor_cat(list, (int)n, slot, &e);
    if (st)
        return lsfew_error(L, st, &e);
    return 1;
}

/* ---- reductions --------------------------------------------------------------------- */

static int reduce_dim(lua_State *L, sfew_reduce op, int want_idx)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_Integer d = luaL_checkinteger(L, 2);
    luaL_argcheck(L, d >= 1 && d <= t->ndim, 2, "dimension out of range");
    sfew_tensor **vals = lsfew_tensor_slot(L);
    sfew_tensor **idx = want_idx ? lsfew_tensor_slot(L) : NULL;
    sfew_tensor *ix = NULL;
    sfew_err e;
    sfew_status st = sfew_tensor_reduce_dim(op, t, (int)d - 1, vals, want_idx ? &ix : NULL, &e);
    if (st)
        return lsfew_error(L, st, &e);
    if (want_idx) {
        for (int64_t i = 0; i < ix->numel; i++)
            ix->data[i] += 1.0f; /* 1-based positions for Lua */
        *idx = ix;
    }
    return want_idx ? 2 : 1;
}

static int t_sum(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_SUM, 0);
    lsfew_push_num(L, sfew_tensor_sum(check_tensor(L, 1)));
    return 1;
}

static int t_mean(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_MEAN, 0);
    sfew_tensor *t = check_tensor(L, 1);
    lsfew_push_num(L, t->numel ? sfew_tensor_sum(t) / (double)t->numel : NAN);
    return 1;
}

static int t_max(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_MAX, 1);
    lsfew_push_num(L, sfew_tensor_max(check_tensor(L, 1)));
    return 1;
}

static int t_min(lua_State *L)
{
    if (!lua_isnoneornil(L, 2))
        return reduce_dim(L, SFEW_RED_MIN, 1);
    lsfew_push_num(L, sfew_tensor_min(check_tensor(L, 1)));
    return 1;
}

/* argmax() -> flat 1-based index; argmax(dim) -> tensor of 1-based indices along dim. */
static int t_argmax(lua_State *L)
{
    if (lua_isnoneornil(L, 2)) {
        sfew_tensor *t = check_tensor(L, 1);
        luaL_argcheck(L, t->numel > 0, 1, "empty tensor");
        lua_pushinteger(L, (lua_Integer)sfew_tensor_argmax_all(t) + 1);
        return 1;
    }
    reduce_dim(L, SFEW_RED_MAX, 1);
    return 1;
}

static int t_all_finite(lua_State *L)
{
    lua_pushboolean(L, sfew_tensor_all_finite(check_tensor(L, 1)));
    return 1;
}

/* ---- metamethods -------------------------------------------------------------------- */

static int t_tostring(lua_State *L)
{
    ltensor *u = luaL_checkudata(L, 1, LSFEW_TENSOR);
    if (!u->t) {
        lua_pushliteral(L, "sfew.Tensor(freed)");
        return 1;
    }
    lsfew_tensor_format(L, u->t);
    return 1;
}

static int t_len(lua_State *L)
{
    sfew_tensor *t = check_tensor(L, 1);
    lua_pushinteger(L, t->ndim ? (lua_Integer)t->shape[0] : 1);
    return 1;
}

/* t.grad, methods, and t[i] (a number for 1-D, a row view otherwise). */
static int t_index_meta(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 1;
        if (strcmp(lua_tostring(L, 2), "grad") == 0) {
            lua_getiuservalue(L, 1, 1);
            return 1;
        }
        return 0;
    }
    if (lua_isinteger(L, 2)) {
        sfew_tensor *t = check_tensor(L, 1);
        lua_Integer i = lua_tointeger(L, 2);
        if (t->ndim == 1) {
            luaL_argcheck(L, i >= 1 && i <= t->shape[0], 2, "index out of range");
            lsfew_push_num(L, t->data[i - 1]);
            return 1;
        }
        luaL_argcheck(L, t->ndim > 1, 1, "a scalar tensor has no rows");
        push_select(L, t, i, 2);
        return 1;
    }
    return 0;
}

static int t_newindex_meta(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "grad") == 0) {
        if (!lua_isnil(L, 3)) {
            sfew_tensor *t = check_tensor(L, 1), *g = check_tensor(L, 3);
            luaL_argcheck(L, sfew_tensor_same_shape(t, g), 3,
                          "gradient must have the same shape as the tensor");
        }
        lua_pushvalue(L, 3);
        lua_setiuservalue(L, 1, 1);
        return 0;
    }
    if (lua_isinteger(L, 2)) {
        sfew_tensor *t = check_tensor(L, 1);
        lua_Integer i = lua_tointeger(L, 2);
        luaL_argcheck(L, t->ndim == 1, 2, "t[i] = v needs a 1-D tensor; use t:set(...)");
        luaL_argcheck(L, i >= 1 && i <= t->shape[0], 2, "index out of range");
        t->data[i - 1] = (float)luaL_checknumber(L, 3);
        return 0;
    }
    return luaL_error(L, "cannot set field '%s' of a tensor", luaL_tolstring(L, 2, NULL));
}

static const luaL_Reg tensor_methods[] = {
    {"shape", t_shape},     {"size", t_size},         {"dim", t_dim},
    {"numel", t_numel},     {"reshape", t_reshape},   {"view", t_reshape},
    {"narrow", t_narrow},   {"select", t_select},     {"index", t_index},
    {"clone", t_clone},     {"get", t_get},           {"set", t_set},
    {"totable", t_totable}, {"flat", t_flat},         {"item", t_item},
    {"copy", t_copy},       {"fill", t_fill},         {"zero", t_zero},
    {"add_", t_add_},       {"mul_", t_mul_},         {"matmul", t_matmul},
    {"sum", t_sum},         {"mean", t_mean},         {"max", t_max},
    {"min", t_min},         {"argmax", t_argmax},     {"all_finite", t_all_finite},
    {"sqrt", t_sqrt},       {"exp", t_exp},           {"log", t_log},
    {"abs", t_abs},         {"pow", t_pow},           {"clamp", t_clamp},
    {"t", t_transpose},     {"free", t_free},         {NULL, NULL}};

static const luaL_Reg tensor_meta[] = {
    {"__add", t_add},   {"__sub", t_sub},           {"__mul", t_mul},
    {"__div", t_div},   {"__unm", t_unm},           {"__len", t_len},
    {"__tostring", t_tostring}, {"__gc", t_free},   {"__close", t_free},
    {"__newindex", t_newindex_meta}, {NULL, NULL}};

static const luaL_Reg tensor_funcs[] = {
    {"new", t_new},     {"zeros", t_zeros}, {"ones", t_ones},       {"full", t_full},
    {"rand", t_rand},   {"randn", t_randn}, {"from", t_from},       {"is_tensor", t_is_tensor},
    {"matmul", t_matmul}, {"cat", t_cat}, {NULL, NULL}};

int luaopen_sfew_core_tensor(lua_State *L)
{
    luaL_newlib(L, tensor_funcs);
    if (luaL_newmetatable(L, LSFEW_TENSOR)) {
        luaL_setfuncs(L, tensor_meta, 0);
        luaL_newlib(L, tensor_methods);
        /* Pure-Lua code may add methods to this table (tensor.methods). */
        lua_pushvalue(L, -1);
        lua_setfield(L, -4, "methods");
        lua_pushcclosure(L, t_index_meta, 1);
        lua_setfield(L, -2, "__index");
    } else {
        lua_getfield(L, -1, "__index");
        lua_getupvalue(L, -1, 1);
        lua_setfield(L, -4, "methods");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 1;
}
