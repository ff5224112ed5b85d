/* The engine's one kind of parallelism: fork-join on plain POSIX threads, used by the
 * layers, image decoding, face synthesis and the descriptors. Each call starts its workers
 * and joins them before returning: no thread idles between calls, so nothing spins on a
 * core another process needs, and nothing is left running when the library is unloaded.
 * Results never depend on the schedule as long as each part (or index) writes only its
 * own outputs. */
#ifndef SFEW_PARALLEL_H
#define SFEW_PARALLEL_H

#include <stdint.h>

#define SFEW_PAR_MIN 65536 /* values per thread below which one thread is faster */
#define SFEW_PAR_MAX 64    /* most parts one call runs */

/* Runs fn(ctx, part, parts) for every part in [0, parts): part 0 on the calling thread,
 * the others on threads started for the call. A part whose thread cannot start runs on the
 * caller afterwards. parts is clamped to [1, SFEW_PAR_MAX]. */
typedef void (*sfew_part_fn)(void *ctx, int part, int parts);
void sfew_parallel(int parts, sfew_part_fn fn, void *ctx);

/* Runs fn(ctx, lo, hi) over [0, n) cut into parts contiguous ranges. */
typedef void (*sfew_range_fn)(void *ctx, int64_t lo, int64_t hi);
void sfew_parallel_range(int parts, int64_t n, sfew_range_fn fn, void *ctx);

/* Runs fn(ctx, part, i) once for every i in [0, n), parts threads taking the next `chunk`
 * indices as they finish (for items of uneven cost, such as image files). part tells the
 * call which thread runs it, so each thread can own a work buffer. */
typedef void (*sfew_item_fn)(void *ctx, int part, int64_t i);
void sfew_parallel_items(int parts, int64_t n, int64_t chunk, sfew_item_fn fn, void *ctx);

/* How many threads a pass over n values deserves: starting a thread costs tens of
 * microseconds, so small tensors stay on the calling thread. */
static inline int sfew_par_threads(int threads, int64_t n)
{
    if (threads < 1 || n < 2 * SFEW_PAR_MIN)
        return 1;
    int64_t most = n / SFEW_PAR_MIN;
    return most < threads ? (int)most : threads;
}

#endif
