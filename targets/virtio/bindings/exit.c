/* Ending the VM: QEMU's isa-debug-exit device (`-device isa-debug-exit`,
 * default iobase 0x501) exits QEMU with status (value << 1) | 1 when the
 * guest writes value to it. We write the guest's status as one byte, so the
 * host sees ((status & 0xFF) << 1 | 1) & 0xFF and recovers status >> 1 for
 * statuses 0..127 (255, the abort status, shows as 255). */
#include "bindings.h"
#include "io.h"

_Noreturn void virtio_halt(int status)
{
    outb(VIRTIO_DEBUG_EXIT_PORT, (uint8_t)status);
    /* Still here: QEMU has no isa-debug-exit device. Stop for good. */
    serial_puts("virtio: cannot exit (no isa-debug-exit device); halted\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

_Noreturn void virtio_fail(const char *msg)
{
    serial_puts("virtio: ");
    serial_puts(msg);
    serial_puts("\n");
    virtio_halt(VIRTIO_EXIT_FAILURE);
}
