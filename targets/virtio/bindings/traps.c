/* Fatal CPU exceptions: report what happened on the console and end the VM
 * with the abort status. Uses the serial port directly, not the libc, which
 * may be what broke. */
#include "bindings.h"
#include "io.h"

/* Layout of what trap_entry.S leaves on the stack. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

static void field(const char *name, uint64_t v)
{
    serial_puts(name);
    serial_put_hex(v);
}

_Noreturn void virtio_trap(const struct trap_frame *f);

_Noreturn void virtio_trap(const struct trap_frame *f)
{
    const char *name = f->vector < 32 && names[f->vector] ? names[f->vector] : "reserved";
    serial_puts("\nvirtio: fatal exception: vector ");
    serial_put_dec(f->vector);
    serial_puts(" (");
    serial_puts(name);
    serial_puts(")");
    field(" error=", f->error);
    field(" rip=", f->rip);
    field(" cr2=", read_cr2());
    field("\nvirtio:   rsp=", f->rsp);
    field(" rbp=", f->rbp);
    field(" rflags=", f->rflags);
    field(" rax=", f->rax);
    field(" rdi=", f->rdi);
    field(" rsi=", f->rsi);
    serial_puts("\n");
    virtio_halt(VIRTIO_EXIT_ABORT);
}
