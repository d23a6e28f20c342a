/* The ChaCha20 DRBG (see drbg.h) and the default generator of mirage/random.h on
 * top of it: seeded at connect from the platform (seed_<drivers>.c), reseeded from
 * it every MIRAGE_DRBG_RESEED_INTERVAL requests, or seeded once from --seed=HEX for
 * a reproducible stream. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mirage/argv.h>
#include <mirage/errors.h>
#include <mirage/log.h>
#include <mirage/platform.h>
#include <mirage/random.h>
#include <mirage/random_seed.h>

#include "chacha20.h"
#include "drbg.h"

/* ---- the DRBG ---- */

static const uint8_t zero_nonce[MIRAGE_CHACHA20_NONCE];

/* Absorb seed material into the key, 32 bytes at a time: XOR a chunk into the key,
 * then replace the key by the first 32 bytes of ChaCha20 under it. The nonce holds
 * the total length and a tag, so inputs that differ only by trailing zero padding,
 * or an absorb and a refill, never run the same ChaCha20 instance. */
static void absorb(struct mirage_drbg *d, const void *seed, size_t len)
{
    const uint8_t *p = seed;
    uint8_t nonce[MIRAGE_CHACHA20_NONCE] = {'s', 'e', 'e', 'd'};
    uint8_t block[MIRAGE_CHACHA20_BLOCK];
    uint64_t total = len;
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(total >> (8 * i));
    uint32_t chunk = 0;
    do {
        size_t n = len < MIRAGE_CHACHA20_KEY ? len : MIRAGE_CHACHA20_KEY;
        for (size_t i = 0; i < n; i++)
            d->key[i] ^= p[i];
        mirage_chacha20_block(block, d->key, chunk++, nonce);
        memcpy(d->key, block, MIRAGE_CHACHA20_KEY);
        p += n;
        len -= n;
    } while (len > 0);
    mirage_wipe(block, sizeof block);
    mirage_wipe(d->buf, sizeof d->buf);
    d->avail = 0;
    d->requests = 0;
    d->reseeds++;
}

void mirage_drbg_seed(struct mirage_drbg *d, const void *seed, size_t len)
{
    mirage_wipe(d, sizeof *d);
    absorb(d, seed, len);
}

void mirage_drbg_reseed(struct mirage_drbg *d, const void *seed, size_t len)
{
    absorb(d, seed, len);
}

/* Fast key erasure: the new key comes from the same keystream as the output. */
static void refill(struct mirage_drbg *d)
{
    uint8_t stream[MIRAGE_DRBG_BLOCKS * MIRAGE_CHACHA20_BLOCK];
    for (uint32_t i = 0; i < MIRAGE_DRBG_BLOCKS; i++)
        mirage_chacha20_block(stream + i * MIRAGE_CHACHA20_BLOCK, d->key, i, zero_nonce);
    memcpy(d->key, stream, MIRAGE_CHACHA20_KEY);
    memcpy(d->buf, stream + MIRAGE_CHACHA20_KEY, sizeof d->buf);
    mirage_wipe(stream, sizeof stream);
    d->avail = sizeof d->buf;
}

void mirage_drbg_generate(struct mirage_drbg *d, void *out, size_t len)
{
    uint8_t *o = out;
    while (len > 0) {
        if (d->avail == 0)
            refill(d);
        size_t n = len < d->avail ? len : d->avail;
        uint8_t *src = d->buf + sizeof d->buf - d->avail;
        memcpy(o, src, n);
        mirage_wipe(src, n);
        d->avail -= n;
        o += n;
        len -= n;
    }
    d->requests++;
}

bool mirage_drbg_needs_reseed(const struct mirage_drbg *d)
{
    return d->requests >= MIRAGE_DRBG_RESEED_INTERVAL;
}

/* ---- the default generator ---- */

#define SEED_BYTES 64    /* platform seed material per (re)seed */
#define FIXED_SEED_MAX 64 /* bytes of --seed */

static struct mirage_drbg rng;
static int source = -1; /* enum mirage_seed_source once seeded */

static int seed_from_platform(bool first)
{
    uint8_t seed[SEED_BYTES];
    int src = mirage_random_seed(seed, sizeof seed);
    if (src >= 0) {
        if (first)
            mirage_drbg_seed(&rng, seed, sizeof seed);
        else
            mirage_drbg_reseed(&rng, seed, sizeof seed);
        source = src;
    }
    mirage_wipe(seed, sizeof seed);
    return src < 0 ? src : 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* An even number of hex digits, 1 to FIXED_SEED_MAX bytes; returns the byte count or -1. */
static int parse_hex(const char *text, uint8_t *out)
{
    size_t n = strlen(text);
    if (n == 0 || n % 2 != 0 || n / 2 > FIXED_SEED_MAX)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

int default_random_connect(struct mirage_random *out, const char *hex)
{
    out->unused = 0;
    if (hex != NULL && *hex != '\0') {
        uint8_t seed[FIXED_SEED_MAX];
        int n = parse_hex(hex, seed);
        if (n < 0)
            mirage_arg_reject("seed", hex, "an even number of hex digits (1 to 64 bytes)");
        mirage_drbg_seed(&rng, seed, (size_t)n);
        mirage_wipe(seed, sizeof seed);
        source = MIRAGE_SEED_FIXED;
        return MIRAGE_OK;
    }
    return seed_from_platform(true);
}

void mirage_random_bytes(void *buf, size_t len)
{
    /* Before connect (a device connected earlier than the generator): seed now.
     * A platform that cannot seed at all cannot give random bytes: stop. */
    if (source < 0 && seed_from_platform(true) != 0) {
        mirage_log(MIRAGE_LOG_ERROR, "random", "no entropy source to seed from");
        mirage_platform_abort();
    }
    if (source != MIRAGE_SEED_FIXED && mirage_drbg_needs_reseed(&rng))
        (void)seed_from_platform(false); /* on failure, the current key is still good */
    mirage_drbg_generate(&rng, buf, len);
}

uint64_t mirage_random_u64(void)
{
    uint8_t b[8];
    uint64_t v = 0;
    mirage_random_bytes(b, sizeof b);
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

const char *mirage_random_source(void)
{
    switch (source) {
    case MIRAGE_SEED_GETRANDOM: return "getrandom";
    case MIRAGE_SEED_RDSEED: return "rdseed";
    case MIRAGE_SEED_RDRAND: return "rdrand";
    case MIRAGE_SEED_JITTER: return "jitter";
    case MIRAGE_SEED_FIXED: return "--seed";
    }
    return "";
}
