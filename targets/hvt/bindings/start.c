/* Entry point of an hvt image. The tender starts the vCPU at _start in 64-bit
 * mode with RDI = the boot info (0x10000) and RSP = mem_size - 8, the stack
 * alignment of a function just called, so _start is an ordinary C function.
 * It installs our own GDT/IDT first (so any later fault is reported), starts
 * the clock, seeds the stack protector, hands the free memory to the heap and
 * calls mirage_main with the command line as argc/argv. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>
#include <mirage_heap.h>
#include <mirage_libc.h>

#include "solo5_bindings.h"
#include "x86_64/cpu.h"
#include "bindings.h"

#if defined(__has_attribute) && __has_attribute(no_stack_protector)
#define NO_STACK_PROTECTOR __attribute__((no_stack_protector))
#else
#define NO_STACK_PROTECTOR __attribute__((optimize("no-stack-protector")))
#endif

const struct solo5_hvt_boot_info *hvt_boot_info;

static char cmdline[SOLO5_CMDLINE_SIZE];
static char *args[SOLO5_MAX_ARGS];

static int has_rdrand(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 30) & 1;
}

/* A canary seed: the TSC, mixed with RDRAND where the CPU has it. */
static uint64_t canary_seed(void)
{
    uint64_t seed = hvt_rdtsc();
    if (has_rdrand()) {
        for (int tries = 0; tries < 16; tries++) {
            uint64_t r;
            uint8_t ok;
            __asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
            if (ok) {
                seed ^= r;
                break;
            }
        }
    }
    return seed;
}

static void init_heap(const struct solo5_hvt_boot_info *bi)
{
    extern char _end[]; /* from the linker script */
    uint64_t start = bi->kernel_end;
    if ((uint64_t)(uintptr_t)_end > start)
        start = (uint64_t)(uintptr_t)_end;
    start = (start + SOLO5_PAGE_SIZE - 1) & ~(SOLO5_PAGE_SIZE - 1);
    uint64_t end = bi->mem_size - hvt_stack_size(bi->mem_size);
    mirage_heap_init((void *)(uintptr_t)start, end > start ? (size_t)(end - start) : 0);
}

/* Everything after the canary is seeded runs here, under the new canary. */
__attribute__((noreturn, noinline)) static void boot(const struct solo5_hvt_boot_info *bi)
{
    init_heap(bi);
    int argc = solo5_cmdline_split((const char *)(uintptr_t)bi->cmdline, cmdline, args);
    mirage_platform_exit(mirage_main(argc, args));
}

NO_STACK_PROTECTOR __attribute__((noreturn, used))
void _start(const struct solo5_hvt_boot_info *bi)
{
    hvt_boot_info = bi;
    x86_64_cpu_init();
    hvt_time_init(bi);
    mirage_libc_seed_stack_guard(canary_seed());
    boot(bi);
}
