/* Guest memory of an hvt guest and the tender-owned data inside it.
 *
 * Guest physical memory, identity mapped by the page tables written here:
 *   0x1000   boot GDT (null, 64-bit code, data)
 *   0x2000   PML4, 0x3000 PDPT, 0x4000-0x7fff four page directories
 *   0x8000   page table of the first 2 MiB, in 4 KiB pages: nothing below
 *            0x10000, read-only 0x10000-0xfffff, read-write from 0x100000
 *   0x10000  boot info, manifest copy, command line (read-only to the guest)
 *   0x100000 the image, then heap and stack up to mem_size (2 MiB pages above
 *            the first 2 MiB) */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "util.h"
#include "hvt.h"

#define GDT_BASE 0x1000ULL
#define PML4_BASE 0x2000ULL
#define PDPT_BASE 0x3000ULL
#define PD_BASE 0x4000ULL /* four of them, contiguous: 2048 entries */
#define PT0_BASE 0x8000ULL

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL /* 2 MiB page, in a page directory entry */

/* Boot GDT descriptors: base 0, limit 0xfffff in 4 KiB units (G). Code:
 * present, S, type 9 (execute-only, accessed), long mode (L). Data: present,
 * S, type 3 (read-write, accessed), 32-bit default size (DB). The vCPU's
 * segment registers (kvm.c) describe the same segments. */
#define GDT_CODE 0x00af99000000ffffULL
#define GDT_DATA 0x00cf93000000ffffULL

void hvt_mem_map(struct hvt *h, uint64_t mem_size)
{
    void *p = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        tender_die_errno("cannot map %llu MiB of guest memory",
                         (unsigned long long)(mem_size >> 20));
    h->mem = p;
    h->mem_size = mem_size;
}

int hvt_mem_protect(void *arg, uint64_t start, uint64_t end, int prot)
{
    struct hvt *h = arg;
    if (start >= end || end > h->mem_size)
        return -1;
    if (!(prot & PROT_WRITE)) {
        if (h->nro == HVT_MAX_RO_RANGES)
            tender_die("the image has more than %d read-only segments", HVT_MAX_RO_RANGES);
        h->ro[h->nro++] = (struct hvt_range){start, end};
    }
    /* The guest's code is data to the host: never executable here, and
     * readable so KVM can map it for the guest. Read-only host pages make
     * KVM refuse guest writes to them. */
    int host_prot = PROT_READ | (prot & PROT_WRITE);
    return mprotect(h->mem + start, end - start, host_prot);
}

void hvt_layout_write(struct hvt *h)
{
    uint64_t *gdt = (uint64_t *)(h->mem + GDT_BASE);
    gdt[0] = 0;
    gdt[1] = GDT_CODE;
    gdt[2] = GDT_DATA;

    uint64_t *pml4 = (uint64_t *)(h->mem + PML4_BASE);
    uint64_t *pdpt = (uint64_t *)(h->mem + PDPT_BASE);
    uint64_t *pd = (uint64_t *)(h->mem + PD_BASE);
    uint64_t *pt0 = (uint64_t *)(h->mem + PT0_BASE);
    memset(pml4, 0, 0x1000);
    memset(pdpt, 0, 0x1000);
    memset(pd, 0, 0x4000);
    memset(pt0, 0, 0x1000);

    pml4[0] = PDPT_BASE | PTE_P | PTE_RW;
    for (uint64_t i = 0; i < 4; i++)
        pdpt[i] = (PD_BASE + i * 0x1000) | PTE_P | PTE_RW;

    pd[0] = PT0_BASE | PTE_P | PTE_RW;
    for (uint64_t pa = SOLO5_HVT_BOOT_INFO_BASE; pa < HVT_PAGE_2M; pa += SOLO5_PAGE_SIZE)
        pt0[pa / SOLO5_PAGE_SIZE] = pa | PTE_P | (pa >= SOLO5_GUEST_MIN_BASE ? PTE_RW : 0);
    for (uint64_t pa = HVT_PAGE_2M; pa < h->mem_size; pa += HVT_PAGE_2M)
        pd[pa / HVT_PAGE_2M] = pa | PTE_P | PTE_RW | PTE_PS;
}

void hvt_boot_info_write(struct hvt *h, uint64_t kernel_end, const struct solo5_mft *mft,
                         size_t mft_size, const char *cmdline)
{
    uint64_t at = SOLO5_HVT_BOOT_INFO_BASE;
    struct solo5_hvt_boot_info *bi = (void *)(h->mem + at);
    at += sizeof *bi;
    const uint64_t mft_at = at;
    at += mft_size;
    at = (at + 7) & ~7ULL;
    const uint64_t cmdline_at = at;
    at += SOLO5_CMDLINE_SIZE;
    if (at > SOLO5_GUEST_MIN_BASE) /* cannot happen: a manifest is at most 6664 bytes */
        tender_die("boot information does not fit below the image");

    /* The guest's copy carries no host descriptors. */
    struct solo5_mft *copy = (void *)(h->mem + mft_at);
    memcpy(copy, mft, mft_size);
    for (uint32_t i = 0; i < copy->entries; i++)
        copy->e[i].b.data = 0;
    memcpy(h->mem + cmdline_at, cmdline, SOLO5_CMDLINE_SIZE);

    memset(bi, 0, sizeof *bi);
    bi->mem_size = h->mem_size;
    bi->kernel_end = kernel_end;
    bi->cpu_cycle_freq = h->tsc_hz;
    bi->cmdline = cmdline_at;
    bi->mft = mft_at;
}

/* [a, a + len) overlaps [r.start, r.end)? (a + len does not overflow here.) */
static int overlaps(uint64_t a, uint64_t len, struct hvt_range r)
{
    return len > 0 && a < r.end && r.start < a + len;
}

__attribute__((noreturn))
static void invalid(uint64_t gpa, uint64_t len, const char *what, const char *why)
{
    tender_die("Invalid guest access: %s [0x%llx, +0x%llx) %s", what, (unsigned long long)gpa,
               (unsigned long long)len, why);
}

void *hvt_guest_read(struct hvt *h, uint64_t gpa, uint64_t len, const char *what)
{
    uint64_t end;
    if (tender_add_overflows(gpa, len, &end) || end > h->mem_size)
        invalid(gpa, len, what, "lies outside guest memory");
    return h->mem + gpa;
}

void *hvt_guest_write(struct hvt *h, uint64_t gpa, uint64_t len, const char *what)
{
    void *p = hvt_guest_read(h, gpa, len, what);
    if (gpa < SOLO5_GUEST_MIN_BASE)
        invalid(gpa, len, what, "lies below the image (read-only to the guest)");
    for (unsigned i = 0; i < h->nro; i++)
        if (overlaps(gpa, len, h->ro[i]))
            invalid(gpa, len, what, "overlaps a read-only segment of the image");
    return p;
}
