/* The basic guest: prints a greeting and its arguments, then acts on them:
 *   exit=N    exit with status N          abort   mirage_platform_abort()
 *   sleep=MS  yield until MS ms pass      clocks  print both clocks
 *   smash     overflow a stack buffer (the stack protector must catch it) */
#include "support.h"

__attribute__((noinline)) static void smash(volatile unsigned n)
{
    char buf[16];
    for (volatile unsigned i = 0; i < n; i++)
        buf[i] = 'A';
    __asm__ volatile("" : : "r"(buf) : "memory");
}

int mirage_main(int argc, char **argv)
{
    int status = 0;
    put("Hello from an spt guest\n");
    put("argc=");
    put_u64((uint64_t)argc);
    put("\n");
    for (int i = 0; i < argc; i++) {
        put("argv[");
        put_u64((uint64_t)i);
        put("]=<");
        put(argv[i]);
        put(">\n");
    }
    if (argv[argc] != NULL)
        put("argv is not NULL-terminated\n");
    put("heap=");
    put_hex((uint64_t)(uintptr_t)test_heap_base);
    put(" size=");
    put_u64(test_heap_size);
    put("\n");

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (str_prefix(a, "exit=")) {
            status = (int)parse_u64(a + 5);
        } else if (str_eq(a, "abort")) {
            mirage_platform_abort();
        } else if (str_eq(a, "smash")) {
            smash(64);
            put("smash survived\n");
        } else if (str_eq(a, "clocks")) {
            put("monotonic_ns=");
            put_u64(mirage_platform_monotonic_ns());
            put("\nwall_ns=");
            put_u64(mirage_platform_wall_ns());
            put("\n");
        } else if (str_prefix(a, "sleep=")) {
            uint64_t t0 = mirage_platform_monotonic_ns();
            uint64_t deadline = t0 + parse_u64(a + 6) * 1000000ULL;
            uint64_t ready = 0, yields = 0;
            while (mirage_platform_monotonic_ns() < deadline) {
                ready |= mirage_platform_yield(deadline);
                yields++;
            }
            put("slept_ns=");
            put_u64(mirage_platform_monotonic_ns() - t0);
            put(" yields=");
            put_u64(yields);
            put(" ready=");
            put_u64(ready);
            put("\n");
        }
    }
    put("Goodbye\n");
    return status;
}
