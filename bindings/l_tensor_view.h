/* Tensor methods that rearrange along any dimension (l_tensor_view.c): permute,
 * transpose, narrow, select, index. luaopen_sfew_core_tensor adds them to the methods
 * table after the others, so these versions of narrow/select/index win. */
#ifndef L_TENSOR_VIEW_H
#define L_TENSOR_VIEW_H

#include <lauxlib.h>

extern const luaL_Reg lsfew_tensor_view_methods[];

#endif
