/* What the two files of sfew.core.optim share: the optimiser userdata and its options. */
#ifndef LSFEW_OPTIM_H
#define LSFEW_OPTIM_H

#include <stddef.h>

#include "lsfew.h"

#define LSFEW_SGD "sfew.SGD"
#define LSFEW_ADAM "sfew.Adam"
#define LSFEW_ADAMW "sfew.AdamW"

enum { LOPT_SGD, LOPT_ADAM, LOPT_ADAMW }; /* AdamW is an sfew_adam with decoupled decay */

typedef struct lopt {
    int kind; /* LOPT_SGD, LOPT_ADAM or LOPT_ADAMW */
    int n;
    sfew_sgd *sgd;
    sfew_adam *adam;
    sfew_tensor **ps;       /* n parameter pointers, refreshed at every step */
    const sfew_tensor **gs; /* n gradient pointers */
} lopt;

/* A numeric option: its name and where it lives in the engine's options struct. */
typedef struct { const char *name; size_t off; } lopt_hyper;

/* The optimiser at index i (raises "bad argument #i" for anything else). */
lopt *lopt_check(lua_State *L, int i);
/* The kind's numeric options, ending with {NULL, 0}. */
const lopt_hyper *lopt_hypers(const lopt *o);
/* The engine's options struct (sfew_sgd_opts or sfew_adam_opts), writable. */
void *lopt_opts(lopt *o);
double *lopt_hyper_slot(void *opts, const lopt_hyper *h);
sfew_status lopt_opts_check(const lopt *o, const void *opts, sfew_err *e);
/* One step of the optimiser at index idx over its parameters' gradients (raises on a
 * freed, replaced or gradient-less parameter, as opt:step() does). */
void lopt_step(lua_State *L, int idx);
/* "SGD", "Adam" or "AdamW". */
const char *lopt_type_name(const lopt *o);

int lopt_state_dict(lua_State *L);
int lopt_load_state_dict(lua_State *L);

#endif
