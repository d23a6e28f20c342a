/* Reading the Multiboot (v1) information the loader left in memory: the
 * memory map and the command line. QEMU puts the information structure at
 * 0x9500, its memory map at 0x9000 and the command line just past the image's
 * .bss, where device memory and the heap will go: start.c copies the command
 * line out before handing that memory over. */
#include "bindings.h"

#define MB_LOADER_MAGIC 0x2BADB002u
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP (1u << 6)
#define MB_MMAP_AVAILABLE 1u
#define FOUR_GIB 0x100000000ULL
#define IMAGE_BASE 0x100000ULL

struct mb_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB */
    uint32_t mem_upper; /* KiB from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count;
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;
    uint32_t mmap_addr;
};
_Static_assert(__builtin_offsetof(struct mb_info, mmap_addr) == 48, "mmap_addr at 48");

/* Each entry is preceded by its size, which does not count itself. */
struct mb_mmap_entry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed));

/* The end of the available region that holds the image. */
static uint64_t mem_end_from_map(const struct mb_info *mbi)
{
    uint64_t end = 0;
    uintptr_t p = mbi->mmap_addr, stop = (uintptr_t)mbi->mmap_addr + mbi->mmap_length;
    while (p + sizeof(struct mb_mmap_entry) <= stop) {
        const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)p;
        if (e->type == MB_MMAP_AVAILABLE && e->addr <= IMAGE_BASE && e->addr + e->len > IMAGE_BASE)
            end = e->addr + e->len;
        p += (uintptr_t)e->size + sizeof e->size;
    }
    return end;
}

void multiboot_parse(uint32_t magic, uint32_t info, struct boot_info *bi)
{
    if (magic != MB_LOADER_MAGIC)
        virtio_fail("not started by a Multiboot loader");
    const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)info;

    uint64_t end = 0;
    if (mbi->flags & MB_INFO_MMAP)
        end = mem_end_from_map(mbi);
    if (end == 0 && (mbi->flags & MB_INFO_MEMORY))
        end = IMAGE_BASE + (uint64_t)mbi->mem_upper * 1024;
    if (end == 0)
        virtio_fail("the loader reported no memory");
    bi->mem_end = end > FOUR_GIB ? FOUR_GIB : end; /* boot.S maps 4 GiB */
    bi->cmdline = (mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline != 0
                      ? (const char *)(uintptr_t)mbi->cmdline
                      : "";
}
