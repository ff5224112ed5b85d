/* The one table of C entry points: every sfew.core module the host and sfew.so
 * preload. Pure-Lua modules in scripts/sfew/ wrap these. */
#include "modules.h"

const luaL_Reg lsfew_modules[] = {
    {"sfew.core.sys", luaopen_sfew_core_sys},
    {"sfew.core.tensor", luaopen_sfew_core_tensor},
    {"sfew.core.nn", luaopen_sfew_core_nn},
    {"sfew.core.optim", luaopen_sfew_core_optim},
    {"sfew.core.prune", luaopen_sfew_core_prune},
    {"sfew.core.data", luaopen_sfew_core_data},
    {"sfew.core.io", luaopen_sfew_core_io},
    {"sfew.core.features", luaopen_sfew_core_features},
    {"sfew.core.augment", luaopen_sfew_core_augment},
    {"sfew.core.detect", luaopen_sfew_core_detect},
    {"sfew.core.config", luaopen_sfew_core_config},
    {"sfew.core.fused", luaopen_sfew_core_fused},
    {NULL, NULL}};
