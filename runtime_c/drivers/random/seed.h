/* Entropy for seeding the DRBG, one implementation per driver family:
 * seed_unix.c (getrandom) and seed_solo5.c (RDSEED, RDRAND, timing jitter). */
#ifndef MIRAGE_DRIVERS_SEED_H
#define MIRAGE_DRIVERS_SEED_H

#include <stdbool.h>
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

/* The sources of seed_solo5.c one by one, for its tests. mirage_seed_cpu returns 0,
 * or -1 when the instruction is missing or keeps failing its retry limit. */
bool mirage_seed_has_rdseed(void);
bool mirage_seed_has_rdrand(void);
int mirage_seed_cpu(void *buf, size_t len, bool rdseed);
void mirage_seed_jitter(void *buf, size_t len);

#endif
