/* The basic virtio guest: prints a greeting and its arguments, then acts on
 * them in order:
 *   exit=N     exit with status N            abort     mirage_platform_abort()
 *   sleep=MS   yield until MS ms pass        clocks    print both clocks
 *   mark=TEXT  print "mark TEXT" (the host times these)
 *   null       write through a NULL-ish pointer (page fault)
 *   ud2        execute an invalid opcode     far       read above 4 GiB (page fault)
 *   smash      overflow a stack buffer (the stack protector must catch it)
 *   malloc     allocate and free some memory */
#include <stdint.h>
#include <stdlib.h>

#include "util.h"

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
    say("Hello from a virtio guest\n");
    say("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        say("argv[%d]=<%s>\n", i, argv[i]);
    if (argv[argc] != NULL)
        say("argv is not NULL-terminated\n");

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (starts_with(a, "exit=")) {
            status = atoi(a + 5);
        } else if (strcmp(a, "abort") == 0) {
            mirage_platform_abort();
        } else if (strcmp(a, "smash") == 0) {
            smash(64);
            say("smash survived\n");
        } else if (strcmp(a, "clocks") == 0) {
            say("monotonic_ns=%llu\nwall_ns=%llu\n",
                (unsigned long long)mirage_platform_monotonic_ns(),
                (unsigned long long)mirage_platform_wall_ns());
        } else if (starts_with(a, "mark=")) {
            say("mark %s\n", a + 5);
        } else if (starts_with(a, "sleep=")) {
            uint64_t t0 = mirage_platform_monotonic_ns();
            uint64_t deadline = t0 + (uint64_t)atoi(a + 6) * 1000000ULL;
            uint64_t ready = 0, yields = 0;
            while (mirage_platform_monotonic_ns() < deadline) {
                ready |= mirage_platform_yield(deadline);
                yields++;
            }
            say("slept_ns=%llu yields=%llu ready=%llu\n",
                (unsigned long long)(mirage_platform_monotonic_ns() - t0),
                (unsigned long long)yields, (unsigned long long)ready);
        } else if (strcmp(a, "null") == 0) {
            volatile uintptr_t addr = 0x18; /* hidden from the compiler's bounds checks */
            *(volatile uint64_t *)addr = 1;
            say("null write survived\n");
        } else if (strcmp(a, "far") == 0) {
            volatile uintptr_t addr = 0x7654321000ULL;
            (void)*(volatile uint64_t *)addr;
            say("far read survived\n");
        } else if (strcmp(a, "ud2") == 0) {
            __asm__ volatile("ud2");
        } else if (strcmp(a, "malloc") == 0) {
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
    }
    say("Goodbye\n");
    return status;
}
