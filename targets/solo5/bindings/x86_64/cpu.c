/* The permanent GDT (code, data, a 64-bit TSS) and the exception IDT; see
 * cpu.h. Each of the 32 gates runs on IST 1, a stack of its own, so even a
 * fault caused by a broken stack gets reported. */
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define NVECTORS 32
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define STUB_SIZE 16

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

struct table_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* null, code, data, TSS (two slots). Writable: ltr marks the TSS busy. */
static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0,
    0x00af9b000000ffffULL, /* present, ring 0, code, long mode, accessed */
    0x00cf93000000ffffULL, /* present, ring 0, data, writable, accessed */
    0,
    0,
};
static struct idt_gate idt[NVECTORS] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t trap_stack[16384] __attribute__((aligned(16)));

/* 32 stubs, STUB_SIZE bytes apart from x86_64_trap_stubs. Vectors 8, 10-14,
 * 17, 21, 29 and 30 come with an error code from the CPU; the others push 0
 * so every frame looks the same. The common tail saves the registers as
 * struct x86_64_trap_frame and passes it to x86_64_trap() on a 16-byte
 * aligned stack. */
__asm__(".pushsection .text.x86_64_traps,\"ax\",@progbits\n"
        ".balign 16\n"
        ".globl x86_64_trap_stubs\n"
        "x86_64_trap_stubs:\n"
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        ".balign 16\n"
        ".if ((\\n == 8) | (\\n == 10) | (\\n == 11) | (\\n == 12) | (\\n == 13) | (\\n == 14) "
        "| (\\n == 17) | (\\n == 21) | (\\n == 29) | (\\n == 30)) == 0\n"
        "pushq $0\n"
        ".endif\n"
        "pushq $\\n\n"
        "jmp x86_64_trap_common\n"
        ".endr\n"
        "x86_64_trap_common:\n"
        "pushq %rax\n pushq %rbx\n pushq %rcx\n pushq %rdx\n pushq %rsi\n pushq %rdi\n"
        "pushq %rbp\n pushq %r8\n pushq %r9\n pushq %r10\n pushq %r11\n pushq %r12\n"
        "pushq %r13\n pushq %r14\n pushq %r15\n"
        "movq %rsp, %rdi\n"
        "andq $-16, %rsp\n"
        "cld\n"
        "call x86_64_trap\n"
        "1: ud2\n"
        "jmp 1b\n"
        ".popsection\n");

extern const char x86_64_trap_stubs[];

static const char *const names[NVECTORS] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *x86_64_exception_name(uint64_t vector)
{
    return vector < NVECTORS && names[vector] ? names[vector] : "reserved";
}

void x86_64_cpu_init(void)
{
    const uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    tss.ist[0] = (uint64_t)(uintptr_t)(trap_stack + sizeof trap_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
    gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 |
             0x89ULL << 40 | /* present, 64-bit TSS (available) */
             ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[4] = base >> 32;

    for (unsigned v = 0; v < NVECTORS; v++) {
        uint64_t handler = (uint64_t)(uintptr_t)(x86_64_trap_stubs + STUB_SIZE * v);
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)handler,
            .selector = SEL_CODE,
            .ist = 1,
            .type_attr = GATE_INTERRUPT,
            .offset_mid = (uint16_t)(handler >> 16),
            .offset_hi = (uint32_t)(handler >> 32),
        };
    }

    const struct table_ptr gdtr = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    const struct table_ptr idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t" /* reload CS with a far return */
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     "movw %w2, %%fs\n\t"
                     "movw %w2, %%gs\n\t"
                     "ltr %w3\n\t"
                     "lidt %4"
                     :
                     : "m"(gdtr), "i"(SEL_CODE), "r"(SEL_DATA), "r"(SEL_TSS), "m"(idtr)
                     : "rax", "memory");
}
