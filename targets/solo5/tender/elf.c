/* ELF loading for the Solo5 tenders. Written against the ELF64 gABI and the
 * Solo5 ABI facts; see elf.h for the contract. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_load.h"
#include "mft.h"
#include "util.h"

/* More program headers than this is not a Solo5 image (they have < 12). */
#define MAX_PHNUM 128

#define BAD(img, ...) bad_image((img)->path, __VA_ARGS__)

__attribute__((format(printf, 2, 3), noreturn))
static void bad_image(const char *path, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    tender_die("%s: invalid executable: %s", path, why);
}

/* Read exactly len bytes at off, or die saying the file is truncated. */
static void read_at(struct elf_image *img, void *buf, size_t len, uint64_t off,
                    const char *what)
{
    uint64_t end;
    if (tender_add_overflows(off, len, &end) || end > img->file_size)
        BAD(img, "%s lies beyond the end of the file (truncated?)", what);
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(img->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            tender_die_errno("%s: reading %s", img->path, what);
        if (n == 0)
            BAD(img, "%s lies beyond the end of the file (truncated?)", what);
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
}

void elf_open(struct elf_image *img, const char *path)
{
    memset(img, 0, sizeof *img);
    img->path = path;
    /* O_NONBLOCK: opening a FIFO (or a device) must not wait for a peer
     * before the regular-file check below refuses it. */
    img->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (img->fd < 0)
        tender_die_errno("%s: cannot open the unikernel image", path);
    struct stat st;
    if (fstat(img->fd, &st) < 0)
        tender_die_errno("%s: cannot stat", path);
    if (!S_ISREG(st.st_mode))
        tender_die("%s: not a regular file", path);
    img->file_size = (uint64_t)st.st_size;

    Elf64_Ehdr *eh = &img->ehdr;
    if (img->file_size < sizeof *eh)
        BAD(img, "file of %llu bytes is too short for an ELF header",
            (unsigned long long)img->file_size);
    read_at(img, eh, sizeof *eh, 0, "the ELF header");

    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        BAD(img, "not an ELF file");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        BAD(img, "not a 64-bit ELF file (class %u)", eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        BAD(img, "not a little-endian ELF file");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        BAD(img, "unknown ELF version");
    if (eh->e_type != ET_EXEC)
        BAD(img, "not a static executable (e_type %u, expected ET_EXEC)", eh->e_type);
    if (eh->e_machine != EM_X86_64)
        BAD(img, "built for machine %u, not x86_64 (%u)", eh->e_machine, EM_X86_64);
    if (eh->e_ehsize != sizeof(Elf64_Ehdr))
        BAD(img, "e_ehsize %u, expected %zu", eh->e_ehsize, sizeof(Elf64_Ehdr));
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        BAD(img, "e_phentsize %u, expected %zu", eh->e_phentsize, sizeof(Elf64_Phdr));
    if (eh->e_phnum < 1 || eh->e_phnum > MAX_PHNUM)
        BAD(img, "%u program headers (1..%d expected)", eh->e_phnum, MAX_PHNUM);

    size_t table = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
    img->phdrs = malloc(table);
    if (img->phdrs == NULL)
        tender_die("out of memory");
    read_at(img, img->phdrs, table, eh->e_phoff, "the program header table");
}

void elf_close(struct elf_image *img)
{
    free(img->phdrs);
    img->phdrs = NULL;
    if (img->fd >= 0)
        close(img->fd);
    img->fd = -1;
}

/* Find the Solo5 note of `type` that starts some PT_NOTE segment (only the
 * first note of each segment counts). Its descriptor is read from
 * desc_offset (20, or 24 when aligned to 8) into a malloc'ed buffer.
 * descsz must lie in [min_descsz, max_descsz]. Returns NULL if absent. */
static void *find_note(struct elf_image *img, uint32_t type, const char *what,
                       size_t desc_offset, uint32_t min_descsz, uint32_t max_descsz,
                       size_t *out_size)
{
    for (unsigned i = 0; i < img->ehdr.e_phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        if (ph->p_type != PT_NOTE)
            continue;
        uint64_t end;
        if (tender_add_overflows(ph->p_offset, ph->p_filesz, &end) || end > img->file_size)
            BAD(img, "phdr[%u] (PT_NOTE) lies beyond the end of the file", i);
        if (ph->p_filesz < sizeof(Elf64_Nhdr))
            BAD(img, "phdr[%u] (PT_NOTE) is too small for a note (%llu bytes)", i,
                (unsigned long long)ph->p_filesz);
        struct solo5_note_header nh;
        if (ph->p_filesz < sizeof nh)
            continue; /* too small to be a Solo5 note */
        read_at(img, &nh, sizeof nh, ph->p_offset, "a note header");
        if (nh.namesz != SOLO5_NOTE_NAMESZ || memcmp(nh.name, SOLO5_NOTE_NAME, SOLO5_NOTE_NAMESZ) != 0)
            continue;
        if (nh.type != type)
            continue;
        size_t pad = desc_offset - sizeof nh;
        if (nh.descsz < min_descsz || nh.descsz > max_descsz)
            BAD(img, "%s note: descriptor size %u outside %u..%u", what, nh.descsz,
                min_descsz, max_descsz);
        if (sizeof nh + (uint64_t)nh.descsz > ph->p_filesz)
            BAD(img, "%s note: descriptor (%u bytes) overruns its PT_NOTE segment "
                "(%llu bytes)", what, nh.descsz, (unsigned long long)ph->p_filesz);
        size_t size = nh.descsz - pad;
        void *buf = malloc(size);
        if (buf == NULL)
            tender_die("out of memory");
        read_at(img, buf, size, ph->p_offset + desc_offset, "a note descriptor");
        *out_size = size;
        return buf;
    }
    return NULL;
}

static const char *target_name_of(uint32_t target)
{
    switch (target) {
    case SOLO5_TARGET_HVT: return "hvt";
    case SOLO5_TARGET_SPT: return "spt";
    case SOLO5_TARGET_VIRTIO: return "virtio";
    case SOLO5_TARGET_MUEN: return "muen";
    case SOLO5_TARGET_GENODE: return "genode";
    case SOLO5_TARGET_XEN: return "xen";
    default: return "unknown";
    }
}

void elf_check_abi(struct elf_image *img, uint32_t target, uint32_t version,
                   const char *target_name)
{
    size_t size;
    struct solo5_abi_info *abi = find_note(img, SOLO5_NOTE_TYPE_ABI, "ABI",
                                           sizeof(struct solo5_note_header),
                                           sizeof *abi, sizeof *abi, &size);
    if (abi == NULL)
        tender_die("%s: no Solo5 ABI note found: not a Solo5 unikernel image", img->path);
    if (abi->target != target)
        tender_die("%s: built for the Solo5 %s target (ABI target %u), not %s",
                   img->path, target_name_of(abi->target), abi->target, target_name);
    if (abi->version != version)
        tender_die("%s: requests %s ABI version %u, this tender speaks version %u",
                   img->path, target_name, abi->version, version);
    free(abi);
}

struct solo5_mft *elf_read_manifest(struct elf_image *img, size_t *size)
{
    struct solo5_mft *mft = find_note(img, SOLO5_NOTE_TYPE_MFT, "manifest",
                                      SOLO5_MFT_NOTE_DESC_OFFSET,
                                      SOLO5_MFT_NOTE_PAD + sizeof(struct solo5_mft),
                                      SOLO5_MFT_NOTE_MAX_DESCSZ, size);
    if (mft == NULL)
        tender_die("%s: no Solo5 manifest note found (it must be the first note of "
                   "its own PT_NOTE segment)", img->path);
    char why[256];
    if (mft_validate(mft, *size, why, sizeof why) != 0)
        tender_die("%s: invalid Solo5 manifest: %s", img->path, why);
    return mft;
}

void elf_load(struct elf_image *img, uintptr_t host_base, uint64_t mem_size,
              elf_protect_fn protect, void *protect_arg, uint64_t *entry,
              uint64_t *kernel_end)
{
    const uint64_t page = SOLO5_PAGE_SIZE;
    const uint64_t e_entry = img->ehdr.e_entry;
    uint64_t loaded_end = 0;   /* end of the last loaded segment, page aligned */
    uint64_t image_end = 0;    /* highest end of any PT_LOAD, page aligned */
    bool entry_ok = false;
    unsigned loaded = 0;

    if (e_entry < SOLO5_GUEST_MIN_BASE || e_entry >= mem_size)
        BAD(img, "entry point 0x%llx outside guest memory [0x%llx, 0x%llx)",
            (unsigned long long)e_entry, (unsigned long long)SOLO5_GUEST_MIN_BASE,
            (unsigned long long)mem_size);

    for (unsigned i = 0; i < img->ehdr.e_phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        /* Empty PT_LOADs occupy nothing (Solo5's own linker scripts emit one
         * for an empty .tdata, at address 0). */
        if (ph->p_type != PT_LOAD || (ph->p_memsz == 0 && ph->p_filesz == 0))
            continue;
        const uint64_t vaddr = ph->p_vaddr, filesz = ph->p_filesz, memsz = ph->p_memsz;
        const bool w = ph->p_flags & PF_W, x = ph->p_flags & PF_X;
        uint64_t end, end_aligned, file_end;

        if (w && x)
            BAD(img, "phdr[%u] is both writable and executable", i);
        if (vaddr < SOLO5_GUEST_MIN_BASE)
            BAD(img, "phdr[%u] p_vaddr 0x%llx is below 0x%llx", i,
                (unsigned long long)vaddr, (unsigned long long)SOLO5_GUEST_MIN_BASE);
        if (memsz < filesz)
            BAD(img, "phdr[%u] p_memsz is smaller than p_filesz", i);
        if (tender_add_overflows(vaddr, memsz, &end) || tender_align_up(end, page, &end_aligned))
            BAD(img, "phdr[%u] address range overflows", i);
        if (end_aligned > mem_size)
            BAD(img, "phdr[%u] [0x%llx, 0x%llx) does not fit in guest memory (0x%llx bytes)",
                i, (unsigned long long)vaddr, (unsigned long long)end,
                (unsigned long long)mem_size);
        if (end_aligned > image_end)
            image_end = end_aligned;

        /* A bss-only segment (p_filesz 0) is checked like any other: it
         * takes guest memory and gets protections too. */
        if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)) != 0)
            BAD(img, "phdr[%u] p_align 0x%llx is not a power of two", i,
                (unsigned long long)ph->p_align);
        if (vaddr & (page - 1))
            BAD(img, "phdr[%u] p_vaddr 0x%llx is not 4 KiB aligned", i,
                (unsigned long long)vaddr);
        if (vaddr < loaded_end)
            BAD(img, "phdr[%u] at 0x%llx overlaps or precedes the previous segment "
                "(ending at 0x%llx)", i, (unsigned long long)vaddr,
                (unsigned long long)loaded_end);
        if (filesz > 0 && (tender_add_overflows(ph->p_offset, filesz, &file_end) ||
                           file_end > img->file_size))
            BAD(img, "phdr[%u] contents lie beyond the end of the file (truncated?)", i);

        /* Guest memory is a fresh anonymous mapping, so the bss is already
         * zero: writing it would only commit pages the guest may never use.
         * Only the rest of the last file page is cleared, for callers that
         * reuse memory; that page is touched by the file bytes anyway. */
        uint8_t *dst = (uint8_t *)(host_base + vaddr);
        if (filesz > 0) {
            read_at(img, dst, filesz, ph->p_offset, "segment contents");
            memset(dst + filesz, 0, (page - filesz % page) % page);
        }

        int prot = PROT_NONE;
        if (ph->p_flags & PF_R)
            prot |= PROT_READ;
        if (w)
            prot |= PROT_WRITE;
        if (x)
            prot |= PROT_EXEC;
        if (protect(protect_arg, vaddr, end_aligned, prot) != 0)
            tender_die_errno("%s: cannot protect phdr[%u]", img->path, i);

        if (x && e_entry >= vaddr && e_entry < end)
            entry_ok = true;
        loaded_end = end_aligned;
        loaded++;
    }

    if (loaded == 0)
        BAD(img, "no loadable segment");
    if (!entry_ok)
        BAD(img, "entry point 0x%llx is not inside an executable segment",
            (unsigned long long)e_entry);
    *entry = e_entry;
    *kernel_end = image_end;
}
