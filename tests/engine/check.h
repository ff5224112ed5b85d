/* What the engine test program shares: PyTorch fixtures read through Lua (the fixtures are
 * Lua tables), comparisons that count failures, and tensor helpers. */
#ifndef SFEW_TEST_CHECK_H
#define SFEW_TEST_CHECK_H

#include <lauxlib.h>
#include <lua.h>

#include "../../engine/tensor.h"

/* Failures so far; main exits non-zero when any. */
extern int check_failures;

/* Loads fixtures/<name> (dir set by check_init) and leaves its table on the stack. */
void fx_load(lua_State *L, const char *name);
void check_init(const char *fixture_dir);
/* Field key of the table at index t as a new tensor (caller frees), or a number. */
sfew_tensor *fx_tensor(lua_State *L, int t, const char *key);
double fx_number(lua_State *L, int t, const char *key);
/* Pushes field key (or list item i) of the table at index t; returns its absolute index. */
int fx_field(lua_State *L, int t, const char *key);
int fx_item(lua_State *L, int t, int i);
/* A list of integers at field key into out (at most max); returns the count. */
int fx_ints(lua_State *L, int t, const char *key, int64_t *out, int max);

/* Counts a failure unless a and b have the same shape and every |a - b| / max(|b|, 1) is
 * at most tol (the specs' rule); prints what and the error on failure. */
void check_close(const sfew_tensor *a, const sfew_tensor *b, double tol, const char *what);
void check_close_num(double a, double b, double tol, const char *what);
/* Counts a failure unless cond holds. */
void check_true(int cond, const char *what);
/* A layer's forward pass from x into y, for the finite-difference check. */
typedef void (*check_forward)(void *layer, const sfew_tensor *x, sfew_tensor *y);
/* Largest |analytic - numeric| / max(|numeric|, 1) over the entries of v, numeric from
 * central differences (step 1e-2) of sum(forward(x) * r) in double as v's entries move
 * one at a time (v: x itself or a parameter of the layer). */
double check_fd_worst(check_forward forward, void *layer, const sfew_tensor *x,
                      sfew_tensor *y, const sfew_tensor *r, sfew_tensor *v,
                      const sfew_tensor *analytic);
/* A zero tensor of t's shape (caller frees). */
sfew_tensor *check_like(const sfew_tensor *t);

#endif
