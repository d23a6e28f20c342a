/* Clocks and time: ambient services, so connecting has nothing to do and the
 * readings come straight from the platform. Sleeping lives in loop.c. */
#include <stdint.h>

#include <mirage/clock.h>
#include <mirage/platform.h>
#include <mirage/time.h>

int default_time_connect(struct mirage_time *out)
{
    out->unused = 0;
    return 0;
}

int default_monotonic_clock_connect(struct mirage_mclock *out)
{
    out->unused = 0;
    return 0;
}

int default_posix_clock_connect(struct mirage_pclock *out)
{
    out->unused = 0;
    return 0;
}

uint64_t mirage_mclock_ns(void)
{
    return mirage_platform_monotonic_ns();
}

uint64_t mirage_pclock_ns(void)
{
    return mirage_platform_wall_ns();
}
