/* The Multiboot (v1) header that lets `qemu-system-x86_64 -kernel` load the
 * image. QEMU refuses 64-bit ELF files as Multiboot kernels, so the header
 * sets flag 16 (the "a.out kludge") and gives the load addresses itself: the
 * file, from the header's own offset back to load_addr, is copied to memory
 * as is, up to load_end_addr, and zeroed on to bss_end_addr. The linker
 * script puts this section first in the text segment, so it lands at file
 * offset 0x1000, well inside the first 8 KiB where loaders look for it. */

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003 /* 0: page-align modules, 1: memory info, 16: addresses below */

    .section .multiboot, "a"
    .balign 4
    .globl virtio_multiboot_header
virtio_multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)   /* the three words sum to 0 */
    .long virtio_multiboot_header  /* header_addr */
    .long __image_start            /* load_addr */
    .long _edata                   /* load_end_addr */
    .long _end                     /* bss_end_addr */
    .long virtio_start32           /* entry_addr: 32-bit protected mode */

    .section .note.GNU-stack, "", @progbits
