/* Seed material on the Solo5 targets (spt, hvt, virtio), which have no kernel to
 * ask: the CPU's RDSEED, else RDRAND, when CPUID reports them; else timing jitter.
 * All three run unprivileged, so the same code serves a seccomp-sandboxed process
 * and a KVM guest. Integer code only (-mgeneral-regs-only).
 *
 * Retry limits follow Intel's DRNG guide: RDRAND may fail transiently (10 tries per
 * word), RDSEED fails whenever its entropy pool is drained (100 tries with a pause).
 * A value of all ones or all zeros with success reported is taken as a broken
 * instruction (AMD family 17h firmware returned ~0 forever) and the source is
 * dropped for the next one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>
#include <mirage/random_seed.h>

#include "random_seed.h"

#define RDRAND_TRIES 10
#define RDSEED_TRIES 100
#define JITTER_SAMPLES 64 /* timing samples folded into each output byte */
#define SCRATCH 4096

#if defined(__x86_64__) || defined(__i386__)
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

bool mirage_seed_has_rdrand(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 1)
        return false;
    cpuid(1, 0, r);
    return (r[2] >> 30) & 1; /* CPUID.01H:ECX.RDRAND[bit 30] */
}

bool mirage_seed_has_rdseed(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 7)
        return false;
    cpuid(7, 0, r);
    return (r[1] >> 18) & 1; /* CPUID.(EAX=07H,ECX=0):EBX.RDSEED[bit 18] */
}

static bool rdrand(unsigned long *v)
{
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok;
}

static bool rdseed(unsigned long *v)
{
    unsigned char ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
    return ok;
}

static uint64_t ticks(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void relax(void)
{
    __asm__ volatile("pause");
}

static bool rdrand_word(uint64_t *w)
{
    unsigned long v = 0;
    for (int i = 0; i < RDRAND_TRIES; i++) {
        if (rdrand(&v)) {
            *w = v;
            return true;
        }
        relax();
    }
    return false;
}

static bool rdseed_word(uint64_t *w)
{
    unsigned long v = 0;
    for (int i = 0; i < RDSEED_TRIES; i++) {
        if (rdseed(&v)) {
            *w = v;
            return true;
        }
        relax();
    }
    return false;
}

int mirage_seed_cpu(void *buf, size_t len, bool use_rdseed)
{
    if (!(use_rdseed ? mirage_seed_has_rdseed() : mirage_seed_has_rdrand()))
        return -1;
    return mirage_seed_words(buf, len, use_rdseed ? rdseed_word : rdrand_word);
}
#else
bool mirage_seed_has_rdrand(void) { return false; }
bool mirage_seed_has_rdseed(void) { return false; }

int mirage_seed_cpu(void *buf, size_t len, bool use_rdseed)
{
    (void)buf, (void)len, (void)use_rdseed;
    return -1;
}

static uint64_t ticks(void)
{
    return mirage_platform_monotonic_ns();
}
#endif

/* Each sample times a short loop over a scratch buffer whose addresses depend on
 * the previous samples, so cache and pipeline state (and, in a VM, the host's
 * scheduling) show up in the low bits of the deltas. The deltas are folded into an
 * accumulator; JITTER_SAMPLES of them make one output byte. The DRBG absorbs the
 * result, so the bytes need entropy, not uniformity. */
void mirage_seed_jitter(void *buf, size_t len)
{
    static volatile uint8_t scratch[SCRATCH];
    uint8_t *p = buf;
    uint64_t acc = 0x6a09e667f3bcc908u, prev = ticks();
    for (size_t i = 0; i < len; i++) {
        for (int s = 0; s < JITTER_SAMPLES; s++) {
            for (unsigned k = 0; k < 8; k++)
                scratch[(acc >> (8 * k)) % SCRATCH] += (uint8_t)k;
            uint64_t now = ticks(), delta = now - prev;
            prev = now;
            acc = (acc << 7 | acc >> 57) ^ delta;
            acc *= 0x9e3779b97f4a7c15u;
        }
        p[i] = (uint8_t)(acc >> 56);
    }
}

int mirage_seed_words(void *buf, size_t len, bool (*next)(uint64_t *word))
{
    /* The health check every word passes (SP 800-90B's repetition test, cut off at 2 for
     * 64-bit words, where a true repeat has probability 2^-64): not all zeros, not all
     * ones, not the previous word. One failure drops the source. */
    uint8_t *p = buf;
    uint64_t prev = 0;
    bool first = true;
    while (len > 0) {
        uint64_t w = 0;
        if (!next(&w) || w == 0 || w == ~(uint64_t)0 || (!first && w == prev))
            return -1;
        prev = w;
        first = false;
        for (size_t i = 0; i < sizeof w && len > 0; i++, len--)
            *p++ = (uint8_t)(w >> (8 * i));
    }
    return 0;
}

int mirage_random_seed(void *buf, size_t len)
{
    if (mirage_seed_cpu(buf, len, true) == 0)
        return MIRAGE_SEED_RDSEED;
    if (mirage_seed_cpu(buf, len, false) == 0)
        return MIRAGE_SEED_RDRAND;
    mirage_seed_jitter(buf, len);
    return MIRAGE_SEED_JITTER;
}
