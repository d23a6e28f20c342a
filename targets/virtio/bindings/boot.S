/* First instructions of a virtio image. The Multiboot loader enters
 * virtio_start32 in 32-bit protected mode, paging off, with EAX = 0x2BADB002
 * and EBX = the Multiboot information. We identity map the first 4 GiB,
 * switch to 64-bit long mode and call virtio_boot(magic, info) in start.c.
 *
 * Page tables (in .bss, which the loader zeroes): one PML4 entry, four PDPT
 * entries, four page directories of 2 MiB pages covering 0-4 GiB, except the
 * first 2 MiB, which use 4 KiB pages so that page 0 stays unmapped and a NULL
 * dereference faults. Everything mapped is read-write and executable: the
 * segment permissions live in the ELF file for loaders that care. */

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PS 0x80 /* 2 MiB page, in a page directory entry */

#define BOOT_STACK_SIZE 16384

    .section .text.boot, "ax"
    .code32
    .globl virtio_start32
virtio_start32:
    cli
    cld
    movl %eax, %edi                 /* 1st C argument: the magic */
    movl %ebx, %esi                 /* 2nd C argument: the info structure */
    movl $boot_stack_top, %esp

    /* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
    movl $boot_pdpt + (PTE_P | PTE_RW), boot_pml4
    movl $boot_pd + (PTE_P | PTE_RW), %eax
    movl $boot_pdpt, %ebx
    movl $4, %ecx
1:  movl %eax, (%ebx)
    addl $0x1000, %eax
    addl $8, %ebx
    loop 1b

    /* 2048 PDEs of 2 MiB pages: 0 to 4 GiB. */
    movl $(PTE_P | PTE_RW | PTE_PS), %eax
    movl $boot_pd, %ebx
    movl $2048, %ecx
1:  movl %eax, (%ebx)
    addl $0x200000, %eax
    addl $8, %ebx
    loop 1b

    /* The first 2 MiB in 4 KiB pages, page 0 left out. */
    movl $boot_pt + (PTE_P | PTE_RW), boot_pd
    movl $(0x1000 | PTE_P | PTE_RW), %eax
    movl $boot_pt + 8, %ebx
    movl $511, %ecx
1:  movl %eax, (%ebx)
    addl $0x1000, %eax
    addl $8, %ebx
    loop 1b

    /* PAE and SSE state, the page tables, long mode, then paging. */
    movl %cr4, %eax
    orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    andl $~CR0_EM, %eax
    orl $(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $start64

    .code64
start64:
    movl $0x10, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    fninit
    movl %edi, %edi                 /* clear the upper halves, undefined after the switch */
    movl %esi, %esi
    movq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    call virtio_boot
2:  ud2
    jmp 2b

/* _Noreturn void virtio_switch_stack(uintptr_t top, void (*fn)(void)):
 * continue on a new stack (top 16-byte aligned) by calling fn. */
    .globl virtio_switch_stack
    .type virtio_switch_stack, @function
virtio_switch_stack:
    movq %rdi, %rsp
    xorl %ebp, %ebp
    call *%rsi
3:  ud2
    jmp 3b
    .size virtio_switch_stack, . - virtio_switch_stack

/* The GDT used to enter long mode (start.c installs the permanent one):
 * null, 64-bit code (0x08), data (0x10). Accessed bits preset, so the CPU
 * never writes here. */
    .section .rodata
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00AF9B000000FFFF
    .quad 0x00CF93000000FFFF
boot_gdt_end:
    .balign 8
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .section .bss
    .balign 4096
boot_pml4:
    .skip 4096
boot_pdpt:
    .skip 4096
boot_pd:
    .skip 4 * 4096
boot_pt:
    .skip 4096
    .balign 16
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
