/* The unix target: the unikernel is an ordinary process. The console is fd 1,
 * the clocks are clock_gettime, and waiting is ppoll on the fds drivers map to
 * device handles. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <mirage/errors.h>
#include <mirage/platform.h>
#include <unix_platform.h>

#define NHANDLES 64
#define NATTACH 64 /* as a Solo5 manifest's entries */
#define EX_USAGE 64 /* a bad command line, as for a bad boot argument */

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

/* Platform options: --KIND:NAME=HOST, before the boot arguments. */
static struct attached {
    const char *kind; /* a literal: "net" or "block" */
    const char *name, *host;
    size_t name_len;
    bool used;
} attached[NATTACH];
static unsigned nattached;

const char *mirage_unix_attached(const char *kind, const char *name)
{
    for (unsigned i = 0; i < nattached; i++) {
        struct attached *a = &attached[i];
        if (strcmp(a->kind, kind) == 0 && strlen(name) == a->name_len &&
            strncmp(a->name, name, a->name_len) == 0) {
            a->used = true;
            return a->host;
        }
    }
    return NULL;
}

static _Noreturn void usage(const char *arg, const char *why)
{
    fprintf(stderr, "%s: %s\n", arg, why);
    exit(EX_USAGE);
}

/* Take the leading platform options off argv; returns how many there were. */
static int take_attachments(int argc, char **argv)
{
    static const char *const kinds[] = {"net", "block"};
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i], *kind = NULL;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            size_t n = strlen(kinds[k]);
            if (strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, kinds[k], n) == 0 && arg[2 + n] == ':')
                kind = kinds[k];
        }
        if (kind == NULL)
            break;
        const char *name = arg + 3 + strlen(kind), *eq = strchr(name, '=');
        if (eq == NULL || eq == name || eq[1] == '\0')
            usage(arg, "expected --net:NAME=TAP or --block:NAME=FILE");
        for (unsigned j = 0; j < nattached; j++)
            if (strcmp(attached[j].kind, kind) == 0 && attached[j].name_len == (size_t)(eq - name) &&
                strncmp(attached[j].name, name, attached[j].name_len) == 0)
                usage(arg, "this device is attached twice");
        if (nattached == NATTACH)
            usage(arg, "too many devices attached");
        attached[nattached++] = (struct attached){kind, name, eq + 1, (size_t)(eq - name), false};
    }
    return i - 1;
}

/* An attachment no device took is a mistake the user should hear of, as a Solo5
 * tender refuses a device the image lacks. */
void mirage_platform_connected(void)
{
    for (unsigned i = 0; i < nattached; i++)
        if (!attached[i].used) {
            fprintf(stderr, "--%s:%.*s=%s: this unikernel has no %s device named '%.*s'\n", attached[i].kind,
                    (int)attached[i].name_len, attached[i].name, attached[i].host, attached[i].kind,
                    (int)attached[i].name_len, attached[i].name);
            exit(EX_USAGE);
        }
}

int main(int argc, char **argv)
{
    int taken = take_attachments(argc, argv);
    argv[taken] = argv[0];
    return mirage_main(argc - taken, argv + taken); /* returning from main is exit(status) */
}
