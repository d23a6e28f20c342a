/* Fatal CPU exceptions (the IDT is targets/solo5/bindings/x86_64): report
 * what happened on the console and end the VM with the abort status. Uses
 * the serial port directly, not the libc, which may be what broke. */
#include "solo5_bindings.h"
#include "x86_64/cpu.h"
#include "bindings.h"

static void field(const char *name, uint64_t v, int hex)
{
    char buf[SOLO5_U64_TEXT_SIZE];
    serial_puts(name);
    serial_puts(solo5_u64_text(buf, v, hex));
}

void x86_64_trap(const struct x86_64_trap_frame *f)
{
    field("\nvirtio: fatal exception: vector ", f->vector, 0);
    serial_puts(" (");
    serial_puts(x86_64_exception_name(f->vector));
    serial_puts(")");
    field(" error=", f->error, 1);
    field(" rip=", f->rip, 1);
    field(" cr2=", x86_64_read_cr2(), 1);
    field("\nvirtio:   rsp=", f->rsp, 1);
    field(" rbp=", f->rbp, 1);
    field(" rflags=", f->rflags, 1);
    field(" rax=", f->rax, 1);
    field(" rdi=", f->rdi, 1);
    field(" rsi=", f->rsi, 1);
    serial_puts("\n");
    virtio_halt(VIRTIO_EXIT_ABORT);
}
