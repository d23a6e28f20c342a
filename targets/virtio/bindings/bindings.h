/* State and functions shared by the virtio bindings' files. */
#ifndef VIRTIO_BINDINGS_H
#define VIRTIO_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

/* Guest status written to QEMU's isa-debug-exit device (iobase 0x501): QEMU
 * then exits with status (value << 1) | 1, truncated to 8 bits by the host. */
#define VIRTIO_DEBUG_EXIT_PORT 0x501
#define VIRTIO_EXIT_FAILURE 1
#define VIRTIO_EXIT_ABORT 255

/* boot.S: continue on a new stack (top 16-byte aligned) by calling fn. */
_Noreturn void virtio_switch_stack(uintptr_t top, void (*fn)(void));

/* serial.c: COM1, polled. */
void serial_init(void);
void serial_write(const char *buf, size_t len);
void serial_puts(const char *s);

/* exit.c: end the VM through isa-debug-exit. */
_Noreturn void virtio_halt(int status);
/* Print "virtio: <msg>\n" and halt with VIRTIO_EXIT_FAILURE. */
_Noreturn void virtio_fail(const char *msg);

/* clock.c: TSC calibrated against the PIT; rtc.c: the CMOS clock. */
void clock_init(void);
uint64_t clock_monotonic_ns(void);
/* Seconds since the Unix epoch, read from the CMOS RTC (UTC). */
uint64_t rtc_read_epoch(void);
void wallclock_init(void);
uint64_t wallclock_ns(void);

/* multiboot.c: what the loader told us. */
struct boot_info {
    uint64_t mem_end;    /* end of the RAM region holding the image, clamped to 4 GiB */
    const char *cmdline; /* the loader's, kernel file name first; "" if none */
};
void multiboot_parse(uint32_t magic, uint32_t info, struct boot_info *bi);

/* pages.c: zeroed, page-aligned memory for device rings and buffers, carved
 * at boot between the image and the heap. Fails the boot when exhausted. */
void pages_init(uintptr_t start, uintptr_t end);
void *pages_alloc(size_t bytes);
uintptr_t pages_next(void);

/* devices.c: bind virtio PCI devices to manifest entries; the ready set. */
void devices_init(void);
uint64_t devices_ready(void);

#endif
