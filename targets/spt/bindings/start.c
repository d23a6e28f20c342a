/* Entry point of an spt image. The tender jumps to _start with RDI = the boot
 * info (0x11000) and RSP = mem_size - 8, which is the stack alignment of a
 * function just called, so _start is an ordinary C function. It seeds the
 * stack protector, hands the free memory to the heap and calls mirage_main
 * with the command line as argc/argv. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>
#include <mirage_heap.h>
#include <mirage_libc.h>

#include "solo5_bindings.h"
#include "bindings.h"

#if defined(__has_attribute) && __has_attribute(no_stack_protector)
#define NO_STACK_PROTECTOR __attribute__((no_stack_protector))
#else
#define NO_STACK_PROTECTOR __attribute__((optimize("no-stack-protector")))
#endif

const struct solo5_spt_boot_info *spt_boot_info;

static char cmdline[SOLO5_CMDLINE_SIZE];
static char *args[SOLO5_MAX_ARGS];

/* A canary seed: the TSC and a stack address. */
NO_STACK_PROTECTOR static uint64_t canary_seed(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32 | lo) ^ (uint64_t)(uintptr_t)&lo;
}

static void init_heap(const struct solo5_spt_boot_info *bi)
{
    extern char _end[]; /* from the linker script */
    uint64_t start = bi->kernel_end;
    if ((uint64_t)(uintptr_t)_end > start)
        start = (uint64_t)(uintptr_t)_end;
    start = (start + SOLO5_PAGE_SIZE - 1) & ~(SOLO5_PAGE_SIZE - 1);
    uint64_t end = bi->mem_size - spt_stack_size(bi->mem_size);
    mirage_heap_init((void *)(uintptr_t)start, end > start ? (size_t)(end - start) : 0);
}

/* Everything after the canary is seeded runs here, under the new canary. */
__attribute__((noreturn, noinline)) static void boot(const struct solo5_spt_boot_info *bi)
{
    init_heap(bi);
    int argc = solo5_cmdline_split((const char *)(uintptr_t)bi->cmdline, cmdline, args);
    mirage_platform_exit(mirage_main(argc, args));
}

NO_STACK_PROTECTOR __attribute__((noreturn, used))
void _start(const struct solo5_spt_boot_info *bi)
{
    spt_boot_info = bi;
    mirage_libc_seed_stack_guard(canary_seed());
    boot(bi);
}
