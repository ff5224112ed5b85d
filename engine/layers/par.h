/* How many OpenMP threads an element-wise pass over n values deserves: waking a team costs
 * microseconds (far more when another process holds a core), so small tensors stay on the
 * calling thread. */
#ifndef SFEW_LAYERS_PAR_H
#define SFEW_LAYERS_PAR_H

#include <stdint.h>

#define SFEW_PAR_MIN 65536 /* values per thread below which one thread is faster */

static inline int sfew_par_threads(int threads, int64_t n)
{
    if (threads < 1 || n < 2 * SFEW_PAR_MIN)
        return 1;
    int64_t most = n / SFEW_PAR_MIN;
    return most < threads ? (int)most : threads;
}

#endif
