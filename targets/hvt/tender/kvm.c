/* The KVM side of the hvt tender: one VM, one memory slot, one vCPU started
 * directly in 64-bit long mode, and the run loop that turns vCPU exits into
 * hypercalls or fatal errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "hvt.h"

#define KVM_DEVICE "/dev/kvm"

/* Control registers at entry: CR0 = PE | NE | WP | PG, CR3 = the PML4,
 * CR4 = PAE | OSFXSR | OSXMMEXCPT, EFER = LME | LMA. */
#define CR0_INIT 0x80010021ULL
#define CR3_INIT 0x2000ULL
#define CR4_INIT 0x620ULL
#define EFER_INIT 0x500ULL
#define RFLAGS_INIT 0x2ULL
#define GDT_BASE 0x1000ULL
#define GDT_LIMIT (3 * 8 - 1)
#define SEL_CODE 0x08
#define SEL_DATA 0x10

void hvt_kvm_init(struct hvt *h)
{
    h->kvm_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    if (h->kvm_fd < 0)
        tender_die_errno("cannot open " KVM_DEVICE " (hvt guests need KVM: is the kvm module "
                         "loaded and " KVM_DEVICE " readable and writable by this user?)");
    int version = ioctl(h->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version < 0)
        tender_die_errno(KVM_DEVICE ": KVM_GET_API_VERSION failed (not a KVM device?)");
    if (version != KVM_API_VERSION)
        tender_die(KVM_DEVICE ": KVM API version %d, this tender needs version %d", version,
                   KVM_API_VERSION);
    if (ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0)
        tender_die(KVM_DEVICE ": KVM lacks user memory slots (KVM_CAP_USER_MEMORY)");

    do
        h->vm_fd = ioctl(h->kvm_fd, KVM_CREATE_VM, 0);
    while (h->vm_fd < 0 && errno == EINTR);
    if (h->vm_fd < 0)
        tender_die_errno(KVM_DEVICE ": cannot create a virtual machine (KVM_CREATE_VM)");

    struct kvm_userspace_memory_region slot = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = h->mem_size,
        .userspace_addr = (uint64_t)(uintptr_t)h->mem,
    };
    if (ioctl(h->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        tender_die_errno("KVM: cannot register %llu MiB of guest memory",
                         (unsigned long long)(h->mem_size >> 20));

    h->vcpu_fd = ioctl(h->vm_fd, KVM_CREATE_VCPU, 0);
    if (h->vcpu_fd < 0)
        tender_die_errno("KVM: cannot create a vCPU");
    int size = ioctl(h->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < 0)
        tender_die_errno("KVM: KVM_GET_VCPU_MMAP_SIZE");
    if ((size_t)size < sizeof(struct kvm_run))
        tender_die("KVM: vCPU run area of %d bytes is too small", size);
    h->run_size = (size_t)size;
    h->run = mmap(NULL, h->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, h->vcpu_fd, 0);
    if (h->run == MAP_FAILED)
        tender_die_errno("KVM: cannot map the vCPU run area");
}

/* Hand the guest every CPUID leaf KVM can virtualise. */
static void setup_cpuid(struct hvt *h)
{
    for (unsigned n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
        if (c == NULL)
            tender_die("out of memory");
        c->nent = n;
        if (ioctl(h->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
            int e = errno;
            free(c);
            if (e == E2BIG)
                continue;
            errno = e;
            tender_die_errno("KVM: KVM_GET_SUPPORTED_CPUID");
        }
        if (ioctl(h->vcpu_fd, KVM_SET_CPUID2, c) < 0)
            tender_die_errno("KVM: KVM_SET_CPUID2");
        free(c);
        return;
    }
    tender_die("KVM: too many CPUID entries");
}

static uint64_t host_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Without KVM_GET_TSC_KHZ the guest runs on the host's TSC: time it against
 * the host clock over 20 ms (a one-off cost at start-up). */
static uint64_t measure_tsc_hz(void)
{
    const struct timespec pause = {0, 20 * 1000 * 1000};
    uint64_t t0 = now_ns(), c0 = host_rdtsc();
    nanosleep(&pause, NULL);
    uint64_t t1 = now_ns(), c1 = host_rdtsc();
    if (t1 <= t0 || c1 <= c0)
        tender_die("cannot measure the TSC frequency");
    return (uint64_t)((unsigned __int128)(c1 - c0) * 1000000000ULL / (t1 - t0));
}

static void setup_tsc(struct hvt *h)
{
    int khz = -1;
    if (ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ) > 0)
        khz = ioctl(h->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    if (khz > 0)
        h->tsc_hz = (uint64_t)khz * 1000ULL;
    else if (khz < 0 && errno == EIO)
        tender_die("KVM: the host TSC is unstable; hvt guests need a stable TSC for their clock");
    else
        h->tsc_hz = measure_tsc_hz();
    if (h->tsc_hz < 1000000ULL)
        tender_die("KVM: implausible TSC frequency %llu Hz", (unsigned long long)h->tsc_hz);
}

static struct kvm_segment segment(uint16_t selector, uint8_t type, uint8_t l, uint8_t db)
{
    return (struct kvm_segment){
        .base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
        .present = 1, .dpl = 0, .db = db, .s = 1, .l = l, .g = 1,
    };
}

void hvt_kvm_vcpu_setup(struct hvt *h, uint64_t entry)
{
    setup_cpuid(h);
    setup_tsc(h);

    struct kvm_sregs sregs;
    if (ioctl(h->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        tender_die_errno("KVM: KVM_GET_SREGS");
    sregs.cr0 = CR0_INIT;
    sregs.cr3 = CR3_INIT;
    sregs.cr4 = CR4_INIT;
    sregs.efer = EFER_INIT;
    sregs.cs = segment(SEL_CODE, 9, 1, 0);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = segment(SEL_DATA, 3, 0, 1);
    /* A busy 64-bit TSS at selector 0: the guest loads its own if it needs one. */
    sregs.tr = (struct kvm_segment){.selector = 0, .base = 0, .limit = 0, .type = 11, .present = 1};
    sregs.ldt = (struct kvm_segment){.selector = 0, .unusable = 1};
    sregs.gdt.base = GDT_BASE;
    sregs.gdt.limit = GDT_LIMIT;
    sregs.idt.base = 0;
    sregs.idt.limit = 0;
    if (ioctl(h->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        tender_die_errno("KVM: KVM_SET_SREGS");

    /* RSP = mem_size - 8: aligned as just after a call; RDI = the boot info. */
    struct kvm_regs regs = {
        .rip = entry,
        .rsp = h->mem_size - 8,
        .rdi = SOLO5_HVT_BOOT_INFO_BASE,
        .rflags = RFLAGS_INIT,
    };
    if (ioctl(h->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        tender_die_errno("KVM: KVM_SET_REGS");
}

/* The guest's RIP, for messages (0 if KVM cannot say). */
static unsigned long long guest_rip(struct hvt *h)
{
    struct kvm_regs regs;
    if (ioctl(h->vcpu_fd, KVM_GET_REGS, &regs) < 0)
        return 0;
    return regs.rip;
}

static void handle_io(struct hvt *h)
{
    const struct kvm_run *run = h->run;
    unsigned port = run->io.port, size = run->io.size;
    if (run->io.direction != KVM_EXIT_IO_OUT)
        tender_die("invalid guest I/O: IN from port 0x%x at rip=0x%llx (only hypercalls, 4-byte "
                   "OUT to ports 0x%x..0x%x, are allowed)", port, guest_rip(h),
                   SOLO5_HVT_HYPERCALL_PIO_BASE, SOLO5_HVT_HYPERCALL_PIO_BASE + SOLO5_HVT_HC_MAX);
    if (size != 4 || run->io.count != 1)
        tender_die("invalid guest I/O: %u x %u-byte OUT to port 0x%x at rip=0x%llx (hypercalls "
                   "are one 4-byte OUT)", run->io.count, size, port, guest_rip(h));
    if (port < SOLO5_HVT_HYPERCALL_PIO_BASE || port > SOLO5_HVT_HYPERCALL_PIO_BASE + SOLO5_HVT_HC_MAX)
        tender_die("invalid guest I/O: OUT to port 0x%x at rip=0x%llx (hypercall ports are "
                   "0x%x..0x%x)", port, guest_rip(h), SOLO5_HVT_HYPERCALL_PIO_BASE,
                   SOLO5_HVT_HYPERCALL_PIO_BASE + SOLO5_HVT_HC_MAX);
    if (run->io.data_offset > h->run_size - 4)
        tender_die("KVM: I/O data outside the vCPU run area");
    uint32_t gpa;
    memcpy(&gpa, (const uint8_t *)run + run->io.data_offset, sizeof gpa);
    hvt_hypercall(h, port - SOLO5_HVT_HYPERCALL_PIO_BASE, gpa);
}

void hvt_kvm_run(struct hvt *h)
{
    for (;;) {
        if (ioctl(h->vcpu_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            if (errno == EFAULT)
                tender_die("Invalid guest access: memory fault at rip=0x%llx: the guest wrote to a read-only "
                           "page of its image (or KVM could not map its memory)", guest_rip(h));
            tender_die_errno("KVM: KVM_RUN failed at rip=0x%llx", guest_rip(h));
        }
        const struct kvm_run *run = h->run;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            handle_io(h);
            break;
        case KVM_EXIT_MMIO:
            /* Inside guest memory, only a write to a page the host maps
             * read-only (the image's code and rodata) ends up here. */
            if (run->mmio.phys_addr < h->mem_size)
                tender_die("Invalid guest access: %u-byte write to read-only guest memory at "
                           "0x%llx (the image's code or read-only data) at rip=0x%llx",
                           run->mmio.len, (unsigned long long)run->mmio.phys_addr, guest_rip(h));
            tender_die("Invalid guest access: %u-byte %s at guest-physical 0x%llx, beyond guest "
                       "memory (MMIO exit) at rip=0x%llx", run->mmio.len,
                       run->mmio.is_write ? "write" : "read",
                       (unsigned long long)run->mmio.phys_addr, guest_rip(h));
        case KVM_EXIT_HLT:
            tender_die("the guest executed hlt at rip=0x%llx (guests end through the HALT "
                       "hypercall)", guest_rip(h));
        case KVM_EXIT_SHUTDOWN:
            tender_die("the guest shut down (triple fault) at rip=0x%llx (KVM shutdown exit)",
                       guest_rip(h));
        case KVM_EXIT_FAIL_ENTRY:
            tender_die("KVM: vCPU entry failed (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx)",
                       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        case KVM_EXIT_INTERNAL_ERROR:
            tender_die("KVM internal error exit (KVM_EXIT_INTERNAL_ERROR, suberror 0x%x) at "
                       "rip=0x%llx: the guest ran an instruction KVM could not handle (under "
                       "nested PVM this includes any SSE instruction: build the image with "
                       "scons cpu=nosimd)",
                       run->internal.suberror, guest_rip(h));
        default:
            tender_die("KVM: unexpected vCPU exit %u at rip=0x%llx", run->exit_reason,
                       guest_rip(h));
        }
    }
}
