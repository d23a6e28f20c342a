/* The permanent descriptor tables: a GDT with 64-bit code and data segments
 * and a TSS, and an IDT whose 32 exception gates (stubs in trap_entry.S) run on a
 * stack of their own (IST 1), so even a fault caused by a broken stack gets
 * reported. No other vector is used: the bindings poll and keep interrupts
 * disabled. */
#include "bindings.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define TRAP_STACK_SIZE 8192
#define IDT_EXCEPTIONS 32

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes");

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

extern const uint64_t virtio_trap_stubs[IDT_EXCEPTIONS]; /* trap_entry.S */

static struct tss tss;
static uint8_t trap_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
static struct idt_gate idt[IDT_EXCEPTIONS];
/* null, code, data, TSS (two slots). Writable: ltr marks the TSS busy. */
static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0,
    0x00AF9B000000FFFFULL, /* present, ring 0, code, long mode, accessed */
    0x00CF93000000FFFFULL, /* present, ring 0, data, writable, accessed */
    0,
    0,
};

static void set_tss_descriptor(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof tss - 1;
    gdt[3] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 |
             0x89ULL << 40 | /* present, 64-bit TSS (available) */
             ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
    gdt[4] = base >> 32;
}

void cpu_init(void)
{
    tss.ist[0] = (uint64_t)(uintptr_t)(trap_stack + sizeof trap_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
    set_tss_descriptor();

    for (unsigned v = 0; v < IDT_EXCEPTIONS; v++) {
        uint64_t off = virtio_trap_stubs[v];
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)off,
            .selector = SEL_CODE,
            .ist = 1,
            .type_attr = 0x8E, /* present, ring 0, interrupt gate */
            .offset_mid = (uint16_t)(off >> 16),
            .offset_hi = (uint32_t)(off >> 32),
        };
    }

    struct table_ptr gp = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    struct table_ptr ip = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"          /* reload CS with a far return */
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
                     : "m"(gp), "i"(SEL_CODE), "r"(SEL_DATA), "r"(SEL_TSS), "m"(ip)
                     : "rax", "memory");
}
