/* The platform interface (mirage/platform.h) on hvt: the console, yield and
 * exit are hypercalls; the monotonic clock is the TSC scaled by the boot
 * info's cpu_cycle_freq; the wall clock is one WALLTIME hypercall, then
 * extrapolated with the monotonic clock. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>

#include "bindings.h"

#define NSEC_PER_SEC 1000000000ULL

static uint64_t tsc_hz, tsc_base, last_ns;
static uint64_t wall_offset; /* wall clock minus monotonic clock, once known */
static int wall_known;

void hvt_puts(const char *buf, size_t len)
{
    volatile struct solo5_hvt_puts a = {.data = (uint64_t)(uintptr_t)buf, .len = len};
    hvt_hypercall(SOLO5_HVT_HC_PUTS, &a);
}

void mirage_platform_console_write(const char *buf, size_t len)
{
    if (len > 0)
        hvt_puts(buf, len);
}

void hvt_halt(int status)
{
    volatile struct solo5_hvt_halt a = {.cookie = 0, .exit_status = status};
    for (;;) /* HALT does not return; if it ever did, ask again */
        hvt_hypercall(SOLO5_HVT_HC_HALT, &a);
}

void hvt_time_init(const struct solo5_hvt_boot_info *bi)
{
    tsc_hz = bi->cpu_cycle_freq;
    tsc_base = hvt_rdtsc();
    if (tsc_hz == 0) {
        static const char msg[] = "mirage: the tender gave no TSC frequency\n";
        hvt_puts(msg, sizeof msg - 1);
        hvt_halt(SOLO5_EXIT_ABORT);
    }
}

/* cycles * 1e9 / hz without overflow: whole seconds and the remainder apart.
 * The remainder is below hz, so rem * 1e9 fits in 64 bits for any TSC under
 * 18 GHz; beyond that, both are scaled down (losing only precision). */
static uint64_t cycles_to_ns(uint64_t cycles, uint64_t hz)
{
    uint64_t secs = cycles / hz, rem = cycles % hz;
    while (rem > UINT64_MAX / NSEC_PER_SEC) {
        rem >>= 1;
        hz >>= 1;
    }
    return secs * NSEC_PER_SEC + rem * NSEC_PER_SEC / hz;
}

uint64_t mirage_platform_monotonic_ns(void)
{
    uint64_t ns = cycles_to_ns(hvt_rdtsc() - tsc_base, tsc_hz);
    if (ns < last_ns) /* never backwards, whatever the TSC does */
        ns = last_ns;
    last_ns = ns;
    return ns;
}

uint64_t mirage_platform_wall_ns(void)
{
    if (!wall_known) {
        volatile struct solo5_hvt_walltime a = {0};
        hvt_hypercall(SOLO5_HVT_HC_WALLTIME, &a);
        wall_offset = a.nsecs - mirage_platform_monotonic_ns();
        wall_known = 1;
    }
    return wall_offset + mirage_platform_monotonic_ns();
}

uint64_t mirage_platform_yield(uint64_t deadline_ns)
{
    uint64_t now = mirage_platform_monotonic_ns();
    volatile struct solo5_hvt_poll a = {
        .timeout_nsecs = deadline_ns > now ? deadline_ns - now : 0,
    };
    hvt_hypercall(SOLO5_HVT_HC_POLL, &a);
    return a.ready_set;
}

_Noreturn void mirage_platform_exit(int status)
{
    hvt_halt(status);
}

_Noreturn void mirage_platform_abort(void)
{
    hvt_halt(SOLO5_EXIT_ABORT);
}
