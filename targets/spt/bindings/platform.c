/* The platform interface (mirage/platform.h) on spt: every operation is one
 * or two raw system calls that the tender's seccomp filter allows. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>

#include "bindings.h"
#include "sys.h"

void mirage_platform_console_write(const char *buf, size_t len)
{
    while (len > 0) {
        long n = sys_write(1, buf, len);
        if (n == -SYS_EINTR)
            continue;
        if (n <= 0)
            return; /* nowhere to report it */
        buf += n;
        len -= (size_t)n;
    }
}

static uint64_t clock_ns(int clock)
{
    struct sys_timespec ts;
    if (sys_clock_gettime(clock, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t mirage_platform_monotonic_ns(void)
{
    return clock_ns(SYS_CLOCK_MONOTONIC);
}

uint64_t mirage_platform_wall_ns(void)
{
    return clock_ns(SYS_CLOCK_REALTIME);
}

uint64_t mirage_platform_yield(uint64_t deadline_ns)
{
    const struct solo5_spt_boot_info *bi = spt_boot_info;
    /* The timerfd takes the monotonic deadline as is (TFD_TIMER_ABSTIME). An
     * all-zero value would disarm it rather than fire, so never pass one. */
    struct sys_itimerspec it = {
        .it_interval = {0, 0},
        .it_value = {(int64_t)(deadline_ns / 1000000000ULL),
                     (int64_t)(deadline_ns % 1000000000ULL)},
    };
    if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0)
        it.it_value.tv_nsec = 1;
    if (sys_timerfd_settime(bi->timerfd, SYS_TFD_TIMER_ABSTIME, &it) != 0)
        mirage_platform_abort();

    struct sys_epoll_event ev[SOLO5_MFT_MAX_ENTRIES + 1];
    long n;
    do
        n = sys_epoll_pwait(bi->epollfd, ev, SOLO5_MFT_MAX_ENTRIES + 1, -1);
    while (n == -SYS_EINTR);
    if (n < 0)
        mirage_platform_abort();

    uint64_t ready = 0;
    for (long i = 0; i < n; i++)
        if (ev[i].data < SOLO5_MFT_MAX_ENTRIES)
            ready |= 1ULL << ev[i].data;
    return ready;
}

_Noreturn void mirage_platform_exit(int status)
{
    sys_exit_group(status);
}

_Noreturn void mirage_platform_abort(void)
{
    sys_exit_group(SOLO5_EXIT_ABORT);
}
