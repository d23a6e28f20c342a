/* ChaCha20 as RFC 8439 specifies it: a 4x4 state of 32-bit words, 20 rounds
 * (10 column + diagonal double rounds), the input added back in. Written out here
 * rather than fetched: it is 60 lines, and the DRBG needs only the block function.
 * Plain integer code (no SIMD), so it builds with -mgeneral-regs-only. */
#include <stddef.h>
#include <stdint.h>

#include "chacha20.h"

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t v, int n)
{
    return v << n | v >> (32 - n);
}

#define QUARTER(a, b, c, d)                   \
    do {                                      \
        a += b; d ^= a; d = rotl(d, 16);      \
        c += d; b ^= c; b = rotl(b, 12);      \
        a += b; d ^= a; d = rotl(d, 8);       \
        c += d; b ^= c; b = rotl(b, 7);       \
    } while (0)

void mirage_chacha20_block(uint8_t out[MIRAGE_CHACHA20_BLOCK], const uint8_t key[MIRAGE_CHACHA20_KEY],
                           uint32_t counter, const uint8_t nonce[MIRAGE_CHACHA20_NONCE])
{
    uint32_t in[16], x[16];
    in[0] = 0x61707865; /* "expand 32-byte k" */
    in[1] = 0x3320646e;
    in[2] = 0x79622d32;
    in[3] = 0x6b206574;
    for (int i = 0; i < 8; i++)
        in[4 + i] = load32(key + 4 * i);
    in[12] = counter;
    for (int i = 0; i < 3; i++)
        in[13 + i] = load32(nonce + 4 * i);
    for (int i = 0; i < 16; i++)
        x[i] = in[i];
    for (int round = 0; round < 10; round++) {
        QUARTER(x[0], x[4], x[8], x[12]);
        QUARTER(x[1], x[5], x[9], x[13]);
        QUARTER(x[2], x[6], x[10], x[14]);
        QUARTER(x[3], x[7], x[11], x[15]);
        QUARTER(x[0], x[5], x[10], x[15]);
        QUARTER(x[1], x[6], x[11], x[12]);
        QUARTER(x[2], x[7], x[8], x[13]);
        QUARTER(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32(out + 4 * i, x[i] + in[i]);
    mirage_wipe(x, sizeof x);
    mirage_wipe(in, sizeof in);
}

void mirage_chacha20_xor(uint8_t *out, const uint8_t *in, size_t len,
                         const uint8_t key[MIRAGE_CHACHA20_KEY], uint32_t counter,
                         const uint8_t nonce[MIRAGE_CHACHA20_NONCE])
{
    uint8_t block[MIRAGE_CHACHA20_BLOCK];
    while (len > 0) {
        size_t n = len < sizeof block ? len : sizeof block;
        mirage_chacha20_block(block, key, counter++, nonce);
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] ^ block[i];
        out += n;
        in += n;
        len -= n;
    }
    mirage_wipe(block, sizeof block);
}

void mirage_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n-- > 0)
        *v++ = 0;
}
