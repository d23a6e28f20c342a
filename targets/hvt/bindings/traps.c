/* Fatal CPU exceptions on hvt (the IDT is targets/solo5/bindings/x86_64):
 * print the vector, error code, RIP, RSP and (for #PF) the faulting address
 * through the PUTS hypercall, then HALT with status 255. */
#include <stddef.h>
#include <stdint.h>

#include "solo5_bindings.h"
#include "x86_64/cpu.h"
#include "bindings.h"

static void put(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    hvt_puts(s, n);
}

static void put_u64(uint64_t v, int hex)
{
    char buf[SOLO5_U64_TEXT_SIZE];
    put(solo5_u64_text(buf, v, hex));
}

void x86_64_trap(const struct x86_64_trap_frame *f)
{
    static volatile int busy;
    if (busy) /* a fault while reporting one: just stop */
        hvt_halt(SOLO5_EXIT_ABORT);
    busy = 1;

    put("mirage: fatal CPU exception vector ");
    put_u64(f->vector, 0);
    put(" (");
    put(x86_64_exception_name(f->vector));
    put("), error code ");
    put_u64(f->error, 1);
    put(", rip ");
    put_u64(f->rip, 1);
    put(", rsp ");
    put_u64(f->rsp, 1);
    if (f->vector == 14) {
        put(", address ");
        put_u64(x86_64_read_cr2(), 1);
    }
    put("\n");
    hvt_halt(SOLO5_EXIT_ABORT);
}
