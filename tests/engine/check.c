/* Fixture reading and comparisons for the engine test program. */
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int check_failures;
static const char *fixture_dir;

void check_init(const char *dir) { fixture_dir = dir; }

void fx_load(lua_State *L, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    if (luaL_dofile(L, path) != LUA_OK) {
        fprintf(stderr, "cannot load %s: %s\n", path, lua_tostring(L, -1));
        exit(2);
    }
}

int fx_field(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    if (lua_isnil(L, -1)) {
        fprintf(stderr, "fixture has no field '%s'\n", key);
        exit(2);
    }
    return lua_gettop(L);
}

int fx_item(lua_State *L, int t, int i)
{
    lua_geti(L, t, i);
    return lua_gettop(L);
}

double fx_number(lua_State *L, int t, const char *key)
{
    fx_field(L, t, key);
    double v = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return v;
}

int fx_ints(lua_State *L, int t, const char *key, int64_t *out, int max)
{
    int f = fx_field(L, t, key), n = (int)luaL_len(L, f);
    for (int i = 0; i < n && i < max; i++) {
        lua_geti(L, f, i + 1);
        out[i] = (int64_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n < max ? n : max;
}

/* The tensor {shape, data} at the top of the stack (popped). */
static sfew_tensor *top_tensor(lua_State *L)
{
    int f = lua_gettop(L);
    int64_t shape[SFEW_MAX_DIMS];
    lua_getfield(L, f, "shape");
    int nd = (int)luaL_len(L, -1);
    for (int i = 0; i < nd; i++) {
        lua_geti(L, -1, i + 1);
        shape[i] = lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    sfew_tensor *t = NULL;
    if (sfew_tensor_new(nd, shape, &t, NULL)) {
        fprintf(stderr, "bad fixture tensor\n");
        exit(2);
    }
    lua_getfield(L, f, "data");
    for (int64_t i = 0; i < t->numel; i++) {
        lua_geti(L, -1, i + 1);
        t->data[i] = (float)lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return t;
}

sfew_tensor *fx_tensor(lua_State *L, int t, const char *key)
{
    if (key)
        fx_field(L, t, key);
    else
        lua_pushvalue(L, t);
    return top_tensor(L);
}

void check_close(const sfew_tensor *a, const sfew_tensor *b, double tol, const char *what)
{
    if (!sfew_tensor_same_shape(a, b)) {
        char x[96], y[96];
        fprintf(stderr, "FAIL %s: shape %s, expected %s\n", what,
                sfew_shape_str(a->ndim, a->shape, x, 96), sfew_shape_str(b->ndim, b->shape, y, 96));
        check_failures++;
        return;
    }
    double worst = 0.0;
    for (int64_t i = 0; i < a->numel; i++) {
        double d = fabs((double)a->data[i] - b->data[i]) / fmax(fabs((double)b->data[i]), 1.0);
        if (!(d <= worst))
            worst = d;
    }
    if (!(worst <= tol)) {
        fprintf(stderr, "FAIL %s: differs by %.3g (tolerance %.1g)\n", what, worst, tol);
        check_failures++;
    }
}

void check_close_num(double a, double b, double tol, const char *what)
{
    double d = fabs(a - b) / fmax(fabs(b), 1.0);
    if (!(d <= tol)) {
        fprintf(stderr, "FAIL %s: %.9g, expected %.9g\n", what, a, b);
        check_failures++;
    }
}

void check_true(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "FAIL %s\n", what);
        check_failures++;
    }
}

sfew_tensor *check_like(const sfew_tensor *t)
{
    sfew_tensor *r = NULL;
    if (sfew_tensor_new(t->ndim, t->shape, &r, NULL)) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return r;
}

static double objective(check_forward forward, void *layer, const sfew_tensor *x,
                        sfew_tensor *y, const sfew_tensor *r)
{
    forward(layer, x, y);
    double s = 0.0;
    for (int64_t i = 0; i < y->numel; i++)
        s += (double)y->data[i] * r->data[i];
    return s;
}

double check_fd_worst(check_forward forward, void *layer, const sfew_tensor *x,
                      sfew_tensor *y, const sfew_tensor *r, sfew_tensor *v,
                      const sfew_tensor *analytic)
{
    double worst = 0.0, h = 1e-2;
    for (int64_t i = 0; i < v->numel; i++) {
        float old = v->data[i];
        v->data[i] = old + (float)h;
        double fp = objective(forward, layer, x, y, r);
        v->data[i] = old - (float)h;
        double fm = objective(forward, layer, x, y, r);
        v->data[i] = old;
        double num = (fp - fm) / (2 * h), d = fabs(num - analytic->data[i]) / fmax(fabs(num), 1);
        worst = d > worst ? d : worst;
    }
    return worst;
}
