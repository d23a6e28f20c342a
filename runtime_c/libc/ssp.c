/* Stack protector support for code built with -fstack-protector* and
 * -mstack-protector-guard=global. */
#include <mirage_libc.h>
#include <stdlib.h>

#include "internal.h"

/* A terminator canary until the platform seeds a random one: low byte 0, plus
 * newline and 0xff bytes, which string functions stop at. */
uintptr_t __stack_chk_guard = (uintptr_t)0x595e9fbd94fda700ULL ^ (uintptr_t)0x000000000aff0000ULL;

void mirage_libc_seed_stack_guard(uint64_t seed)
{
    /* splitmix64 finaliser: any seed, even a weak one, spreads over all bits. */
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    z &= ~(uint64_t)0xff;
    if (z == 0)
        z = 0x2f5a1c3b00ULL;
    __stack_chk_guard = (uintptr_t)z;
}

_Noreturn void __stack_chk_fail(void)
{
    __mirage_libc_puts("mirage: stack smashing detected\n");
    abort();
}
