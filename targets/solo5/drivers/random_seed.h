/* The seed sources of random_seed.c one by one, for its host tests. */
#ifndef SOLO5_DRIVERS_RANDOM_SEED_H
#define SOLO5_DRIVERS_RANDOM_SEED_H

#include <stdbool.h>
#include <stddef.h>

/* mirage_seed_cpu returns 0, or -1 when the instruction is missing or keeps
 * failing its retry limit. */
bool mirage_seed_has_rdseed(void);
bool mirage_seed_has_rdrand(void);
int mirage_seed_cpu(void *buf, size_t len, bool rdseed);
void mirage_seed_jitter(void *buf, size_t len);

#endif
