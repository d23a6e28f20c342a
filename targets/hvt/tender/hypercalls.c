/* The hvt hypercalls. The guest names an argument struct by its 32-bit
 * guest-physical address; the tender copies it in, checks every address and
 * length it carries against guest memory (a bad one ends the tender: the guest
 * is broken or hostile), does the work, and copies results back.
 * Device-level problems (unknown handle, misaligned block, a frame longer
 * than mtu + 14) are results: EINVAL. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "hvt.h"

/* Argument structs are copied whole, in and out, so the tender never holds a
 * pointer into guest memory while it works. */
#define ARG_IN(h, gpa, var, what) memcpy(&(var), hvt_guest_read(h, gpa, sizeof(var), what), sizeof(var))
#define ARG_OUT(h, gpa, var, what) memcpy(hvt_guest_write(h, gpa, sizeof(var), what), &(var), sizeof(var))

static const struct solo5_mft_entry *device(struct hvt *h, uint64_t handle, uint32_t type)
{
    if (handle == 0 || handle >= h->mft->entries)
        return NULL;
    const struct solo5_mft_entry *e = &h->mft->e[handle];
    return e->type == type && e->attached ? e : NULL;
}

static void walltime(struct hvt *h, uint32_t gpa)
{
    struct solo5_hvt_walltime a;
    hvt_guest_write(h, gpa, sizeof a, "WALLTIME argument");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    a.nsecs = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    ARG_OUT(h, gpa, a, "WALLTIME argument");
}

static void puts_(struct hvt *h, uint32_t gpa)
{
    struct solo5_hvt_puts a;
    ARG_IN(h, gpa, a, "PUTS argument");
    const char *p = hvt_guest_read(h, a.data, a.len, "PUTS data");
    uint64_t left = a.len;
    while (left > 0) {
        ssize_t n = write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the console is gone; the guest cannot do better */
        p += n;
        left -= (uint64_t)n;
    }
}

static void poll_(struct hvt *h, uint32_t gpa)
{
    struct solo5_hvt_poll a;
    ARG_IN(h, gpa, a, "POLL argument");
    hvt_guest_write(h, gpa, sizeof a, "POLL argument");

    struct pollfd fds[SOLO5_MFT_MAX_ENTRIES];
    unsigned index[SOLO5_MFT_MAX_ENTRIES];
    nfds_t n = 0;
    for (unsigned i = 1; i < h->mft->entries; i++) {
        if (h->mft->e[i].type != SOLO5_MFT_NET_BASIC)
            continue;
        fds[n] = (struct pollfd){.fd = h->mft->e[i].b.hostfd, .events = POLLIN};
        index[n++] = i;
    }
    struct timespec ts = {.tv_sec = (time_t)(a.timeout_nsecs / 1000000000ULL),
                          .tv_nsec = (long)(a.timeout_nsecs % 1000000000ULL)};
    int r = ppoll(fds, n, &ts, NULL);
    if (r < 0 && errno != EINTR)
        tender_die_errno("POLL: ppoll");
    a.ready_set = 0;
    for (nfds_t i = 0; r > 0 && i < n; i++)
        if (fds[i].revents & POLLIN)
            a.ready_set |= 1ULL << index[i];
    a.ret = SOLO5_R_OK;
    ARG_OUT(h, gpa, a, "POLL argument");
}

static void block_io(struct hvt *h, uint32_t gpa, int write_)
{
    const char *what = write_ ? "BLOCK_WRITE argument" : "BLOCK_READ argument";
    struct solo5_hvt_block_io a;
    ARG_IN(h, gpa, a, what);
    hvt_guest_write(h, gpa, sizeof a, what);
    /* The guest buffer is checked before the request: a bad one is fatal
     * whatever the device says. */
    void *buf = write_ ? hvt_guest_read(h, a.data, a.len, "BLOCK_WRITE data")
                       : hvt_guest_write(h, a.data, a.len, "BLOCK_READ data");

    const struct solo5_mft_entry *e = device(h, a.handle, SOLO5_MFT_BLOCK_BASIC);
    a.ret = SOLO5_R_EINVAL;
    if (e != NULL) {
        const uint64_t bs = e->u.block.block_size, cap = e->u.block.capacity;
        /* Exactly one block at a block-aligned offset inside the device. */
        if (a.len == bs && a.offset % bs == 0 && a.offset <= cap - bs) {
            ssize_t n;
            do
                n = write_ ? pwrite(e->b.hostfd, buf, bs, (off_t)a.offset)
                           : pread(e->b.hostfd, buf, bs, (off_t)a.offset);
            while (n < 0 && errno == EINTR);
            a.ret = n == (ssize_t)bs ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
        }
    }
    ARG_OUT(h, gpa, a, what);
}

static void net_io(struct hvt *h, uint32_t gpa, int write_)
{
    const char *what = write_ ? "NET_WRITE argument" : "NET_READ argument";
    struct solo5_hvt_net_io a;
    ARG_IN(h, gpa, a, what);
    hvt_guest_write(h, gpa, sizeof a, what);
    void *buf = write_ ? hvt_guest_read(h, a.data, a.len, "NET_WRITE data")
                       : hvt_guest_write(h, a.data, a.len, "NET_READ data");

    const struct solo5_mft_entry *e = device(h, a.handle, SOLO5_MFT_NET_BASIC);
    a.ret = SOLO5_R_EINVAL;
    /* No frame beyond the MTU: a tap (or socket) would take one, up to 64 KiB. */
    if (e != NULL && write_ && a.len > (uint64_t)e->u.net.mtu + SOLO5_NET_HLEN)
        e = NULL;
    if (e != NULL) {
        ssize_t n;
        do
            n = write_ ? write(e->b.hostfd, buf, a.len) : read(e->b.hostfd, buf, a.len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            a.ret = !write_ && (errno == EAGAIN || errno == EWOULDBLOCK) ? SOLO5_R_AGAIN
                                                                        : SOLO5_R_EUNSPEC;
        else if (write_)
            a.ret = (uint64_t)n == a.len ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
        else {
            a.len = (uint64_t)n;
            a.ret = SOLO5_R_OK;
        }
    }
    ARG_OUT(h, gpa, a, what);
}

__attribute__((noreturn))
static void halt(struct hvt *h, uint32_t gpa)
{
    struct solo5_hvt_halt a;
    ARG_IN(h, gpa, a, "HALT argument");
    /* The cookie (a guest address for a core dump) is not used. */
    fflush(NULL);
    exit(a.exit_status & 0xff);
}

void hvt_hypercall(struct hvt *h, unsigned nr, uint32_t gpa)
{
    switch (nr) {
    case SOLO5_HVT_HC_WALLTIME: walltime(h, gpa); break;
    case SOLO5_HVT_HC_PUTS: puts_(h, gpa); break;
    case SOLO5_HVT_HC_POLL: poll_(h, gpa); break;
    case SOLO5_HVT_HC_BLOCK_WRITE: block_io(h, gpa, 1); break;
    case SOLO5_HVT_HC_BLOCK_READ: block_io(h, gpa, 0); break;
    case SOLO5_HVT_HC_NET_WRITE: net_io(h, gpa, 1); break;
    case SOLO5_HVT_HC_NET_READ: net_io(h, gpa, 0); break;
    case SOLO5_HVT_HC_HALT: halt(h, gpa);
    default:
        tender_die("invalid hypercall %u (OUT to port 0x%x)", nr, SOLO5_HVT_HYPERCALL_PIO_BASE + nr);
    }
}
