/* sfew.core.sys: generators (sfew.rng), the clock and the thread count. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsfew.h"

#define REG_THREADS "sfew.threads"
#define REG_DEFAULT_RNG "sfew.default_rng"

typedef struct lrng {
    sfew_rng r;
    lua_Integer seed;
} lrng;

sfew_rng *check_rng(lua_State *L, int i)
{
    return &((lrng *)luaL_checkudata(L, i, LSFEW_RNG))->r;
}

static lrng *push_rng(lua_State *L, lua_Integer seed)
{
    lrng *g = lua_newuserdatauv(L, sizeof *g, 0);
    sfew_rng_seed(&g->r, (uint64_t)seed);
    g->seed = seed;
    luaL_setmetatable(L, LSFEW_RNG);
    return g;
}

static void push_default_rng(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, REG_DEFAULT_RNG) == LUA_TNIL) {
        lua_pop(L, 1);
        push_rng(L, 0);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, REG_DEFAULT_RNG);
    }
}

static sfew_rng *default_rng(lua_State *L)
{
    push_default_rng(L);
    lrng *g = lua_touserdata(L, -1);
    lua_pop(L, 1); /* the registry keeps it alive */
    return &g->r;
}

sfew_rng *lsfew_opt_rng(lua_State *L, int opts)
{
    if (opts != 0 && !lua_isnoneornil(L, opts)) {
        luaL_checktype(L, opts, LUA_TTABLE);
        lua_pushliteral(L, "rng");
        /* raw: the generator read is the one the table holds and keeps alive */
        if (lua_rawget(L, opts) != LUA_TNIL) {
            lrng *g = luaL_testudata(L, -1, LSFEW_RNG);
            if (!g)
                luaL_error(L, "option 'rng' must be an sfew.Rng, got %s", luaL_typename(L, -1));
            lua_pop(L, 1);
            return &g->r;
        }
        lua_pop(L, 1);
    }
    return default_rng(L);
}

sfew_rng *lsfew_arg_rng(lua_State *L, int i)
{
    if (lua_isnoneornil(L, i))
        return default_rng(L);
    return check_rng(L, i);
}

int lsfew_threads(lua_State *L)
{
    int n = 1;
    if (lua_getfield(L, LUA_REGISTRYINDEX, REG_THREADS) == LUA_TNUMBER)
        n = (int)lua_tointeger(L, -1);
    else {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (int)cores : 1;
    }
    lua_pop(L, 1);
    return n;
}

static int l_rng(lua_State *L)
{
    lua_Integer seed = luaL_optinteger(L, 1, 0);
    push_rng(L, seed);
    return 1;
}

static int rng_uniform(lua_State *L)
{
    sfew_rng *r = check_rng(L, 1);
    lua_Number a = luaL_optnumber(L, 2, 0.0), b = luaL_optnumber(L, 3, 1.0);
    if (lua_gettop(L) == 2) { /* uniform(b) draws from [0, b) */
        b = a;
        a = 0.0;
    }
    lua_pushnumber(L, a + (b - a) * sfew_rng_uniform(r));
    return 1;
}

static int rng_normal(lua_State *L)
{
    sfew_rng *r = check_rng(L, 1);
    lua_Number mean = luaL_optnumber(L, 2, 0.0), std = luaL_optnumber(L, 3, 1.0);
    luaL_argcheck(L, std >= 0, 3, "standard deviation must not be negative");
    lua_pushnumber(L, mean + std * sfew_rng_normal(r));
    return 1;
}

/* random(m) -> 1..m, random(m, n) -> m..n, as math.random. */
static int rng_random(lua_State *L)
{
    sfew_rng *r = check_rng(L, 1);
    lua_Integer lo = 1, hi;
    if (lua_gettop(L) >= 3) {
        lo = luaL_checkinteger(L, 2);
        hi = luaL_checkinteger(L, 3);
    } else
        hi = luaL_checkinteger(L, 2);
    luaL_argcheck(L, lo <= hi, lua_gettop(L) >= 3 ? 3 : 2, "interval is empty");
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    uint64_t x = span == 0 ? sfew_rng_u64(r) : sfew_rng_below(r, span);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + x));
    return 1;
}

static int rng_permutation(lua_State *L)
{
    sfew_rng *r = check_rng(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 0 && n <= (1 << 28), 2, "size out of range 0..2^28");
    int64_t *perm = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n > 0 ? n : 1), 0);
    sfew_rng_permutation(r, n, perm);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_pushinteger(L, perm[i] + 1);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int rng_seed(lua_State *L)
{
    lrng *g = luaL_checkudata(L, 1, LSFEW_RNG);
    g->seed = luaL_checkinteger(L, 2);
    sfew_rng_seed(&g->r, (uint64_t)g->seed);
    lua_settop(L, 1);
    return 1;
}

static int rng_clone(lua_State *L)
{
    lrng *g = luaL_checkudata(L, 1, LSFEW_RNG);
    lrng *c = push_rng(L, g->seed);
    c->r = g->r;
    return 1;
}

/* The full state as a string, for checkpoints; set_state restores it. */
static int rng_state(lua_State *L)
{
    lrng *g = luaL_checkudata(L, 1, LSFEW_RNG);
    lua_pushlstring(L, (const char *)&g->r, sizeof g->r);
    return 1;
}

static int rng_set_state(lua_State *L)
{
    lrng *g = luaL_checkudata(L, 1, LSFEW_RNG);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    luaL_argcheck(L, len == sizeof g->r, 2, "not a generator state");
    sfew_rng r;
    memcpy(&r, s, sizeof r);
    /* xoshiro never leaves the all-zero state: normal() would then loop for ever */
    luaL_argcheck(L, sfew_rng_state_ok(&r), 2, "not a generator state (all-zero or corrupt)");
    g->r = r;
    lua_settop(L, 1);
    return 1;
}

static int rng_tostring(lua_State *L)
{
    lrng *g = luaL_checkudata(L, 1, LSFEW_RNG);
    lua_pushfstring(L, "sfew.Rng(seed=%I)", g->seed);
    return 1;
}

static int l_default_rng(lua_State *L)
{
    push_default_rng(L);
    return 1;
}

/* manual_seed(s): reseeds the default generator, as torch.manual_seed. */
static int l_manual_seed(lua_State *L)
{
    lua_Integer seed = luaL_checkinteger(L, 1);
    push_default_rng(L);
    lrng *g = lua_touserdata(L, -1);
    g->seed = seed;
    sfew_rng_seed(&g->r, (uint64_t)seed);
    return 1;
}

static int l_clock(lua_State *L)
{
    lua_pushnumber(L, sfew_clock());
    return 1;
}

static int l_threads(lua_State *L)
{
    int old = lsfew_threads(L);
    if (!lua_isnoneornil(L, 1)) {
        lua_Integer n = luaL_checkinteger(L, 1);
        luaL_argcheck(L, n >= 1 && n <= 256, 1, "thread count out of range 1..256");
        lua_pushinteger(L, n);
        lua_setfield(L, LUA_REGISTRYINDEX, REG_THREADS);
        sfew_blas_threads((int)n);
    }
    lua_pushinteger(L, old);
    return 1;
}

/* isatty(fd): whether the file descriptor (1 = stdout) is a terminal, for progress bars. */
static int l_isatty(lua_State *L)
{
    lua_Integer fd = luaL_optinteger(L, 1, 1);
    luaL_argcheck(L, fd >= 0 && fd < 1024, 1, "file descriptor out of range");
    lua_pushboolean(L, isatty((int)fd));
    return 1;
}

static const luaL_Reg rng_methods[] = {
    {"uniform", rng_uniform}, {"normal", rng_normal},   {"random", rng_random},
    {"permutation", rng_permutation}, {"seed", rng_seed}, {"clone", rng_clone},
    {"state", rng_state},     {"set_state", rng_set_state}, {NULL, NULL}};

static const luaL_Reg rng_meta[] = {{"__tostring", rng_tostring}, {NULL, NULL}};

static const luaL_Reg sys_funcs[] = {
    {"rng", l_rng},     {"default_rng", l_default_rng}, {"manual_seed", l_manual_seed},
    {"clock", l_clock}, {"threads", l_threads},         {"isatty", l_isatty},
    {NULL, NULL}};

int luaopen_sfew_core_sys(lua_State *L)
{
    if (luaL_newmetatable(L, LSFEW_RNG)) {
        luaL_setfuncs(L, rng_meta, 0);
        luaL_newlib(L, rng_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    /* The engine and OpenBLAS start with the same count: all cores. */
    sfew_blas_threads(lsfew_threads(L));
    luaL_newlib(L, sys_funcs);
    return 1;
}
