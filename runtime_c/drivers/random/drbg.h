/* The ChaCha20 DRBG behind mirage/random.h, internal to the random driver and its
 * tests. Fast key erasure (D. J. Bernstein, "Fast-key-erasure random-number
 * generators", 2017): each refill runs ChaCha20 under the current key, the first 32
 * bytes of the keystream become the next key at once, the rest is served as output
 * and zeroed as it is handed out. Whoever reads the state later learns nothing about
 * output already given. */
#ifndef MIRAGE_DRIVERS_DRBG_H
#define MIRAGE_DRIVERS_DRBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chacha20.h"

/* Keystream blocks per refill: 512 bytes, 32 of them the next key. */
#define MIRAGE_DRBG_BLOCKS 8
#define MIRAGE_DRBG_BUF (MIRAGE_DRBG_BLOCKS * MIRAGE_CHACHA20_BLOCK - MIRAGE_CHACHA20_KEY)
/* Generate requests after which the default generator reseeds from the platform. */
#define MIRAGE_DRBG_RESEED_INTERVAL (UINT64_C(1) << 16)

struct mirage_drbg {
    uint8_t key[MIRAGE_CHACHA20_KEY];
    uint8_t buf[MIRAGE_DRBG_BUF]; /* unread output is the last `avail` bytes */
    size_t avail;
    uint64_t requests; /* generate calls since the last (re)seed */
    uint64_t reseeds;  /* reseed counter: times seeded, instantiation included */
};

/* Instantiate from seed material (any length; it is absorbed, not copied). */
void mirage_drbg_seed(struct mirage_drbg *d, const void *seed, size_t len);

/* Mix fresh seed material into the key and drop buffered output, so everything
 * generated afterwards depends on it. Counts a reseed, resets `requests`. */
void mirage_drbg_reseed(struct mirage_drbg *d, const void *seed, size_t len);

/* len bytes of output. */
void mirage_drbg_generate(struct mirage_drbg *d, void *out, size_t len);

/* Whether `requests` reached MIRAGE_DRBG_RESEED_INTERVAL. */
bool mirage_drbg_needs_reseed(const struct mirage_drbg *d);

#endif
