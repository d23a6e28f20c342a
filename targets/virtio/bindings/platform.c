/* The platform interface (mirage/platform.h) on virtio: the serial console,
 * the TSC and RTC clocks, a polling yield and isa-debug-exit. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>

#include "bindings.h"
#include "io.h"

void mirage_platform_console_write(const char *buf, size_t len)
{
    serial_write(buf, len);
}

uint64_t mirage_platform_monotonic_ns(void)
{
    return clock_monotonic_ns();
}

uint64_t mirage_platform_wall_ns(void)
{
    return wallclock_ns();
}

/* No interrupts: spin on the devices' used rings and the clock. `pause`
 * keeps the spin cheap (and under QEMU TCG lets the device models run);
 * `hlt` would sleep forever, as nothing raises an interrupt. */
uint64_t mirage_platform_yield(uint64_t deadline_ns)
{
    for (;;) {
        uint64_t ready = devices_ready();
        if (ready != 0 || clock_monotonic_ns() >= deadline_ns)
            return ready;
        cpu_relax();
    }
}

_Noreturn void mirage_platform_exit(int status)
{
    virtio_halt(status);
}

_Noreturn void mirage_platform_abort(void)
{
    virtio_halt(VIRTIO_EXIT_ABORT);
}
