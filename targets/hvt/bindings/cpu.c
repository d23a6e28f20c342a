/* The guest's own descriptor tables. The tender's boot GDT lives in memory
 * the guest cannot see, and there is no IDT at entry, so a fault would be a
 * triple fault with no clue. Here: a GDT with code, data and a TSS whose
 * IST1 is a dedicated exception stack, and an IDT sending each of the 32 CPU
 * exceptions through a stub to hvt_exception(), which prints the vector,
 * error code, RIP, RSP and (for #PF) the faulting address, then halts with
 * status 255. Interrupts stay disabled: nothing but exceptions arrives. */
#include <stddef.h>
#include <stdint.h>

#include "bindings.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

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
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

struct table_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

/* Frame built by the stubs (vector, error code) on top of the CPU's. */
struct exception_frame {
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

#define NVECTORS 32
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct idt_gate idt[NVECTORS] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t exception_stack[16384] __attribute__((aligned(16)));

__attribute__((noreturn, used)) void hvt_exception(const struct exception_frame *f);

/* 32 stubs, 16 bytes apart from hvt_exception_stubs. Vectors 8, 10-14, 17,
 * 21, 29 and 30 come with an error code from the CPU; the others push 0 so
 * every frame looks the same. The common tail passes the frame to C on a
 * 16-byte aligned stack. */
__asm__(".pushsection .text.hvt_exceptions,\"ax\",@progbits\n"
        ".balign 16\n"
        ".globl hvt_exception_stubs\n"
        "hvt_exception_stubs:\n"
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        ".balign 16\n"
        ".if ((\\n == 8) | (\\n == 10) | (\\n == 11) | (\\n == 12) | (\\n == 13) | (\\n == 14) "
        "| (\\n == 17) | (\\n == 21) | (\\n == 29) | (\\n == 30)) == 0\n"
        "pushq $0\n"
        ".endif\n"
        "pushq $\\n\n"
        "jmp hvt_exception_common\n"
        ".endr\n"
        "hvt_exception_common:\n"
        "movq %rsp, %rdi\n"
        "andq $-16, %rsp\n"
        "call hvt_exception\n"
        "ud2\n"
        ".popsection\n");

extern const char hvt_exception_stubs[];

static const char *const names[NVECTORS] = {
    [0] = "#DE divide error", [1] = "#DB debug", [2] = "NMI", [3] = "#BP breakpoint",
    [4] = "#OF overflow", [5] = "#BR bound range", [6] = "#UD invalid opcode",
    [7] = "#NM device not available", [8] = "#DF double fault",
    [10] = "#TS invalid TSS", [11] = "#NP segment not present", [12] = "#SS stack fault",
    [13] = "#GP general protection", [14] = "#PF page fault", [16] = "#MF x87 error",
    [17] = "#AC alignment check", [18] = "#MC machine check", [19] = "#XM SIMD error",
    [20] = "#VE virtualization", [21] = "#CP control protection",
};

static void put(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    hvt_puts(s, n);
}

static void put_hex(uint64_t v)
{
    char buf[19];
    int i = 18;
    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    put(buf + i);
}

static void put_dec(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

void hvt_exception(const struct exception_frame *f)
{
    static volatile int busy;
    if (busy) /* a fault while reporting one: just stop */
        hvt_halt(SOLO5_EXIT_ABORT);
    busy = 1;

    const char *name = f->vector < NVECTORS && names[f->vector] ? names[f->vector] : "reserved";
    put("mirage: fatal CPU exception vector ");
    put_dec(f->vector);
    put(" (");
    put(name);
    put("), error code ");
    put_hex(f->error);
    put(", rip ");
    put_hex(f->rip);
    put(", rsp ");
    put_hex(f->rsp);
    if (f->vector == 14) {
        uint64_t cr2;
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        put(", address ");
        put_hex(cr2);
    }
    put("\n");
    hvt_halt(SOLO5_EXIT_ABORT);
}

static uint64_t tss_descriptor_lo(uint64_t base, uint32_t limit)
{
    return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 | 0x89ULL << 40 /* present, TSS */
           | (uint64_t)((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xffULL) << 56;
}

void hvt_cpu_init(void)
{
    const uint64_t tss_base = (uint64_t)(uintptr_t)&tss;
    tss.ist[0] = (uint64_t)(uintptr_t)(exception_stack + sizeof exception_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */

    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffULL; /* code: present, execute/read, long mode */
    gdt[2] = 0x00cf92000000ffffULL; /* data: present, read/write */
    gdt[3] = tss_descriptor_lo(tss_base, sizeof tss - 1);
    gdt[4] = tss_base >> 32;

    for (unsigned v = 0; v < NVECTORS; v++) {
        uint64_t handler = (uint64_t)(uintptr_t)(hvt_exception_stubs + 16 * v);
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
                     /* Reload CS with a far return, then the data segments. */
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %2, %%eax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "ltr %w3\n\t"
                     "lidt %4"
                     :
                     : "m"(gdtr), "i"(SEL_CODE), "i"(SEL_DATA), "r"((uint16_t)SEL_TSS), "m"(idtr)
                     : "rax", "memory");
}
