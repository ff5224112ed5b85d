/* Shared by the two files of sfew.core.nn (l_nn.c: the module, activations, Flatten and
 * criteria; l_nn_layers.c: Linear, Conv2d, MaxPool2d). Internal to those files. */
#ifndef LSFEW_NN_H
#define LSFEW_NN_H

#include "lsfew.h"

typedef enum {
    LNN_LINEAR, LNN_CONV2D, LNN_MAXPOOL2D, LNN_RELU, LNN_SIGMOID, LNN_TANH, LNN_FLATTEN,
    LNN_CROSS_ENTROPY, LNN_MSE, LNN_KINDS
} lnn_kind;

/* Module userdata. User value 1 holds the weight tensor, 2 the bias (or nil): the same
 * Lua objects every time, refreshed when set_params replaces the parameters. */
typedef struct lmodule {
    lnn_kind kind;
    int training;
    void *l; /* the engine layer (NULL for stateless kinds and before creation) */
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
/* Where a result goes: the tensor at index i when one is given there and it shares no
 * storage with a or b (b may be NULL), to be resized and overwritten (containers reuse
 * their buffers this way); otherwise a fresh empty tensor. Pushes it and returns it. */
sfew_tensor *lnn_dest(lua_State *L, int i, const sfew_tensor *a, const sfew_tensor *b);
/* Stores fresh Lua views of weight/bias (bias may be NULL) and their gradients in the
 * module at index i's user values. */
void lnn_set_param_views(lua_State *L, int i, sfew_tensor *w, sfew_tensor *gw, sfew_tensor *b,
                         sfew_tensor *gb);
/* Raises for a failed engine call: "bad argument #arg" with the engine message for shape
 * and value errors, the plain message otherwise. */
int lnn_error(lua_State *L, int arg, sfew_status st, const sfew_err *e);

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

#endif
