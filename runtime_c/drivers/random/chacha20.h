/* ChaCha20 (RFC 8439), internal to the random driver: the block function and the
 * keystream XOR the DRBG and the known-answer tests use. Keys, nonces and output
 * are bytes in the RFC's serialisation (little-endian words). */
#ifndef MIRAGE_DRIVERS_CHACHA20_H
#define MIRAGE_DRIVERS_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define MIRAGE_CHACHA20_KEY 32
#define MIRAGE_CHACHA20_NONCE 12
#define MIRAGE_CHACHA20_BLOCK 64

/* RFC 8439 section 2.3: one 64-byte keystream block for (key, counter, nonce). */
void mirage_chacha20_block(uint8_t out[MIRAGE_CHACHA20_BLOCK], const uint8_t key[MIRAGE_CHACHA20_KEY],
                           uint32_t counter, const uint8_t nonce[MIRAGE_CHACHA20_NONCE]);

/* RFC 8439 section 2.4: out = in XOR the keystream starting at block `counter`.
 * out may be in; len is at most (2^32 - counter) blocks. */
void mirage_chacha20_xor(uint8_t *out, const uint8_t *in, size_t len,
                         const uint8_t key[MIRAGE_CHACHA20_KEY], uint32_t counter,
                         const uint8_t nonce[MIRAGE_CHACHA20_NONCE]);

/* Zero n bytes in a way the compiler cannot drop (secrets going out of use). */
void mirage_wipe(void *p, size_t n);

#endif
