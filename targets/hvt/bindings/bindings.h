/* State and primitives shared by the hvt bindings' files. */
#ifndef HVT_BINDINGS_H
#define HVT_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "solo5_abi.h"

/* Set by _start before anything else runs; lives in read-only low memory. */
extern const struct solo5_hvt_boot_info *hvt_boot_info;

static inline const struct solo5_mft *hvt_mft(void)
{
    return (const struct solo5_mft *)(uintptr_t)hvt_boot_info->mft;
}

/* Hypercall n: a 4-byte OUT of the argument's address to port 0x500 + n. The
 * guest is identity mapped below 4 GiB, so the address is its physical one.
 * The tender reads and writes *arg before the OUT completes. */
static inline void hvt_hypercall(enum solo5_hvt_hypercall n, volatile void *arg)
{
    __asm__ volatile("outl %0, %1"
                     :
                     : "a"((uint32_t)(uintptr_t)arg),
                       "d"((uint16_t)(SOLO5_HVT_HYPERCALL_PIO_BASE + n))
                     : "memory");
}

static inline uint64_t hvt_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* The console, straight to the PUTS hypercall. */
void hvt_puts(const char *buf, size_t len);

/* End the guest through HALT; never returns (and never executes hlt). */
__attribute__((noreturn)) void hvt_halt(int status);

/* platform.c: the TSC clock, from the boot info's cpu_cycle_freq. */
void hvt_time_init(const struct solo5_hvt_boot_info *bi);

/* Bytes kept for the stack at the top of guest memory (the heap ends below):
 * 1 MiB, or a quarter of a small (< 4 MiB) guest memory. */
#define HVT_STACK_MAX (1024 * 1024)
static inline uint64_t hvt_stack_size(uint64_t mem_size)
{
    return mem_size / 4 < HVT_STACK_MAX ? mem_size / 4 : HVT_STACK_MAX;
}

#endif
