/* Entry point of an spt image. The tender jumps to _start with RDI = the boot
 * info (0x11000) and RSP = mem_size - 8, which is the stack alignment of a
 * function just called, so _start is an ordinary C function. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>

#include "bindings.h"
#include "sys.h"

#if defined(__has_attribute) && __has_attribute(no_stack_protector)
#define NO_STACK_PROTECTOR __attribute__((no_stack_protector))
#else
#define NO_STACK_PROTECTOR __attribute__((optimize("no-stack-protector")))
#endif

/* Arguments come from the command line split on spaces, so at most half of
 * it, plus argv[0] and the terminating NULL. */
#define MAX_ARGS (SOLO5_CMDLINE_SIZE / 2 + 2)

const struct solo5_spt_boot_info *spt_boot_info;

static char cmdline[SOLO5_CMDLINE_SIZE];
static char *args[MAX_ARGS];

/* A minimal thread control block for %fs: GCC's stack protector reads its
 * canary at %fs:0x28, and %fs:0 conventionally points to the block itself. */
static uint64_t tcb[8] __attribute__((aligned(64)));

/* For code built with -mstack-protector-guard=global. Weak: a libc may own it. */
__attribute__((weak)) uintptr_t __stack_chk_guard;

__attribute__((weak, noreturn)) void __stack_chk_fail(void)
{
    static const char msg[] = "mirage: stack smashing detected\n";
    mirage_platform_console_write(msg, sizeof msg - 1);
    mirage_platform_abort();
}

NO_STACK_PROTECTOR static uint64_t make_canary(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t x = ((uint64_t)hi << 32 | lo) ^ (uint64_t)(uintptr_t)&x;
    x ^= x >> 33; /* a 64-bit finaliser: spread the timer's low bits */
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x & ~(uint64_t)0xff; /* a zero byte stops string overreads */
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

/* Split the tender's command line on spaces into args[1..]; arguments that
 * start with "--solo5:" belong to the Solo5 layer and are dropped. */
static int split_cmdline(const char *src)
{
    size_t n = 0;
    while (n < SOLO5_CMDLINE_SIZE - 1 && src[n] != '\0') {
        cmdline[n] = src[n];
        n++;
    }
    cmdline[n] = '\0';

    int argc = 0;
    args[argc++] = "unikernel";
    char *p = cmdline;
    for (;;) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        char *arg = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (!starts_with(arg, "--solo5:") && argc < MAX_ARGS - 1)
            args[argc++] = arg;
    }
    args[argc] = NULL;
    return argc;
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

NO_STACK_PROTECTOR __attribute__((noreturn, used))
void _start(const struct solo5_spt_boot_info *bi)
{
    uint64_t canary = make_canary();
    tcb[0] = (uint64_t)(uintptr_t)tcb;
    tcb[5] = canary;
    __stack_chk_guard = (uintptr_t)canary;
    (void)sys_arch_prctl(SYS_ARCH_SET_FS, (uint64_t)(uintptr_t)tcb);

    spt_boot_info = bi;
    init_heap(bi);
    int argc = split_cmdline((const char *)(uintptr_t)bi->cmdline);
    mirage_platform_exit(mirage_main(argc, args));
}
