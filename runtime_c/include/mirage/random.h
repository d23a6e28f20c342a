/* The random module type: a cryptographically secure generator (a ChaCha20 DRBG
 * with fast key erasure) seeded from the best entropy source the platform has:
 * getrandom on unix; RDSEED, else RDRAND, else timing jitter on Solo5 targets.
 * It reseeds from that source every 65536 requests. An ambient service: one
 * generator per image, so the device object is empty.
 *
 * The --seed=HEX boot argument (1 to 64 bytes as hex digits) seeds it instead, once:
 * the stream is then the same at every boot, for tests. Never use it in production. */
#ifndef MIRAGE_RANDOM_H
#define MIRAGE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct mirage_random { int unused; };

/* Seed the generator from the platform, or from `seed` (the --seed boot argument:
 * hex bytes; NULL or "" for none; a malformed one ends the unikernel with the usage
 * status 64). Returns 0, or MIRAGE_EIO when the platform gives no entropy. */
int default_random_connect(struct mirage_random *out, const char *seed);

/* Fill buf with len random bytes. Never fails once connected. */
void mirage_random_bytes(void *buf, size_t len);
uint64_t mirage_random_u64(void);

/* Where the seed came from: "getrandom", "rdseed", "rdrand", "jitter", or "--seed";
 * "" before the generator is seeded. */
const char *mirage_random_source(void);

#endif
