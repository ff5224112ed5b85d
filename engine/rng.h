/* A seeded generator, xoshiro256** (Blackman and Vigna), seeded through splitmix64.
 * Every random draw in the engine takes one explicitly. */
#ifndef SFEW_RNG_H
#define SFEW_RNG_H

#include <stdint.h>

typedef struct sfew_rng {
    uint64_t s[4];
    int has_spare; /* Box-Muller makes normals in pairs; the second waits here */
    double spare;
} sfew_rng;

void sfew_rng_seed(sfew_rng *r, uint64_t seed);
/* Whether r is a state seeding can produce: not all-zero (xoshiro would stay at zero and
 * normal() never end), has_spare 0 or 1 and a finite spare. For states read from outside. */
int sfew_rng_state_ok(const sfew_rng *r);
uint64_t sfew_rng_u64(sfew_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double sfew_rng_uniform(sfew_rng *r);
/* Standard normal. */
double sfew_rng_normal(sfew_rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t sfew_rng_below(sfew_rng *r, uint64_t n);
/* Writes a uniformly random permutation of 0..n-1 into perm (Fisher-Yates). */
void sfew_rng_permutation(sfew_rng *r, int64_t n, int64_t *perm);

#endif
