/* Boot of a virtio image, after boot.S reached 64-bit mode on a small stack
 * in .bss: console, descriptor tables, what the loader told us, clocks, the
 * stack-protector canary; then, on the real stack at the top of memory, the
 * devices, the heap, and mirage_main.
 *
 * Memory, from the image up:
 *   [0x100000, _end)         the image (text, rodata, data, bss)
 *   [_end, heap)             device rings and buffers (pages.c)
 *   [heap, mem_end - stack)  the heap (mirage_heap_init)
 *   [mem_end - stack, mem_end) the stack: 1 MiB, or a quarter of a small memory
 * mem_end is the end of the RAM region holding the image (at most 4 GiB). */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>
#include <mirage_heap.h>
#include <mirage_libc.h>

#include "solo5_bindings.h"
#include "x86_64/cpu.h"
#include "bindings.h"
#include "io.h"

#if defined(__has_attribute) && __has_attribute(no_stack_protector)
#define NO_STACK_PROTECTOR __attribute__((no_stack_protector))
#else
#define NO_STACK_PROTECTOR __attribute__((optimize("no-stack-protector")))
#endif

#define STACK_MAX (1024 * 1024)
#define MEM_MIN (2 * 1024 * 1024) /* above the image, for devices, heap and stack */

extern char _end[]; /* virtio.ld */

static struct boot_info boot;
static char cmdline[SOLO5_CMDLINE_SIZE];
static char *args[SOLO5_MAX_ARGS];
static int nargs;

static uint64_t stack_size(uint64_t mem_end)
{
    return mem_end / 4 < STACK_MAX ? mem_end / 4 : STACK_MAX;
}

/* QEMU starts the Multiboot command line with the kernel's file name. */
static const char *after_first_token(const char *s)
{
    while (*s == ' ')
        s++;
    while (*s != '\0' && *s != ' ')
        s++;
    return s;
}

static _Noreturn void boot_on_stack(void)
{
    uint64_t stack_bottom = boot.mem_end - stack_size(boot.mem_end);
    pages_init((uintptr_t)_end, (uintptr_t)stack_bottom);
    devices_init();
    uintptr_t heap = pages_next();
    mirage_heap_init((void *)heap, stack_bottom > heap ? (size_t)(stack_bottom - heap) : 0);
    mirage_platform_exit(mirage_main(nargs, args));
}

/* Called by boot.S; never returns. Not stack-protected: it changes the canary. */
NO_STACK_PROTECTOR _Noreturn void virtio_boot(uint32_t magic, uint32_t info);

NO_STACK_PROTECTOR _Noreturn void virtio_boot(uint32_t magic, uint32_t info)
{
    serial_init();
    x86_64_cpu_init();
    multiboot_parse(magic, info, &boot);
    if (boot.mem_end < (uint64_t)(uintptr_t)_end + MEM_MIN)
        virtio_fail("not enough memory (give QEMU more with -m)");
    /* Copy the arguments out before device memory overwrites them. */
    nargs = solo5_cmdline_split(after_first_token(boot.cmdline), cmdline, args);
    clock_init();
    wallclock_init();
    mirage_libc_seed_stack_guard(rdtsc() ^ wallclock_ns() ^ (uint64_t)(uintptr_t)&magic);
    virtio_switch_stack((uintptr_t)boot.mem_end & ~(uintptr_t)15, boot_on_stack);
}
