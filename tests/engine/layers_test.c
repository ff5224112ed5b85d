/* The engine's layers beyond the paper against PyTorch fixtures (1e-4 relative), with
 * finite-difference checks (step 1e-2, tolerance 1e-2) and Dropout's statistics.
 * Usage: engine_test FIXTURE_DIR; exits non-zero on any failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/layers/adaptive_avgpool2d.h"
#include "../../engine/layers/avgpool2d.h"
#include "../../engine/layers/batchnorm.h"
#include "../../engine/layers/dropout.h"
#include "../../engine/layers/elu.h"
#include "../../engine/layers/leaky_relu.h"
#include "../../engine/prune/prune.h"
#include "../../engine/rng.h"
#include "check.h"

#include <lualib.h>

#define TOL 1e-4

void optim_tests(lua_State *L);
void gradcheck_tests(void);

/* Compares forward and backward of a case table at index c, given the layer's outputs. */
static void check_case(lua_State *L, int c, const sfew_tensor *y, const sfew_tensor *gi,
                       const char *name)
{
    char what[128];
    sfew_tensor *ey = fx_tensor(L, c, "output"), *egi = fx_tensor(L, c, "grad_input");
    snprintf(what, sizeof what, "%s output", name);
    check_close(y, ey, TOL, what);
    snprintf(what, sizeof what, "%s grad_input", name);
    check_close(gi, egi, TOL, what);
    sfew_tensor_free(ey);
    sfew_tensor_free(egi);
}

/* One fixture case: its input and output gradient, and zero tensors of the input's shape
 * for the layer's output and input gradient. */
typedef struct io4 {
    sfew_tensor *x, *go, *y, *gi;
} io4;

static io4 case_open(lua_State *L, int c)
{
    io4 t = {fx_tensor(L, c, "input"), fx_tensor(L, c, "grad_output"), NULL, NULL};
    t.y = check_like(t.x);
    t.gi = check_like(t.x);
    return t;
}

static void case_free(io4 *t)
{
    sfew_tensor_free(t->x);
    sfew_tensor_free(t->go);
    sfew_tensor_free(t->y);
    sfew_tensor_free(t->gi);
}

static void check_bn_step(lua_State *L, sfew_batchnorm *bn, int s, const char *name)
{
    char what[128];
    io4 t = case_open(L, s);
    sfew_tensor *x = t.x, *go = t.go, *y = t.y, *gi = t.gi;
    sfew_tensor_fill(bn->grad_weight, 0.0f);
    sfew_tensor_fill(bn->grad_bias, 0.0f);
    check_true(!sfew_batchnorm_forward(bn, x, y, 2, NULL), "batchnorm forward");
    check_true(!sfew_batchnorm_backward(bn, x, go, gi, 2, NULL), "batchnorm backward");
    check_case(L, s, y, gi, name);
    const char *keys[] = {"grad_weight", "grad_bias", "running_mean", "running_var"};
    sfew_tensor *mine[] = {bn->grad_weight, bn->grad_bias, bn->running_mean, bn->running_var};
    for (int k = 0; k < 4; k++) {
        lua_getfield(L, s, keys[k]);
        int has = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (!has)
            continue;
        sfew_tensor *e = fx_tensor(L, s, keys[k]);
        snprintf(what, sizeof what, "%s %s", name, keys[k]);
        check_close(mine[k], e, TOL, what);
        sfew_tensor_free(e);
    }
    case_free(&t);
}

static void test_batchnorm(lua_State *L)
{
    const char *names[] = {"bn2d", "bn1d", "bn1d_3d"};
    fx_load(L, "batchnorm.lua");
    int top = lua_gettop(L);
    for (int i = 0; i < 3; i++) {
        int c = fx_field(L, top, names[i]);
        sfew_tensor *w = fx_tensor(L, c, "weight"), *b = fx_tensor(L, c, "bias");
        sfew_batchnorm *bn = NULL;
        check_true(!sfew_batchnorm_create(i == 0 ? 2 : 1, w->numel, fx_number(L, c, "eps"),
                                          fx_number(L, c, "momentum"), 1, &bn, NULL),
                   "batchnorm create");
        sfew_tensor_copy(bn->weight, w, NULL);
        sfew_tensor_copy(bn->bias, b, NULL);
        int tr = fx_field(L, c, "train");
        for (int k = 1; k <= 2; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s train step %d", names[i], k);
            check_bn_step(L, bn, fx_item(L, tr, k), name);
            lua_pop(L, 1);
        }
        check_true(bn->batches == 2, "batchnorm counts training batches");
        bn->training = 0;
        char name[64];
        snprintf(name, sizeof name, "%s eval", names[i]);
        check_bn_step(L, bn, fx_field(L, c, "eval"), name);
        sfew_batchnorm_free(bn);
        sfew_tensor_free(w);
        sfew_tensor_free(b);
        lua_settop(L, top);
    }
    lua_settop(L, top - 1);
}

static void bn_forward(void *bn, const sfew_tensor *x, sfew_tensor *y)
{
    sfew_batchnorm_forward(bn, x, y, 1, NULL);
}

static void test_batchnorm_gradcheck(void)
{
    sfew_rng rng;
    sfew_rng_seed(&rng, 5);
    sfew_batchnorm *bn = NULL;
    sfew_tensor *x = NULL, *r = NULL;
    sfew_batchnorm_create(2, 3, 1e-5, 0.1, 1, &bn, NULL);
    sfew_tensor_new4(4, 2, 3, 3, 4, &x, NULL);
    for (int64_t i = 0; i < x->numel; i++)
        x->data[i] = (float)sfew_rng_normal(&rng);
    for (int c = 0; c < 3; c++) {
        bn->weight->data[c] = (float)(0.5 + sfew_rng_uniform(&rng));
        bn->bias->data[c] = (float)sfew_rng_normal(&rng);
    }
    r = check_like(x);
    for (int64_t i = 0; i < r->numel; i++)
        r->data[i] = (float)sfew_rng_normal(&rng);
    sfew_tensor *y = check_like(x), *gi = check_like(x);
    for (int mode = 1; mode >= 0; mode--) {
        bn->training = mode;
        sfew_tensor_fill(bn->grad_weight, 0.0f);
        sfew_tensor_fill(bn->grad_bias, 0.0f);
        bn_forward(bn, x, y);
        sfew_batchnorm_backward(bn, x, r, gi, 1, NULL);
        check_true(check_fd_worst(bn_forward, bn, x, y, r, x, gi) <= 1e-2,
                   "batchnorm finite differences (input)");
        check_true(check_fd_worst(bn_forward, bn, x, y, r, bn->weight, bn->grad_weight) <= 1e-2,
                   "batchnorm finite differences (weight)");
        check_true(check_fd_worst(bn_forward, bn, x, y, r, bn->bias, bn->grad_bias) <= 1e-2,
                   "batchnorm finite differences (bias)");
    }
    sfew_tensor *one = NULL;
    sfew_tensor_new4(4, 1, 3, 1, 1, &one, NULL);
    bn->training = 1;
    check_true(sfew_batchnorm_forward(bn, one, y, 1, NULL) == SFEW_ESHAPE,
               "batchnorm refuses one value per channel in training");
    sfew_tensor_free(one);
    sfew_tensor_free(x);
    sfew_tensor_free(r);
    sfew_tensor_free(y);
    sfew_tensor_free(gi);
    sfew_batchnorm_free(bn);
}

/* Removing channel 1 of 3 (as pruning the convolution before would) leaves the other
 * channels' outputs as they were (evaluation mode: the running statistics move along). */
static void test_batchnorm_prune(void)
{
    sfew_rng rng;
    sfew_rng_seed(&rng, 8);
    sfew_batchnorm *bn = NULL;
    sfew_tensor *x = NULL, *x2 = NULL, *y = NULL, *y2 = NULL, *p[4] = {NULL};
    sfew_batchnorm_create(2, 3, 1e-5, 0.1, 1, &bn, NULL);
    sfew_tensor_new4(4, 2, 3, 4, 5, &x, NULL);
    sfew_tensor_new4(4, 2, 2, 4, 5, &x2, NULL);
    for (int64_t i = 0; i < x->numel; i++)
        x->data[i] = (float)sfew_rng_normal(&rng);
    for (int c = 0; c < 3; c++)
        bn->weight->data[c] = (float)(1 + c), bn->bias->data[c] = (float)c;
    for (int64_t i = 0; i < x2->numel; i++) { /* x without channel 1 */
        int64_t n = i / 40, c = i / 20 % 2, r = i % 20;
        x2->data[i] = x->data[n * 60 + (c ? 2 : 0) * 20 + r];
    }
    y = check_like(x);
    y2 = check_like(x2);
    for (int mode = 1; mode >= 0; mode--) {
        bn->training = mode;
        check_true(!sfew_batchnorm_forward(bn, x, y, 1, NULL), "batchnorm forward");
    }
    unsigned char drop[3] = {0, 1, 0};
    sfew_tensor *src[4] = {bn->weight, bn->bias, bn->running_mean, bn->running_var};
    for (int k = 0; k < 4; k++)
        sfew_prune_drop_rows(src[k], drop, &p[k], NULL);
    check_true(!sfew_batchnorm_set_params(bn, p[0], p[1], p[2], p[3], NULL),
               "batchnorm set_params");
    check_true(sfew_batchnorm_backward(bn, x2, x2, y2, 1, NULL) == SFEW_ESHAPE,
               "batchnorm backward after set_params needs a forward");
    check_true(!sfew_batchnorm_forward(bn, x2, y2, 1, NULL), "pruned batchnorm forward");
    int same = 1;
    for (int64_t i = 0; i < x2->numel; i++) {
        int64_t n = i / 40, c = i / 20 % 2, r = i % 20;
        same &= fabsf(y2->data[i] - y->data[n * 60 + (c ? 2 : 0) * 20 + r]) < 1e-6f;
    }
    check_true(same && bn->c == 2 && bn->grad_weight->numel == 2,
               "batchnorm keeps the other channels when one is removed");
    check_true(sfew_batchnorm_set_params(bn, NULL, NULL, p[2], p[3], NULL) == SFEW_EINVAL,
               "batchnorm set_params refuses to drop the affine part");
    for (int k = 0; k < 4; k++)
        sfew_tensor_free(p[k]);
    sfew_tensor_free(x);
    sfew_tensor_free(x2);
    sfew_tensor_free(y);
    sfew_tensor_free(y2);
    sfew_batchnorm_free(bn);
}

static void test_pools(lua_State *L)
{
    const char *avg[] = {"avg_k2", "avg_k3_s2_p1", "avg_k3_s2_p1_nopad", "avg_k3_s1"};
    const char *ada[] = {"adaptive_3x4", "adaptive_global", "adaptive_overlap", "adaptive_up"};
    fx_load(L, "avgpool2d.lua");
    int top = lua_gettop(L);
    for (int i = 0; i < 8; i++) {
        const char *name = i < 4 ? avg[i] : ada[i - 4];
        int c = fx_field(L, top, name);
        io4 t = case_open(L, c);
        sfew_tensor *x = t.x, *go = t.go, *y = t.y, *gi = t.gi;
        for (int threads = 1; threads <= 2; threads++) {
            if (i < 4) {
                lua_getfield(L, c, "count_include_pad");
                int cip = lua_toboolean(L, -1);
                lua_pop(L, 1);
                sfew_avgpool2d *l = NULL;
                check_true(!sfew_avgpool2d_create((int64_t)fx_number(L, c, "kernel"),
                                                  (int64_t)fx_number(L, c, "stride"),
                                                  (int64_t)fx_number(L, c, "padding"), cip, &l,
                                                  NULL), "avgpool2d create");
                check_true(!sfew_avgpool2d_forward(l, x, y, threads, NULL), "avgpool forward");
                check_true(!sfew_avgpool2d_backward(l, x, go, gi, threads, NULL),
                           "avgpool backward");
                sfew_avgpool2d_free(l);
            } else {
                int64_t size[2];
                fx_ints(L, c, "output_size", size, 2);
                sfew_adaptive_avgpool2d *l = NULL;
                check_true(!sfew_adaptive_avgpool2d_create(size[0], size[1], &l, NULL),
                           "adaptive create");
                check_true(!sfew_adaptive_avgpool2d_forward(l, x, y, threads, NULL),
                           "adaptive forward");
                check_true(!sfew_adaptive_avgpool2d_backward(l, x, go, gi, threads, NULL),
                           "adaptive backward");
                sfew_adaptive_avgpool2d_free(l);
            }
            check_case(L, c, y, gi, name);
        }
        case_free(&t);
        lua_settop(L, top);
    }
    lua_settop(L, top - 1);
    sfew_avgpool2d *l = NULL;
    check_true(sfew_avgpool2d_create(3, 1, 2, 1, &l, NULL) == SFEW_EINVAL,
               "avgpool2d refuses padding above half the kernel");
}

static void test_activations(lua_State *L)
{
    const char *names[] = {"leaky_relu", "leaky_relu_02", "elu", "elu_05"};
    fx_load(L, "activations_more.lua");
    int top = lua_gettop(L);
    for (int i = 0; i < 4; i++) {
        int c = fx_field(L, top, names[i]);
        io4 t = case_open(L, c);
        sfew_tensor *x = t.x, *go = t.go, *y = t.y, *gi = t.gi;
        if (i < 2) {
            double s = fx_number(L, c, "negative_slope");
            check_true(!sfew_leaky_relu_forward(x, y, s, 1, NULL), "leaky_relu forward");
            check_true(!sfew_leaky_relu_backward(x, go, gi, s, 1, NULL), "leaky_relu backward");
        } else {
            double a = fx_number(L, c, "alpha");
            check_true(!sfew_elu_forward(x, y, a, 1, NULL), "elu forward");
            check_true(!sfew_elu_backward(x, go, gi, a, 1, NULL), "elu backward");
        }
        check_case(L, c, y, gi, names[i]);
        case_free(&t);
        lua_settop(L, top);
    }
    lua_settop(L, top - 1);
}

/* Dropout: the kept fraction is 1 - p within 4 standard deviations, survivors scaled by
 * 1 / (1 - p), backward applies the same mask, evaluation is the identity, and the same
 * seed gives the same mask. Dropout2d zeroes whole planes. */
static void test_dropout(void)
{
    sfew_rng rng;
    sfew_tensor *x = NULL, *y = NULL, *gi = NULL, *y2 = NULL;
    sfew_tensor_new4(4, 8, 16, 10, 10, &x, NULL);
    sfew_tensor_fill(x, 2.0f);
    y = check_like(x);
    gi = check_like(x);
    y2 = check_like(x);
    for (int planes = 0; planes <= 1; planes++) {
        sfew_dropout *d = NULL;
        double p = 0.3;
        check_true(!sfew_dropout_create(p, planes, &d, NULL), "dropout create");
        sfew_rng_seed(&rng, 3);
        check_true(!sfew_dropout_forward(d, x, y, &rng, NULL), "dropout forward");
        int64_t kept = 0, bad = 0, n = planes ? 8 * 16 : x->numel;
        for (int64_t i = 0; i < x->numel; i++) {
            int64_t first = planes ? i / 100 * 100 : i;
            kept += y->data[i] != 0.0f && (!planes || i == first);
            bad += y->data[i] != 0.0f && fabsf(y->data[i] - 2.0f / 0.7f) > 1e-5f;
            bad += planes && (y->data[i] == 0.0f) != (y->data[first] == 0.0f);
        }
        double sd = sqrt(n * p * (1 - p));
        check_true(fabs((double)kept - n * (1 - p)) <= 4 * sd, "dropout keeps 1 - p");
        check_true(bad == 0, "dropout scales survivors by 1 / (1 - p), whole planes in 2d");
        sfew_dropout_backward(d, x, x, gi, NULL);
        check_true(memcmp(gi->data, y->data, (size_t)x->numel * 4) == 0,
                   "dropout backward applies the forward's mask");
        sfew_rng_seed(&rng, 3);
        sfew_dropout_forward(d, x, y2, &rng, NULL);
        check_true(memcmp(y2->data, y->data, (size_t)x->numel * 4) == 0,
                   "dropout: same seed, same mask");
        d->training = 0;
        check_true(!sfew_dropout_forward(d, x, y, NULL, NULL), "dropout eval forward");
        sfew_dropout_backward(d, x, x, gi, NULL);
        check_true(memcmp(y->data, x->data, (size_t)x->numel * 4) == 0
                   && memcmp(gi->data, x->data, (size_t)x->numel * 4) == 0,
                   "dropout is the identity in evaluation");
        sfew_dropout_free(d);
    }
    sfew_dropout *d = NULL;
    sfew_dropout_create(1.0, 0, &d, NULL);
    sfew_dropout_forward(d, x, y, &rng, NULL);
    int zeros = 1;
    for (int64_t i = 0; i < y->numel; i++)
        zeros &= y->data[i] == 0.0f;
    check_true(zeros, "dropout with p = 1 gives zeros");
    sfew_dropout_free(d);
    check_true(sfew_dropout_create(1.5, 0, &d, NULL) == SFEW_EINVAL, "dropout refuses p > 1");
    sfew_tensor_free(x);
    sfew_tensor_free(y);
    sfew_tensor_free(y2);
    sfew_tensor_free(gi);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    check_init(argv[1]);
    lua_State *L = luaL_newstate();
    if (!L)
        return 2;
    luaL_openlibs(L);
    test_batchnorm(L);
    test_batchnorm_gradcheck();
    test_batchnorm_prune();
    test_pools(L);
    test_activations(L);
    test_dropout();
    gradcheck_tests();
    optim_tests(L);
    lua_close(L);
    if (check_failures) {
        fprintf(stderr, "engine tests: %d failed\n", check_failures);
        return 1;
    }
    printf("engine tests: all passed\n");
    return 0;
}
