/* The mclock (monotonic) and pclock (POSIX wall) module types.
 * Ambient services: one implementation per image, so the device objects are empty. */
#ifndef MIRAGE_CLOCK_H
#define MIRAGE_CLOCK_H

#include <stdint.h>

struct mirage_mclock { int unused; };
struct mirage_pclock { int unused; };

int default_monotonic_clock_connect(struct mirage_mclock *out);
int default_posix_clock_connect(struct mirage_pclock *out);

/* Monotonic nanoseconds (arbitrary origin, never decreasing). */
uint64_t mirage_mclock_ns(void);
/* Wall-clock nanoseconds since the Unix epoch. */
uint64_t mirage_pclock_ns(void);

#endif
