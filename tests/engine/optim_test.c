/* AdamW, clipping by total norm and cross-entropy with weights and label smoothing against
 * PyTorch fixtures (1e-4 relative). */
#include <stdio.h>

#include "../../engine/layers/cross_entropy.h"
#include "../../engine/optim/adam.h"
#include "../../engine/optim/clip.h"
#include "check.h"

#define TOL 1e-4

void optim_tests(lua_State *L);

static void test_adamw(lua_State *L, int top, const char *name)
{
    int c = fx_field(L, top, name), h = fx_field(L, c, "hyper");
    sfew_adam_opts o = sfew_adamw_defaults();
    o.lr = fx_number(L, h, "lr");
    o.eps = fx_number(L, h, "eps");
    o.weight_decay = fx_number(L, h, "weight_decay");
    int b = fx_field(L, h, "betas");
    lua_geti(L, b, 1);
    lua_geti(L, b, 2);
    o.beta1 = lua_tonumber(L, -2);
    o.beta2 = lua_tonumber(L, -1);
    sfew_tensor *p = fx_tensor(L, top, "start");
    sfew_adam *a = NULL;
    check_true(!sfew_adam_create(1, (const sfew_tensor *const *)&p, &o, &a, NULL), "adamw");
    int grads = fx_field(L, top, "grads"), after = fx_field(L, c, "params_after");
    for (int k = 1; k <= (int)luaL_len(L, grads); k++) {
        fx_item(L, grads, k);
        sfew_tensor *g = fx_tensor(L, lua_gettop(L), NULL);
        fx_item(L, after, k);
        sfew_tensor *e = fx_tensor(L, lua_gettop(L), NULL);
        lua_pop(L, 2);
        check_true(!sfew_adam_step(a, &p, (const sfew_tensor *const *)&g, NULL), "adamw step");
        char what[64];
        snprintf(what, sizeof what, "%s step %d", name, k);
        check_close(p, e, TOL, what);
        sfew_tensor_free(g);
        sfew_tensor_free(e);
    }
    sfew_adam_free(a);
    sfew_tensor_free(p);
    lua_settop(L, top);
}

static void test_clip(lua_State *L, int top, const char *name)
{
    int c = fx_field(L, top, name), gl = fx_field(L, c, "grads");
    int al = fx_field(L, c, "grads_after");
    sfew_tensor *g[3], *e[3];
    for (int i = 0; i < 3; i++) {
        fx_item(L, gl, i + 1);
        g[i] = fx_tensor(L, lua_gettop(L), NULL);
        fx_item(L, al, i + 1);
        e[i] = fx_tensor(L, lua_gettop(L), NULL);
        lua_pop(L, 2);
    }
    double total = 0;
    check_true(!sfew_clip_grad_norm(3, g, fx_number(L, c, "max_norm"), &total, NULL), "clip");
    check_close_num(total, fx_number(L, c, "total_norm"), TOL, "clip total norm");
    for (int i = 0; i < 3; i++) {
        check_close(g[i], e[i], TOL, name);
        sfew_tensor_free(g[i]);
        sfew_tensor_free(e[i]);
    }
    lua_settop(L, top);
}

static void test_cross_entropy(lua_State *L, int top, const char *name)
{
    int c = fx_field(L, top, name);
    int64_t target[16];
    int n = fx_ints(L, c, "target0", target, 16);
    sfew_tensor *x = fx_tensor(L, c, "input"), *eg = fx_tensor(L, c, "grad_input");
    sfew_tensor *w = NULL, *g = check_like(x);
    lua_getfield(L, c, "weight");
    int has_w = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (has_w)
        w = fx_tensor(L, c, "weight");
    sfew_cross_entropy_opts o = {w, fx_number(L, c, "label_smoothing")};
    double loss = 0;
    check_true(!sfew_cross_entropy_forward_opts(x, target, n, &o, &loss, NULL), "ce forward");
    check_true(!sfew_cross_entropy_backward_opts(x, target, n, &o, g, NULL), "ce backward");
    char what[64];
    snprintf(what, sizeof what, "cross-entropy %s loss", name);
    check_close_num(loss, fx_number(L, c, "loss"), TOL, what);
    snprintf(what, sizeof what, "cross-entropy %s grad_input", name);
    check_close(g, eg, TOL, what);
    o.label_smoothing = 1.5;
    check_true(sfew_cross_entropy_forward_opts(x, target, n, &o, &loss, NULL) == SFEW_EINVAL,
               "cross-entropy refuses label_smoothing > 1");
    sfew_tensor_free(x);
    sfew_tensor_free(eg);
    sfew_tensor_free(w);
    sfew_tensor_free(g);
    lua_settop(L, top);
}

void optim_tests(lua_State *L)
{
    fx_load(L, "optim_more.lua");
    int top = lua_gettop(L);
    test_adamw(L, top, "adamw");
    test_adamw(L, top, "adamw_big");
    test_clip(L, top, "clip");
    test_clip(L, top, "clip_none");
    lua_settop(L, top - 1);
    fx_load(L, "losses_more.lua");
    top = lua_gettop(L);
    test_cross_entropy(L, top, "smooth");
    test_cross_entropy(L, top, "weight");
    test_cross_entropy(L, top, "weight_smooth");
    lua_settop(L, top - 1);
}
