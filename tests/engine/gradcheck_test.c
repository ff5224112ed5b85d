/* Finite-difference checks of the input gradients of the pooling layers, LeakyReLU, ELU and
 * Dropout (step 1e-2, tolerance 1e-2 on max(|numeric|, 1)-scaled differences), on inputs
 * kept at least 0.1 away from the activations' kink at 0. */
#include <stdio.h>

#include "../../engine/layers/adaptive_avgpool2d.h"
#include "../../engine/layers/avgpool2d.h"
#include "../../engine/layers/dropout.h"
#include "../../engine/layers/elu.h"
#include "../../engine/layers/leaky_relu.h"
#include "../../engine/rng.h"
#include "check.h"

void gradcheck_tests(void);

typedef struct layer {
    int kind; /* 0 avgpool, 1 adaptive, 2 leaky, 3 elu, 4 dropout */
    sfew_avgpool2d *avg;
    sfew_adaptive_avgpool2d *ada;
    sfew_dropout *drop;
    double a;
} layer;

static void forward(void *layer_, const sfew_tensor *x, sfew_tensor *y)
{
    layer *l = layer_;
    sfew_rng r;
    sfew_rng_seed(&r, 9); /* the same mask on every call */
    switch (l->kind) {
    case 0: sfew_avgpool2d_forward(l->avg, x, y, 1, NULL); break;
    case 1: sfew_adaptive_avgpool2d_forward(l->ada, x, y, 1, NULL); break;
    case 2: sfew_leaky_relu_forward(x, y, l->a, 1, NULL); break;
    case 3: sfew_elu_forward(x, y, l->a, 1, NULL); break;
    default: sfew_dropout_forward(l->drop, x, y, &r, NULL); break;
    }
}

static void backward(layer *l, const sfew_tensor *x, const sfew_tensor *g, sfew_tensor *gi)
{
    switch (l->kind) {
    case 0: sfew_avgpool2d_backward(l->avg, x, g, gi, 1, NULL); break;
    case 1: sfew_adaptive_avgpool2d_backward(l->ada, x, g, gi, 1, NULL); break;
    case 2: sfew_leaky_relu_backward(x, g, gi, l->a, 1, NULL); break;
    case 3: sfew_elu_backward(x, g, gi, l->a, 1, NULL); break;
    default: sfew_dropout_backward(l->drop, x, g, gi, NULL); break;
    }
}


static void fd_check(layer *l, const char *name)
{
    sfew_rng rng;
    sfew_rng_seed(&rng, 21);
    sfew_tensor *x = NULL, *y = NULL, *r = NULL, *gi = NULL;
    sfew_tensor_new4(4, 2, 2, 7, 9, &x, NULL);
    for (int64_t i = 0; i < x->numel; i++) {
        double v = sfew_rng_normal(&rng);
        x->data[i] = (float)(v < 0 ? v - 0.1 : v + 0.1);
    }
    y = check_like(x);
    gi = check_like(x);
    forward(l, x, y);
    r = check_like(y);
    for (int64_t i = 0; i < r->numel; i++)
        r->data[i] = (float)sfew_rng_normal(&rng);
    forward(l, x, y);
    backward(l, x, r, gi);
    double worst = check_fd_worst(forward, l, x, y, r, x, gi);
    char what[96];
    snprintf(what, sizeof what, "%s finite differences (input): %.3g", name, worst);
    check_true(worst <= 1e-2, what);
    sfew_tensor_free(x);
    sfew_tensor_free(y);
    sfew_tensor_free(r);
    sfew_tensor_free(gi);
}

void gradcheck_tests(void)
{
    layer l = {0};
    sfew_avgpool2d_create(3, 2, 1, 1, &l.avg, NULL);
    fd_check(&l, "AvgPool2d");
    l.avg->count_include_pad = 0;
    fd_check(&l, "AvgPool2d without padding in the count");
    sfew_avgpool2d_free(l.avg);
    l.kind = 1;
    sfew_adaptive_avgpool2d_create(3, 4, &l.ada, NULL);
    fd_check(&l, "AdaptiveAvgPool2d");
    sfew_adaptive_avgpool2d_free(l.ada);
    l.kind = 2;
    l.a = 0.2;
    fd_check(&l, "LeakyReLU");
    l.kind = 3;
    l.a = 0.7;
    fd_check(&l, "ELU");
    l.kind = 4;
    for (int planes = 0; planes <= 1; planes++) {
        sfew_dropout_create(0.4, planes, &l.drop, NULL);
        fd_check(&l, planes ? "Dropout2d" : "Dropout");
        sfew_dropout_free(l.drop);
    }
}
