/* The unix target: the unikernel is an ordinary process. The console is fd 1,
 * the clocks are clock_gettime, and waiting is ppoll on the fds drivers map to
 * device handles. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <mirage/errors.h>
#include <mirage/platform.h>
#include <unix_platform.h>

#define NHANDLES 64

/* fd + 1 per handle, so the zero-initialised table means "no fd". */
static int handle_fd1[NHANDLES];

int mirage_unix_watch_fd(unsigned handle, int fd)
{
    if (handle >= NHANDLES)
        return MIRAGE_EINVAL;
    handle_fd1[handle] = fd < 0 ? 0 : fd + 1;
    return 0;
}

void mirage_platform_console_write(const char *buf, size_t len)
{
    /* Unbuffered: nothing to flush at exit. Retry partial and interrupted writes;
     * give up silently on a real error (the console "never fails visibly"). */
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t mirage_platform_monotonic_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

uint64_t mirage_platform_wall_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}

uint64_t mirage_platform_yield(uint64_t deadline_ns)
{
    struct pollfd fds[NHANDLES];
    unsigned handles[NHANDLES];
    nfds_t n = 0;
    for (unsigned h = 0; h < NHANDLES; h++) {
        if (handle_fd1[h] != 0) {
            fds[n].fd = handle_fd1[h] - 1;
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            handles[n++] = h;
        }
    }
    struct timespec ts, *timeout = NULL; /* UINT64_MAX: wait for input only */
    if (deadline_ns != UINT64_MAX) {
        uint64_t now = mirage_platform_monotonic_ns();
        uint64_t wait = deadline_ns > now ? deadline_ns - now : 0;
        ts.tv_sec = (time_t)(wait / 1000000000u);
        ts.tv_nsec = (long)(wait % 1000000000u);
        timeout = &ts;
    }
    /* An early return (EINTR) is harmless: the loop just turns again. */
    if (ppoll(fds, n, timeout, NULL) <= 0)
        return 0;
    uint64_t ready = 0;
    for (nfds_t i = 0; i < n; i++)
        if (fds[i].revents != 0)
            ready |= UINT64_C(1) << handles[i];
    return ready;
}

_Noreturn void mirage_platform_exit(int status)
{
    exit(status);
}

_Noreturn void mirage_platform_abort(void)
{
    abort();
}

int main(int argc, char **argv)
{
    return mirage_main(argc, argv); /* returning from main is exit(status) */
}
