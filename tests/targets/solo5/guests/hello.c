/* The basic test guest of every Solo5 target: prints a greeting
 * (GUEST_GREETING, from the build), its arguments and heap, then acts on its
 * arguments in order:
 *   exit=N     exit with status N         abort    mirage_platform_abort()
 *   sleep=MS   yield until MS ms pass     clocks   both clocks, twice, 5 ms apart
 *   mark=TEXT  print "mark TEXT" (the host times these)
 *   malloc     allocate and free some memory
 *   smash      overflow a stack buffer (the stack protector must catch it)
 *   fault=K    a CPU exception the bindings must report: ud2, div0, null
 *              (read address 0), null-write (write address 0x18), far (read
 *              above 4 GiB), rowrite (write hvt's read-only boot info)
 *   null, far, ud2   fault=null-write, fault=far, fault=ud2 */
#include <stdlib.h>
#include <string.h>

#include "support.h"

#ifndef GUEST_GREETING
#error "define GUEST_GREETING, the first line (\"Hello from an spt guest\")"
#endif

__attribute__((noinline)) static void smash(volatile unsigned n)
{
    char buf[16];
    for (volatile unsigned i = 0; i < n; i++)
        buf[i] = 'A';
    __asm__ volatile("" : : "r"(buf) : "memory");
}

static void fault(const char *kind)
{
    volatile uintptr_t addr = 0; /* hidden from the compiler's bounds checks */
    say("fault %s\n", kind);
    if (str_eq(kind, "ud2")) {
        __asm__ volatile("ud2");
    } else if (str_eq(kind, "div0")) {
        uint32_t q, r, zero = 0;
        __asm__ volatile("divl %4" : "=a"(q), "=d"(r) : "0"(1u), "1"(0u), "r"(zero));
        (void)r;
        say("%u\n", q);
    } else if (str_eq(kind, "null")) {
        (void)*(volatile uint64_t *)addr;
    } else if (str_eq(kind, "null-write")) {
        addr = 0x18;
        *(volatile uint64_t *)addr = 1;
    } else if (str_eq(kind, "far")) {
        addr = 0x7654321000ULL;
        (void)*(volatile uint64_t *)addr;
    } else if (str_eq(kind, "rowrite")) {
        addr = 0x10000;
        *(volatile uint32_t *)addr = 1;
    }
    say("fault %s survived\n", kind);
}

static void allocate(void)
{
    size_t total = 0;
    for (int k = 0; k < 64; k++) {
        void *p = malloc(64 * 1024);
        if (p == NULL)
            break;
        memset(p, k, 64 * 1024);
        total += 64 * 1024;
        free(p);
    }
    void *big = malloc(8 * 1024 * 1024);
    say("malloc ok total=%zu big=%s\n", total, big ? "yes" : "no");
    free(big);
}

int mirage_main(int argc, char **argv)
{
    int status = 0;
    say(GUEST_GREETING "\nargc=%d\n", argc);
    for (int i = 0; i < argc; i++) { /* arguments may be longer than a say() line */
        say("argv[%d]=<", i);
        put(argv[i]);
        put(">\n");
    }
    if (argv[argc] != NULL)
        say("argv is not NULL-terminated\n");
    say("heap=0x%llx size=%llu\n", (unsigned long long)(uintptr_t)test_heap_base,
        (unsigned long long)test_heap_size);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (str_prefix(a, "exit=")) {
            status = (int)parse_u64(a + 5);
        } else if (str_eq(a, "abort")) {
            mirage_platform_abort();
        } else if (str_eq(a, "smash")) {
            smash(64);
            say("smash survived\n");
        } else if (str_eq(a, "clocks")) {
            uint64_t m0 = mirage_platform_monotonic_ns(), w0 = mirage_platform_wall_ns();
            while (mirage_platform_monotonic_ns() < m0 + 5000000)
                ;
            uint64_t m1 = mirage_platform_monotonic_ns(), w1 = mirage_platform_wall_ns();
            say("monotonic_ns=%llu %llu\nwall_ns=%llu %llu\n", (unsigned long long)m0,
                (unsigned long long)m1, (unsigned long long)w0, (unsigned long long)w1);
        } else if (str_prefix(a, "sleep=")) {
            uint64_t t0 = mirage_platform_monotonic_ns();
            uint64_t deadline = t0 + parse_u64(a + 6) * 1000000ULL;
            uint64_t ready = 0, yields = 0;
            while (mirage_platform_monotonic_ns() < deadline) {
                ready |= mirage_platform_yield(deadline);
                yields++;
            }
            say("slept_ns=%llu yields=%llu ready=%llu\n",
                (unsigned long long)(mirage_platform_monotonic_ns() - t0),
                (unsigned long long)yields, (unsigned long long)ready);
        } else if (str_prefix(a, "mark=")) {
            say("mark %s\n", a + 5);
        } else if (str_eq(a, "malloc")) {
            allocate();
        } else if (str_prefix(a, "fault=")) {
            fault(a + 6);
        } else if (str_eq(a, "null")) {
            fault("null-write");
        } else if (str_eq(a, "far") || str_eq(a, "ud2")) {
            fault(a);
        }
    }
    say("Goodbye\n");
    return status;
}
