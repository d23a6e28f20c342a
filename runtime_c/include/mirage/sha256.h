/* SHA-256 (FIPS 180-4): the digest kv stores report (mirage_kv_ro_digest), also usable by
 * unikernels to check what they read. Linked into every image that has a kv store
 * (runtime_c/drivers/kv/sha256.c). No allocation; the state lives in the caller's struct. */
#ifndef MIRAGE_SHA256_H
#define MIRAGE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define MIRAGE_SHA256_LEN 32

struct mirage_sha256 {
    uint32_t h[8];
    uint64_t bytes;      /* message length so far */
    uint8_t block[64];   /* a partial block */
    size_t used;         /* bytes in block */
};

void mirage_sha256_init(struct mirage_sha256 *s);
void mirage_sha256_update(struct mirage_sha256 *s, const void *data, size_t len);
/* The digest of everything given to update; the state must be initialised again to reuse it. */
void mirage_sha256_final(struct mirage_sha256 *s, uint8_t out[MIRAGE_SHA256_LEN]);
/* One-shot digest of data[0..len). */
void mirage_sha256(const void *data, size_t len, uint8_t out[MIRAGE_SHA256_LEN]);
/* The digest as 64 lowercase hex digits and a NUL. */
void mirage_sha256_hex(const uint8_t digest[MIRAGE_SHA256_LEN], char out[2 * MIRAGE_SHA256_LEN + 1]);

#endif
