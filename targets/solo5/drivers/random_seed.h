/* The seed sources of random_seed.c one by one, for its host tests. */
#ifndef SOLO5_DRIVERS_RANDOM_SEED_H
#define SOLO5_DRIVERS_RANDOM_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* mirage_seed_cpu returns 0, or -1 when the instruction is missing or keeps
 * failing its retry limit. */
bool mirage_seed_has_rdseed(void);
bool mirage_seed_has_rdrand(void);
int mirage_seed_cpu(void *buf, size_t len, bool rdseed);
/* Fill buf with the words `next` gives (false: the instruction keeps failing), or -1 as
 * soon as one fails the health check (zero, all ones, or equal to the previous word). */
int mirage_seed_words(void *buf, size_t len, bool (*next)(uint64_t *word));
void mirage_seed_jitter(void *buf, size_t len);

#endif
