/* Entropy for seeding the DRBG: a driver every target supplies (its
 * drivers/random_seed.c: getrandom on unix, CPU sources or timing jitter on
 * Solo5 targets). The DRBG (runtime_c/drivers/random) is its only caller. */
#ifndef MIRAGE_RANDOM_SEED_H
#define MIRAGE_RANDOM_SEED_H

#include <stddef.h>

enum mirage_seed_source {
    MIRAGE_SEED_GETRANDOM, /* the host kernel's getrandom(2) */
    MIRAGE_SEED_RDSEED,    /* the CPU's entropy source */
    MIRAGE_SEED_RDRAND,    /* the CPU's DRBG, reseeded by its entropy source */
    MIRAGE_SEED_JITTER,    /* timing jitter of a memory-touching loop, read with rdtsc */
    MIRAGE_SEED_FIXED,     /* the --seed boot argument: deterministic, for tests */
};

/* Fill buf with len bytes of seed material from the platform's best source.
 * Returns the source used (an enum mirage_seed_source) or a negative mirage_error. */
int mirage_random_seed(void *buf, size_t len);

#endif
