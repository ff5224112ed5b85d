/* BatchNorm2d, BatchNorm1d, Dropout and Dropout2d for sfew.core.nn: constructors,
 * forward/backward in the module's mode (m:train() / m:evaluate()), BatchNorm's running
 * statistics (named_buffers, saved with the parameters) and set_params for pruning. */
#include "l_nn.h"

static sfew_batchnorm *check_bn(lua_State *L, int i)
{
    lmodule *m = lnn_check(L, i);
    if (m->kind != LNN_BATCHNORM2D && m->kind != LNN_BATCHNORM1D)
        luaL_typeerror(L, i, "sfew.BatchNorm2d or sfew.BatchNorm1d");
    sfew_batchnorm *l = m->l;
    l->training = m->training;
    return l;
}

static sfew_dropout *check_drop(lua_State *L, int i)
{
    lmodule *m = lnn_check(L, i);
    if (m->kind != LNN_DROPOUT && m->kind != LNN_DROPOUT2D)
        luaL_typeerror(L, i, "sfew.Dropout or sfew.Dropout2d");
    sfew_dropout *l = m->l;
    l->training = m->training;
    return l;
}

/* BatchNorm2d(C [, {eps = 1e-5, momentum = 0.1, affine = true}]), BatchNorm1d alike. */
static int batchnorm_new(lua_State *L, int dims)
{
    lua_Integer c = luaL_checkinteger(L, 1);
    luaL_argcheck(L, c >= 1 && c <= INT32_MAX, 1, "channel count must be positive");
    static const char *const keys[] = {"eps", "momentum", "affine", NULL};
    lnn_pin_options(L, 2, keys);
    double eps = lsfew_opt_number(L, 2, "eps", 1e-5);
    double momentum = lsfew_opt_number(L, 2, "momentum", 0.1);
    int affine = lsfew_opt_boolean(L, 2, "affine", 1);
    lmodule *m = lnn_push(L, dims == 2 ? LNN_BATCHNORM2D : LNN_BATCHNORM1D);
    sfew_err e;
    sfew_batchnorm *l = NULL;
    sfew_status st = sfew_batchnorm_create(dims, c, eps, momentum, affine, &l, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    m->l = l;
    if (affine)
        lnn_set_param_views(L, -1, l->weight, l->grad_weight, l->bias, l->grad_bias);
    return 1;
}

int lnn_batchnorm2d(lua_State *L) { return batchnorm_new(L, 2); }
int lnn_batchnorm1d(lua_State *L) { return batchnorm_new(L, 1); }

/* Dropout(p [, {rng = default generator}]), Dropout2d alike. The generator is kept in the
 * module; without one each training forward draws from the current default. */
static int dropout_new(lua_State *L, int planes)
{
    double p = luaL_checknumber(L, 1);
    static const char *const keys[] = {"rng", NULL};
    lnn_pin_options(L, 2, keys);
    int has_rng = !lua_isnoneornil(L, 2) && lua_getfield(L, 2, "rng") != LUA_TNIL;
    if (has_rng && !luaL_testudata(L, -1, LSFEW_RNG))
        return luaL_argerror(L, 2, lua_pushfstring(L, "option 'rng' must be an sfew.Rng, "
                             "got %s", luaL_typename(L, -1)));
    lmodule *m = lnn_push(L, planes ? LNN_DROPOUT2D : LNN_DROPOUT);
    sfew_err e;
    sfew_dropout *l = NULL;
    sfew_status st = sfew_dropout_create(p, planes, &l, &e);
    if (st)
        return lnn_error(L, 1, st, &e);
    m->l = l;
    if (has_rng) {
        lua_pushvalue(L, -2);
        lua_setiuservalue(L, -2, LNN_EXTRA);
    }
    return 1;
}

int lnn_dropout(lua_State *L) { return dropout_new(L, 0); }
int lnn_dropout2d(lua_State *L) { return dropout_new(L, 1); }

void lnn_more_free(lmodule *m)
{
    switch (m->kind) {
    case LNN_BATCHNORM2D:
    case LNN_BATCHNORM1D: sfew_batchnorm_free(m->l); break;
    case LNN_DROPOUT:
    case LNN_DROPOUT2D: sfew_dropout_free(m->l); break;
    case LNN_AVGPOOL2D: sfew_avgpool2d_free(m->l); break;
    case LNN_ADAPTIVE_AVGPOOL2D: sfew_adaptive_avgpool2d_free(m->l); break;
    default: break;
    }
    m->l = NULL;
}

/* ---- forward / backward ----------------------------------------------------------- */

static int bn_forward(lua_State *L)
{
    sfew_batchnorm *l = check_bn(L, 1);
    sfew_tensor *x = check_tensor(L, 2);
    sfew_err e;
    sfew_status st = sfew_batchnorm_check(l, x, &e);
    if (st || (st = sfew_batchnorm_forward(l, x, lnn_result(L, 1, LNN_OUTPUT, x, NULL),
                                           lsfew_threads(L), &e)))
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int bn_backward(lua_State *L)
{
    sfew_batchnorm *l = check_bn(L, 1);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_batchnorm_check(l, x, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_batchnorm_backward(l, x, g, lnn_result(L, 1, LNN_GRAD_INPUT, x, g),
                                      lsfew_threads(L), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

/* Pushes a new view of t (sharing its storage). */
static void push_view(lua_State *L, sfew_tensor *t)
{
    sfew_err e;
    sfew_tensor **slot = lsfew_tensor_slot(L);
    sfew_status st = sfew_tensor_reshape(t, t->ndim, t->shape, slot, &e);
    if (st)
        lsfew_error(L, st, &e);
}

/* bn:named_buffers() -> {{name = "running_mean", tensor = view}, {name = "running_var", ...}}:
 * the state that is saved but not trained (the views write through to the layer). */
static int bn_named_buffers(lua_State *L)
{
    sfew_batchnorm *l = check_bn(L, 1);
    sfew_tensor *t[2] = {l->running_mean, l->running_var};
    const char *names[2] = {"running_mean", "running_var"};
    lua_createtable(L, 2, 0);
    for (int i = 0; i < 2; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, names[i]);
        lua_setfield(L, -2, "name");
        push_view(L, t[i]);
        lua_setfield(L, -2, "tensor");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* bn:set_params(weight, bias, running_mean, running_var): copies them in (weight and bias
 * nil without affine); bn.weight/.bias become new tensors. For pruning channels. */
static int bn_set_params(lua_State *L)
{
    sfew_batchnorm *l = check_bn(L, 1);
    sfew_tensor *w = lua_isnoneornil(L, 2) ? NULL : check_tensor(L, 2);
    sfew_tensor *b = lua_isnoneornil(L, 3) ? NULL : check_tensor(L, 3);
    sfew_tensor *rm = check_tensor(L, 4), *rv = check_tensor(L, 5);
    sfew_err e;
    sfew_status st = sfew_batchnorm_set_params(l, w, b, rm, rv, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if (l->weight)
        lnn_set_param_views(L, 1, l->weight, l->grad_weight, l->bias, l->grad_bias);
    lua_settop(L, 1);
    return 1;
}

static int drop_forward(lua_State *L)
{
    sfew_dropout *l = check_drop(L, 1);
    sfew_tensor *x = check_tensor(L, 2);
    lua_settop(L, 2);
    sfew_rng *rng;
    if (lua_getiuservalue(L, 1, LNN_EXTRA) == LUA_TNIL)
        rng = lsfew_opt_rng(L, 3); /* nil: the current default, kept by the registry */
    else
        rng = check_rng(L, 3);     /* kept by the module */
    sfew_err e;
    sfew_status st = sfew_dropout_check(l, x, &e);
    if (st || (st = sfew_dropout_forward(l, x, lnn_result(L, 1, LNN_OUTPUT, x, NULL), rng, &e)))
        return lnn_error(L, 2, st, &e);
    return 1;
}

static int drop_backward(lua_State *L)
{
    sfew_dropout *l = check_drop(L, 1);
    sfew_tensor *x = check_tensor(L, 2), *g = check_tensor(L, 3);
    sfew_err e;
    sfew_status st = sfew_dropout_check(l, x, &e);
    if (st)
        return lnn_error(L, 2, st, &e);
    if ((st = sfew_dropout_backward(l, x, g, lnn_result(L, 1, LNN_GRAD_INPUT, x, g), &e)))
        return lnn_error(L, 3, st, &e);
    return 1;
}

const luaL_Reg lnn_batchnorm_methods[] = {
    {"forward", bn_forward}, {"backward", bn_backward}, {"set_params", bn_set_params},
    {"named_buffers", bn_named_buffers}, {NULL, NULL}};
const luaL_Reg lnn_dropout_methods[] = {
    {"forward", drop_forward}, {"backward", drop_backward}, {NULL, NULL}};
