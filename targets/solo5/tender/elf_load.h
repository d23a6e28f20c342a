/* Loading a Solo5 ELF image into guest memory, and reading its Solo5 notes.
 * Target-neutral: spt and hvt differ only in where guest memory lives on the
 * host and how segment protections are applied (a callback).
 *
 * The image is untrusted: every field is checked, arithmetic is overflow
 * checked, and any problem ends the tender with a message and status 1. */
#ifndef TENDER_ELF_H
#define TENDER_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5_abi.h"

struct elf_image {
    int fd;
    const char *path;
    uint64_t file_size;
    Elf64_Ehdr ehdr;
    Elf64_Phdr *phdrs; /* ehdr.e_phnum entries */
};

/* Open `path` and check its ELF header and program header table: ELF64,
 * little endian, ET_EXEC, EM_X86_64, e_phentsize 56, table inside the file. */
void elf_open(struct elf_image *img, const char *path);
void elf_close(struct elf_image *img);

/* The ABI note (type ABI1): first note of some PT_NOTE segment. Dies if absent
 * or malformed, or if its target/version differ from the expected ones. */
void elf_check_abi(struct elf_image *img, uint32_t target, uint32_t version,
                   const char *target_name);

/* The manifest note (type MFT1), validated; malloc'ed copy of the manifest
 * (without the note header and padding) and its size. Dies if absent/invalid. */
struct solo5_mft *elf_read_manifest(struct elf_image *img, size_t *size);

/* Apply protections (PROT_* bits) to guest range [start, end), page aligned. */
typedef int (*elf_protect_fn)(void *arg, uint64_t start, uint64_t end, int prot);

/* Load every PT_LOAD segment into guest memory [SOLO5_GUEST_MIN_BASE, mem_size);
 * guest address A is host address host_base + A. Returns the entry point and
 * the end of the image (page aligned). */
void elf_load(struct elf_image *img, uintptr_t host_base, uint64_t mem_size,
              elf_protect_fn protect, void *protect_arg, uint64_t *entry,
              uint64_t *kernel_end);

#endif
