/* What binding files share: tensor and generator userdata, argument helpers, and the
 * one place that turns engine status codes into Lua errors. */
#ifndef LSFEW_H
#define LSFEW_H

#include <lauxlib.h>
#include <lua.h>

#include "../engine/sfew.h"

#define LSFEW_TENSOR "sfew.Tensor"
#define LSFEW_RNG "sfew.Rng"
/* Registry field: a weak-keyed table from parameter tensors a layer has replaced
 * (set_params, pruning) to a description, so an optimiser refuses to step them. */
#define LSFEW_STALE "sfew.stale_params"

/* Tensor userdata: the engine tensor it owns (NULL once freed). User value 1 holds the
 * gradient tensor of a parameter (p.grad), or nil. */
typedef struct ltensor {
    sfew_tensor *t;
} ltensor;

/* The tensor at index i; raises "bad argument #i" for anything else or a freed one. */
sfew_tensor *check_tensor(lua_State *L, int i);
/* The tensor at index i, or NULL if it is not a tensor. */
sfew_tensor *test_tensor(lua_State *L, int i);
/* Pushes an empty tensor userdata and returns its slot, to be filled after the engine
 * call succeeds: a Lua error between the two never leaks C memory. */
sfew_tensor **lsfew_tensor_slot(lua_State *L);
/* Pushes a userdata owning t (t may be NULL on allocation failure: raises). */
void push_tensor(lua_State *L, sfew_tensor *t);
/* Pushes the gradient tensor of the tensor at index i (or nil). */
void lsfew_push_grad(lua_State *L, int i);

/* Reads a shape at arg: a Lua list {2, 3} or integers from arg onwards.
 * Returns ndim; sizes go to shape. Raises with the argument number on bad input. */
int lsfew_check_shape(lua_State *L, int arg, int64_t *shape);
/* Lists read with raw access (lua_rawlen, lua_rawgeti): no metamethod runs, so no Lua
 * code can free or collect what the caller points to, and each entry is read once. Each
 * reader checks the list at arg is a table of at most max entries, pushes one buffer
 * userdata (plus, for strings and tensors, a table pinning the entries) and returns the
 * buffer, valid while those stay on the stack; *n gets the length. They raise "bad
 * argument #arg" naming the first bad entry. Tensors are live when read: take them after
 * the call's last Lua allocation, as a finalizer may run then. */
lua_Integer lsfew_list_len(lua_State *L, int arg, lua_Integer max, const char *toolong);
lua_Integer *lsfew_check_integers(lua_State *L, int arg, lua_Integer max, lua_Integer *n);
double *lsfew_check_numbers(lua_State *L, int arg, lua_Integer max, lua_Integer *n);
const char **lsfew_check_strings(lua_State *L, int arg, lua_Integer max, lua_Integer *n);
sfew_tensor **lsfew_check_tensors(lua_State *L, int arg, lua_Integer max, lua_Integer *n);

/* Pushes a number, as an integer when it is one exactly (so 6.0 prints as 6). */
void lsfew_push_num(lua_State *L, double v);
/* Pushes a shape as a Lua list. */
void lsfew_push_shape(lua_State *L, int ndim, const int64_t *shape);

/* The generator at index i (raises on anything else). */
sfew_rng *check_rng(lua_State *L, int i);
/* The generator in field "rng" of the options table at index opts (opts 0, absent or
 * nil, or no such field: the state's default generator, see sfew.default_rng). */
sfew_rng *lsfew_opt_rng(lua_State *L, int opts);
/* The generator at index i, or the default one when the argument is absent or nil;
 * raises "bad argument #i (sfew.Rng expected, got ...)" for anything else. */
sfew_rng *lsfew_arg_rng(lua_State *L, int i);
/* Threads the engine uses (set by sfew.threads). */
int lsfew_threads(lua_State *L);

/* Raises a Lua error carrying the engine's message. Never returns. */
int lsfew_error(lua_State *L, sfew_status st, const sfew_err *err);
/* For environment trouble (SFEW_EIO): pushes nil, message and returns 2; any other
 * failure raises as lsfew_error. */
int lsfew_fail(lua_State *L, sfew_status st, const sfew_err *err);

/* Options-table helpers: the field of the table at index t, or the default when the
 * field is nil; raise naming the option when it has the wrong type. */
lua_Number lsfew_opt_number(lua_State *L, int t, const char *key, lua_Number def);
lua_Integer lsfew_opt_integer(lua_State *L, int t, const char *key, lua_Integer def);
int lsfew_opt_boolean(lua_State *L, int t, const char *key, int def);
const char *lsfew_opt_string(lua_State *L, int t, const char *key, const char *def);
/* The name of allowed (NULL-terminated) closest to key when it is close enough to be a
 * likely typo, else NULL. */
const char *lsfew_suggest(const char *key, const char *const *allowed);
/* Checks the options table at index t (none or nil passes) with raw access, so no
 * metamethod runs: a key that is not one of allowed (NULL-terminated) raises
 * "bad argument #t to 'f' (unknown option 'padd' (did you mean 'padding'?))". */
void lsfew_check_options(lua_State *L, int t, const char *const *allowed);

/* Formats t the way Torch7 does: values (abridged when large), then the shape.
 * Pushes the string. */
void lsfew_tensor_format(lua_State *L, const sfew_tensor *t);

/* Pushes a new zero tensor of the shape, raising a Lua error on failure. */
sfew_tensor *lsfew_tensor_new_checked(lua_State *L, int ndim, const int64_t *shape);
/* The constructors (l_tensor_new.c), the start of the sfew.core.tensor table. */
extern const luaL_Reg lsfew_tensor_new_funcs[];

/* Element access (l_tensor_access.c): methods luaopen_sfew_core_tensor adds. */
extern const luaL_Reg lsfew_tensor_access_methods[];

/* Arithmetic and reductions of tensors (l_tensor_math.c): methods, metamethods and
 * module functions that luaopen_sfew_core_tensor adds to its tables. */
extern const luaL_Reg lsfew_tensor_math_methods[];
extern const luaL_Reg lsfew_tensor_math_meta[];
extern const luaL_Reg lsfew_tensor_math_funcs[];

/* Module entry points, gathered by the preload table in modules.c. */
int luaopen_sfew_core_tensor(lua_State *L);
int luaopen_sfew_core_sys(lua_State *L);

#endif
