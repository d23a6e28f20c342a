/* The basic hvt test guest: prints a greeting, its arguments and heap, then
 * acts on its arguments:
 *   exit=N     exit with status N         abort    mirage_platform_abort()
 *   sleep=MS   yield until MS ms pass     clocks   both clocks, twice, 5 ms apart
 *   smash      overflow a stack buffer (the stack protector must catch it)
 *   fault=K    a CPU exception the bindings must report: ud2, rowrite (write
 *              to the read-only boot info), null (read address 0), div0
 * Lines are formatted first and written whole: one PUTS hypercall each. */
#include <stdarg.h>
#include <stdio.h>

#include "../../tender/guests/support.h"

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        mirage_platform_console_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

__attribute__((noinline)) static void smash(volatile unsigned n)
{
    char buf[16];
    for (volatile unsigned i = 0; i < n; i++)
        buf[i] = 'A';
    __asm__ volatile("" : : "r"(buf) : "memory");
}

static void fault(const char *kind)
{
    say("fault %s\n", kind);
    if (str_eq(kind, "ud2"))
        __asm__ volatile("ud2");
    else if (str_eq(kind, "rowrite"))
        *(volatile uint32_t *)0x10000 = 1; /* the boot info: read-only */
    else if (str_eq(kind, "null"))
        (void)*(volatile uint64_t *)0;
    else if (str_eq(kind, "div0")) {
        uint32_t q, r, zero = 0;
        __asm__ volatile("divl %4" : "=a"(q), "=d"(r) : "0"(1u), "1"(0u), "r"(zero));
        (void)r;
        say("%u\n", q);
    }
    say("fault %s survived\n", kind);
}

int mirage_main(int argc, char **argv)
{
    int status = 0;
    say("Hello from an hvt guest\nargc=%d\n", argc);
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
        } else if (str_prefix(a, "fault=")) {
            fault(a + 6);
        }
    }
    say("Goodbye\n");
    return status;
}
