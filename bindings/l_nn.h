/* Shared by the files of sfew.core.nn (l_nn.c: the module type and its generic methods;
 * l_nn_act.c: activations and Flatten; l_nn_layers.c: Linear, Conv2d, MaxPool2d;
 * l_nn_loss.c: criteria; l_nn_norm.c: BatchNorm and Dropout; l_nn_pool.c: average pooling,
 * LeakyReLU and ELU). Internal to those files. */
#ifndef LSFEW_NN_H
#define LSFEW_NN_H

#include "lsfew.h"

typedef enum {
    LNN_LINEAR, LNN_CONV2D, LNN_MAXPOOL2D, LNN_RELU, LNN_SIGMOID, LNN_TANH, LNN_FLATTEN,
    LNN_CROSS_ENTROPY, LNN_MSE, LNN_BATCHNORM2D, LNN_BATCHNORM1D, LNN_DROPOUT, LNN_DROPOUT2D,
    LNN_AVGPOOL2D, LNN_ADAPTIVE_AVGPOOL2D, LNN_LEAKY_RELU, LNN_ELU, LNN_KINDS
} lnn_kind;

/* The kinds from LNN_BATCHNORM2D on are made by constructors in l_nn_norm.c and
 * l_nn_pool.c, which own their engine layers (lnn_more_free). */
#define LNN_FIRST_MORE LNN_BATCHNORM2D
/* Kinds whose engine layer must exist (l is not NULL). */
#define lnn_has_layer(k) \
    ((k) <= LNN_MAXPOOL2D || ((k) >= LNN_BATCHNORM2D && (k) <= LNN_ADAPTIVE_AVGPOOL2D))

/* User values of a module userdata. WEIGHT and BIAS (or nil) are views of the layer's
 * parameters: the same Lua objects every time, refreshed when set_params replaces the
 * parameters. OUTPUT and GRAD_INPUT are the results the module owns, as Torch7's
 * module.output and module.gradInput: forward and backward resize and overwrite them and
 * return the same tensor object each call, so a result is valid until that module's next
 * forward (or backward) call, or until clear(). */
/* EXTRA holds what a kind keeps besides: a Dropout's generator, a CrossEntropyLoss's class
 * weights. */
enum { LNN_WEIGHT = 1, LNN_BIAS, LNN_OUTPUT, LNN_GRAD_INPUT, LNN_EXTRA, LNN_NUV = LNN_EXTRA };

/* Module userdata. */
typedef struct lmodule {
    lnn_kind kind;
    int training;
    void *l; /* the engine layer (NULL for stateless kinds and before creation) */
    double arg; /* LeakyReLU's slope, ELU's alpha, CrossEntropyLoss's label smoothing */
} lmodule;

/* Metatable names, "sfew.Linear", ..., and type names, "Linear", ..., by kind. */
extern const char *const lnn_meta[LNN_KINDS];
extern const char *const lnn_type[LNN_KINDS];

/* The module at index i (any kind; raises "bad argument #i" otherwise). */
lmodule *lnn_check(lua_State *L, int i);
/* The module at index i, which must be of kind k. */
lmodule *lnn_check_kind(lua_State *L, int i, lnn_kind k);
/* Pushes a new module userdata of kind k with its metatable; l starts NULL. */
lmodule *lnn_push(lua_State *L, lnn_kind k);
/* Pushes an empty tensor for an engine call to resize and fill; returns it. */
sfew_tensor *lnn_push_empty(lua_State *L);
/* The result the module at index i owns in user value uv (LNN_OUTPUT or LNN_GRAD_INPUT),
 * for an engine call to resize and overwrite; pushes it and returns it. A new one is made
 * on first use, after the caller freed it, or when it shares storage with an argument a
 * or b (b may be NULL), since the engine cannot write over its own input. */
sfew_tensor *lnn_result(lua_State *L, int i, int uv, const sfew_tensor *a, const sfew_tensor *b);
/* Stores t (a new view the caller owns) as the module at index i's result in user value
 * uv, reusing the Lua object already there; pushes it. Flatten's results are views. */
void lnn_result_view(lua_State *L, int i, int uv, sfew_tensor *t);
/* Stores fresh Lua views of weight/bias (bias may be NULL) and their gradients in the
 * module at index i's user values. */
void lnn_set_param_views(lua_State *L, int i, sfew_tensor *w, sfew_tensor *gw, sfew_tensor *b,
                         sfew_tensor *gb);
/* Replaces the options table at index i (if any) by a plain copy of its fields keys
 * (NULL-terminated; any other key raises naming it, see lsfew_check_options), read
 * once: an __index that makes a value (a generator) cannot let it be collected before
 * the engine uses it, and runs no more Lua code after. */
void lnn_pin_options(lua_State *L, int i, const char *const *keys);
/* Raises for a failed engine call: "bad argument #arg" with the engine message for shape
 * and value errors, the plain message otherwise. */
int lnn_error(lua_State *L, int arg, sfew_status st, const sfew_err *e);

/* Activations and Flatten (l_nn_act.c). */
int lnn_simple(lua_State *L);
extern const luaL_Reg lnn_act_methods[];
extern const luaL_Reg lnn_relu_methods[];
extern const luaL_Reg lnn_flatten_methods[];
/* Constructors and kind-specific methods (l_nn_layers.c). */
int lnn_linear(lua_State *L);
int lnn_conv2d(lua_State *L);
int lnn_maxpool2d(lua_State *L);
extern const luaL_Reg lnn_linear_methods[];
extern const luaL_Reg lnn_conv2d_methods[];
extern const luaL_Reg lnn_maxpool2d_methods[];
/* Criteria methods (l_nn_loss.c). */
extern const luaL_Reg lnn_cross_entropy_methods[];
extern const luaL_Reg lnn_mse_methods[];
/* Frees the engine layer of a parameter/pooling module. */
void lnn_free_layer(lmodule *m);
/* Pushes tostring / spec for Linear, Conv2d, MaxPool2d. */
void lnn_layer_describe(lua_State *L, lmodule *m);
void lnn_layer_spec(lua_State *L, lmodule *m);

/* The kinds from LNN_FIRST_MORE on (l_nn_norm.c, l_nn_pool.c, l_nn_loss.c). */
int lnn_batchnorm2d(lua_State *L);
int lnn_batchnorm1d(lua_State *L);
int lnn_dropout(lua_State *L);
int lnn_dropout2d(lua_State *L);
int lnn_avgpool2d(lua_State *L);
int lnn_adaptive_avgpool2d(lua_State *L);
int lnn_leaky_relu(lua_State *L);
int lnn_elu(lua_State *L);
int lnn_cross_entropy(lua_State *L);
extern const luaL_Reg lnn_batchnorm_methods[];
extern const luaL_Reg lnn_dropout_methods[];
extern const luaL_Reg lnn_avgpool2d_methods[];
extern const luaL_Reg lnn_adaptive_avgpool2d_methods[];
extern const luaL_Reg lnn_leaky_relu_methods[];
extern const luaL_Reg lnn_elu_methods[];
/* Frees the engine layer of a kind from LNN_FIRST_MORE on. */
void lnn_more_free(lmodule *m);
/* Pushes tostring / spec for the kinds from LNN_FIRST_MORE on and CrossEntropyLoss. */
void lnn_more_describe(lua_State *L, lmodule *m);
void lnn_more_spec(lua_State *L, lmodule *m);
/* Sets a number field of the table on top. */
void lnn_set_num(lua_State *L, const char *key, double v);

#endif
