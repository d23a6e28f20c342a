/* Hooks of the mirage libc that platforms call at boot. */
#ifndef MIRAGE_LIBC_H
#define MIRAGE_LIBC_H

#include <stdint.h>

/* The stack-protector canary used by code built with -fstack-protector* and
 * -mstack-protector-guard=global. Its low byte is always 0 (stops string
 * overflows from copying it). */
extern uintptr_t __stack_chk_guard;

/* Replace the canary with one derived from seed (e.g. the platform's random or
 * TSC value). Call it once, early, from a function that does not return
 * afterwards through a frame protected with the old canary (the platform's entry
 * point, built with __attribute__((no_stack_protector)) or before calling into
 * protected code). */
void mirage_libc_seed_stack_guard(uint64_t seed);

_Noreturn void __stack_chk_fail(void);

/* The one way the runtime above this libc learns of an abort (assert, abort(),
 * a smashed stack): `hook` runs first, then the platform's abort. The runtime's
 * log ring registers its dump here; NULL removes the hook. */
void mirage_libc_set_abort_hook(void (*hook)(void));

#endif
