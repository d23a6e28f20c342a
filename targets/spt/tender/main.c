/* The spt tender: runs a Solo5 spt unikernel as this very process.
 *
 * Guest memory is mapped at host address 0x10000 so guest addresses are host
 * addresses; the image is loaded at its link addresses, the boot info, the
 * manifest (with host descriptors) and the command line are written at
 * 0x11000, a seccomp filter restricts the process to the spt ABI's syscalls,
 * and control jumps to the image's entry with RDI = 0x11000. The guest's
 * exit_group status is the tender's exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "args.h"
#include "devices.h"
#include "elf_load.h"
#include "spt.h"
#include "util.h"

#define MIN_MEM_MIB 2
#define DEFAULT_MEM_MIB 512
/* Guest memory ends below the PIE tender and its libraries (at 0x55.. and
 * 0x7f..); 64 GiB leaves ample room. */
#define MAX_MEM_MIB (64ULL * 1024)

static int protect(void *arg, uint64_t start, uint64_t end, int prot)
{
    (void)arg;
    return mprotect((void *)(uintptr_t)start, end - start, prot);
}

static void map_guest_memory(uint64_t mem_size)
{
    const uint64_t base = SOLO5_SPT_HOST_MEM_BASE;
    void *p = mmap((void *)(uintptr_t)base, mem_size - base, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED && errno == EEXIST)
        tender_die("guest memory [0x%llx, 0x%llx) overlaps the tender's own mappings "
                   "(use a smaller --mem, and build the tender as PIE)",
                   (unsigned long long)base, (unsigned long long)mem_size);
    if (p == MAP_FAILED)
        tender_die_errno("cannot map %llu MiB of guest memory",
                         (unsigned long long)(mem_size >> 20));
    if (p != (void *)(uintptr_t)base) /* a kernel without MAP_FIXED_NOREPLACE */
        tender_die("guest memory could not be mapped at 0x%llx", (unsigned long long)base);
}

/* Boot info at 0x11000, then the manifest copy, then the command line. */
static void write_boot_info(uint64_t mem_size, uint64_t kernel_end, const struct solo5_mft *mft,
                            size_t mft_size, const char cmdline[SOLO5_CMDLINE_SIZE], int epollfd, int timerfd)
{
    uint64_t at = SOLO5_SPT_BOOT_INFO_BASE;
    struct solo5_spt_boot_info *bi = (void *)(uintptr_t)at;
    at += sizeof *bi;
    uint64_t mft_at = at;
    at += mft_size;
    uint64_t cmdline_at = at;
    at += SOLO5_CMDLINE_SIZE;
    if (at > SOLO5_GUEST_MIN_BASE) /* cannot happen: a manifest is at most 6664 bytes */
        tender_die("boot information does not fit below the image");

    memcpy((void *)(uintptr_t)mft_at, mft, mft_size);
    memcpy((void *)(uintptr_t)cmdline_at, cmdline, SOLO5_CMDLINE_SIZE);
    bi->mem_size = mem_size;
    bi->kernel_end = kernel_end;
    bi->cmdline = cmdline_at;
    bi->mft = mft_at;
    bi->epollfd = epollfd;
    bi->timerfd = timerfd;
}

static void setup_events(const struct solo5_mft *mft, int *epollfd, int *timerfd)
{
    *epollfd = epoll_create1(EPOLL_CLOEXEC);
    if (*epollfd < 0)
        tender_die_errno("epoll_create1");
    *timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (*timerfd < 0)
        tender_die_errno("timerfd_create");
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = SOLO5_SPT_TIMERFD_DATA};
    if (epoll_ctl(*epollfd, EPOLL_CTL_ADD, *timerfd, &ev) < 0)
        tender_die_errno("epoll_ctl(timerfd)");
    for (unsigned i = 1; i < mft->entries; i++) {
        if (mft->e[i].type != SOLO5_MFT_NET_BASIC)
            continue;
        ev.events = EPOLLIN;
        ev.data.u64 = i; /* the device handle: its manifest index */
        if (epoll_ctl(*epollfd, EPOLL_CTL_ADD, mft->e[i].b.hostfd, &ev) < 0)
            tender_die_errno("network device '%s': epoll_ctl", mft->e[i].name);
    }
}

__attribute__((noreturn))
static void launch(uint64_t entry, uint64_t stack, uint64_t boot_info)
{
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "jmp *%1"
                     :
                     : "r"(stack), "r"(entry), "D"(boot_info)
                     : "memory");
    __builtin_unreachable();
}

int main(int argc, char **argv)
{
    tender_set_name(argc > 0 ? basename(argv[0]) : "spt");

    static struct tender_args args;
    static const struct tender_args_config cfg = {
        .target = "spt",
        .abi_version = SOLO5_SPT_ABI_VERSION,
        .default_mem_mib = DEFAULT_MEM_MIB,
        .min_mem_mib = MIN_MEM_MIB,
        .max_mem_mib = MAX_MEM_MIB,
    };
    tender_args_parse(&args, &cfg, argc, argv);
    tender_exit_on_signals();

    /* Some systems make every readable mapping executable for processes
     * whose personality says so; guest data must never be executable. */
    int persona = personality(0xffffffff);
    if (persona < 0 || (persona & READ_IMPLIES_EXEC))
        tender_die("refusing to run with the READ_IMPLIES_EXEC personality");

    struct elf_image img;
    elf_open(&img, args.kernel);
    elf_check_abi(&img, SOLO5_TARGET_SPT, SOLO5_SPT_ABI_VERSION, "spt");
    size_t mft_size;
    struct solo5_mft *mft = elf_read_manifest(&img, &mft_size);
    devices_attach(mft, &args);

    map_guest_memory(args.mem_size);
    uint64_t entry, kernel_end;
    elf_load(&img, 0, args.mem_size, protect, NULL, &entry, &kernel_end);
    elf_close(&img);

    int epollfd, timerfd;
    setup_events(mft, &epollfd, &timerfd);
    write_boot_info(args.mem_size, kernel_end, mft, mft_size, args.cmdline, epollfd, timerfd);

    spt_seccomp_install(mft, epollfd, timerfd);
    /* x86_64: RSP = mem_size - 8, i.e. aligned as just after a call. */
    launch(entry, args.mem_size - 8, SOLO5_SPT_BOOT_INFO_BASE);
}
