/* The spt sandbox: the guest runs as this process, restricted by a seccomp
 * filter to exactly the calls the Solo5 spt ABI allows, each pinned to its
 * descriptor (and, for block I/O, to whole blocks inside the capacity). */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
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

static scmp_filter_ctx build(const struct solo5_mft *mft, int epollfd, int timerfd)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL) /* kernels before 4.14 only kill the thread */
        ctx = seccomp_init(SCMP_ACT_KILL);
    if (ctx == NULL)
        tender_die("seccomp: cannot create a filter");

    ALLOW(ctx, write, SCMP_A0(SCMP_CMP_EQ, 1));
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
            ALLOW(ctx, read, SCMP_A0(SCMP_CMP_EQ, fd));
            ALLOW(ctx, write, SCMP_A0(SCMP_CMP_EQ, fd));
        } else if (e->type == SOLO5_MFT_BLOCK_BASIC) {
            /* One whole block at an offset inside the capacity: a guest can
             * neither grow the file nor read past it. (Alignment of the
             * offset is the bindings' business.) */
            scmp_datum_t bs = e->u.block.block_size;
            scmp_datum_t last = e->u.block.capacity - e->u.block.block_size;
            ALLOW(ctx, pread64, SCMP_A0(SCMP_CMP_EQ, fd), SCMP_A2(SCMP_CMP_EQ, bs),
                  SCMP_A3(SCMP_CMP_LE, last));
            ALLOW(ctx, pwrite64, SCMP_A0(SCMP_CMP_EQ, fd), SCMP_A2(SCMP_CMP_EQ, bs),
                  SCMP_A3(SCMP_CMP_LE, last));
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
