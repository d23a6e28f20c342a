/* The random module type: a cryptographically secure generator (a ChaCha20 DRBG)
 * seeded from the best entropy source the platform has. An ambient service. */
#ifndef MIRAGE_RANDOM_H
#define MIRAGE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct mirage_random { int unused; };

int default_random_connect(struct mirage_random *out);

/* Fill buf with len random bytes. Never fails once connected. */
void mirage_random_bytes(void *buf, size_t len);
uint64_t mirage_random_u64(void);

#endif
