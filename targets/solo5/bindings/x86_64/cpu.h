/* The guest's own x86_64 descriptor tables, shared by the targets that run
 * in ring 0 of a virtual machine (hvt, virtio). The loader's GDT may live in
 * memory the guest cannot see, and there is no IDT at entry, so a fault
 * would be a silent triple fault. x86_64_cpu_init() installs a GDT with code,
 * data and a TSS whose IST1 is a dedicated exception stack, and an IDT that
 * sends each of the 32 CPU exceptions, with the registers saved, to the
 * target's x86_64_trap(). Interrupts stay disabled: the bindings poll. */
#ifndef SOLO5_X86_64_CPU_H
#define SOLO5_X86_64_CPU_H

#include <stdint.h>

/* What the exception stubs leave on the exception stack. */
struct x86_64_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error; /* error is 0 for vectors without an error code */
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Load the GDT (reloading every segment register), the TSS and the IDT. */
void x86_64_cpu_init(void);

/* Provided by each target: report a fatal CPU exception and end the guest.
 * Runs on the exception stack; must not return. */
_Noreturn void x86_64_trap(const struct x86_64_trap_frame *f);

/* "#PF page fault" and the like; "reserved" for vectors without a name. */
const char *x86_64_exception_name(uint64_t vector);

static inline uint64_t x86_64_read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

#endif
