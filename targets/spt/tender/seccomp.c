/* The spt sandbox: the guest runs as this process, restricted by a seccomp
 * filter to exactly the calls the Solo5 spt ABI allows, each pinned to its
 * descriptor (for block I/O, to whole aligned blocks inside the capacity;
 * for network writes, to frames of at most mtu + 14 bytes). */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "spt.h"
#include "util.h"

static void allow(scmp_filter_ctx ctx, int nr, const char *what, unsigned n,
                  const struct scmp_arg_cmp *cmp)
{
    int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
    if (rc != 0)
        tender_die("seccomp: cannot allow %s: %s", what, strerror(-rc));
}

#define ALLOW(ctx, name, ...)                                                  \
    do {                                                                       \
        const struct scmp_arg_cmp cmp_[] = {__VA_ARGS__};                      \
        allow(ctx, SCMP_SYS(name), #name, sizeof cmp_ / sizeof cmp_[0], cmp_); \
    } while (0)
#define ALLOW0(ctx, name) allow(ctx, SCMP_SYS(name), #name, 0, NULL)

/* Exactly one block at a block-aligned offset inside the capacity, as on hvt:
 * a guest can neither grow the file nor read past it. libseccomp takes one
 * comparison per argument, so the offsets are split into aligned power-of-two
 * runs of blocks (one per set bit of the block count), each one masked test:
 * the run's high bits and the block-offset bits. */
static void allow_blocks(scmp_filter_ctx ctx, int nr, const char *what,
                         const struct solo5_mft_entry *e)
{
    const uint64_t bs = e->u.block.block_size, blocks = e->u.block.capacity / bs;
    uint64_t base = 0;
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t run = 1ULL << bit;
        if (!(blocks & run))
            continue;
        uint64_t span = run * bs; /* no overflow: it is at most the capacity */
        struct scmp_arg_cmp cmp[] = {
            SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)e->b.hostfd),
            SCMP_A2(SCMP_CMP_EQ, bs),
            SCMP_A3(SCMP_CMP_MASKED_EQ, ~(span - 1) | (bs - 1), base),
        };
        allow(ctx, nr, what, 3, cmp);
        base += span;
    }
}

static scmp_filter_ctx build(const struct solo5_mft *mft, int epollfd, int timerfd)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL) /* kernels before 4.14 only kill the thread */
        ctx = seccomp_init(SCMP_ACT_KILL);
    if (ctx == NULL)
        tender_die("seccomp: cannot create a filter");

    ALLOW(ctx, write, SCMP_A0(SCMP_CMP_EQ, 1));
    /* The tender's own "exiting on signal" messages (util.c), nothing else on 2. */
    const int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        const char *msg;
        size_t len;
        tender_signal_message(sigs[i], &msg, &len);
        ALLOW(ctx, write, SCMP_A0(SCMP_CMP_EQ, 2), SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)(uintptr_t)msg),
              SCMP_A2(SCMP_CMP_EQ, len));
    }
    ALLOW0(ctx, exit_group);
    ALLOW(ctx, clock_gettime, SCMP_A0(SCMP_CMP_EQ, CLOCK_MONOTONIC));
    ALLOW(ctx, clock_gettime, SCMP_A0(SCMP_CMP_EQ, CLOCK_REALTIME));
    ALLOW(ctx, epoll_pwait, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)epollfd));
    ALLOW(ctx, timerfd_settime, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)timerfd));
    ALLOW(ctx, arch_prctl, SCMP_A0(SCMP_CMP_EQ, ARCH_SET_FS));

    for (unsigned i = 1; i < mft->entries; i++) {
        const struct solo5_mft_entry *e = &mft->e[i];
        scmp_datum_t fd = (scmp_datum_t)e->b.hostfd;
        if (e->type == SOLO5_MFT_NET_BASIC) {
            /* Frames up to mtu + 14 bytes, as hvt's NET_WRITE. */
            scmp_datum_t max = (scmp_datum_t)e->u.net.mtu + SOLO5_NET_HLEN;
            ALLOW(ctx, read, SCMP_A0(SCMP_CMP_EQ, fd));
            ALLOW(ctx, write, SCMP_A0(SCMP_CMP_EQ, fd), SCMP_A2(SCMP_CMP_LE, max));
        } else if (e->type == SOLO5_MFT_BLOCK_BASIC) {
            allow_blocks(ctx, SCMP_SYS(pread64), "pread64", e);
            allow_blocks(ctx, SCMP_SYS(pwrite64), "pwrite64", e);
        }
    }
    return ctx;
}

void spt_seccomp_install(const struct solo5_mft *mft, int epollfd, int timerfd)
{
    scmp_filter_ctx ctx = build(mft, epollfd, timerfd);

    /* seccomp_load() frees memory after loading the filter, and free() may
     * need brk/munmap, which the filter forbids. So export the BPF program
     * (through a memfd: this libseccomp has no in-memory export), load it
     * ourselves, and free nothing afterwards. */
    int mfd = memfd_create("spt-seccomp", MFD_CLOEXEC);
    if (mfd < 0)
        tender_die_errno("seccomp: memfd_create");
    int rc = seccomp_export_bpf(ctx, mfd);
    if (rc != 0)
        tender_die("seccomp: cannot export the filter: %s", strerror(-rc));
    seccomp_release(ctx);
    struct stat st;
    if (fstat(mfd, &st) < 0)
        tender_die_errno("seccomp: fstat");
    size_t len = (size_t)st.st_size;
    if (len == 0 || len % sizeof(struct sock_filter) != 0 ||
        len / sizeof(struct sock_filter) > BPF_MAXINSNS)
        tender_die("seccomp: unexpected filter size %zu", len);
    void *prog = mmap(NULL, len, PROT_READ, MAP_PRIVATE, mfd, 0);
    if (prog == MAP_FAILED)
        tender_die_errno("seccomp: mmap");
    close(mfd);

    struct sock_fprog fprog = {
        .len = (unsigned short)(len / sizeof(struct sock_filter)),
        .filter = prog,
    };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        tender_die_errno("prctl(PR_SET_NO_NEW_PRIVS)");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
        tender_die_errno("seccomp(SECCOMP_SET_MODE_FILTER)");
    /* The mapping stays: unmapping it would be a forbidden syscall. */
}
