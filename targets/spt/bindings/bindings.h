/* State shared by the spt bindings' files. */
#ifndef SPT_BINDINGS_H
#define SPT_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "solo5_abi.h"

/* Set by _start before anything else runs; lives in guest low memory. */
extern const struct solo5_spt_boot_info *spt_boot_info;

static inline const struct solo5_mft *spt_mft(void)
{
    return (const struct solo5_mft *)(uintptr_t)spt_boot_info->mft;
}

/* Bytes kept for the stack at the top of guest memory (the heap ends below):
 * 1 MiB, or a quarter of a small (< 4 MiB) guest memory. */
#define SPT_STACK_MAX (1024 * 1024)
static inline uint64_t spt_stack_size(uint64_t mem_size)
{
    return mem_size / 4 < SPT_STACK_MAX ? mem_size / 4 : SPT_STACK_MAX;
}

#endif
