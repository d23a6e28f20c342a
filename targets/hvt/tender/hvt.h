/* The hvt tender's internal interface.
 *
 * One guest per process: guest memory is one anonymous host mapping (guest
 * physical address A is host address mem + A), backed by one KVM memory slot
 * and run by one vCPU. Everything the guest hands over (addresses, lengths,
 * handles) is untrusted and checked before use. */
#ifndef HVT_TENDER_H
#define HVT_TENDER_H

#include <stddef.h>
#include <stdint.h>

#include "solo5_abi.h"

/* Guest memory is a whole number of 2 MiB pages, 4 GiB at most (the page
 * tables map four page directories of 2 MiB pages). */
#define HVT_PAGE_2M 0x200000ULL
#define HVT_MAX_MEM_MIB 4096ULL
#define HVT_DEFAULT_MEM_MIB 512ULL

/* Image segments are few (our images have three); more is refused. */
#define HVT_MAX_RO_RANGES 16

struct hvt_range {
    uint64_t start, end; /* guest physical, [start, end) */
};

struct hvt {
    uint8_t *mem;      /* host address of guest physical 0 */
    uint64_t mem_size; /* bytes, a multiple of 2 MiB */

    /* Read-only parts of the image: the host maps them read-only, so the
     * tender must never write there on the guest's behalf. */
    struct hvt_range ro[HVT_MAX_RO_RANGES];
    unsigned nro;

    /* The host's own copy of the manifest (with host descriptors); the copy
     * in guest memory is for the guest only and never read back. */
    const struct solo5_mft *mft;

    /* KVM */
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    uint64_t tsc_hz;
};

/* layout.c: guest memory and what the tender writes into it. */
void hvt_mem_map(struct hvt *h, uint64_t mem_size);
int hvt_mem_protect(void *hvt, uint64_t start, uint64_t end, int prot); /* elf_protect_fn */
void hvt_layout_write(struct hvt *h);  /* boot GDT and page tables */
void hvt_boot_info_write(struct hvt *h, uint64_t kernel_end, const struct solo5_mft *mft,
                         size_t mft_size, const char *cmdline);

/* Checked access to guest memory: the host address of guest range
 * [gpa, gpa + len), or the tender dies with "Invalid guest access" naming
 * `what`. Reads may touch any guest memory; writes only memory at or above
 * SOLO5_GUEST_MIN_BASE outside the image's read-only segments. */
void *hvt_guest_read(struct hvt *h, uint64_t gpa, uint64_t len, const char *what);
void *hvt_guest_write(struct hvt *h, uint64_t gpa, uint64_t len, const char *what);

/* kvm.c */
void hvt_kvm_init(struct hvt *h);                   /* VM, memory slot, vCPU */
void hvt_kvm_vcpu_setup(struct hvt *h, uint64_t entry); /* CPUID, registers, TSC */
__attribute__((noreturn)) void hvt_kvm_run(struct hvt *h);

/* hypercalls.c: handle hypercall nr with argument at gpa. Returns only if the
 * guest is to continue; HALT exits the process with the guest's status. */
void hvt_hypercall(struct hvt *h, unsigned nr, uint32_t gpa);

#endif
