/* The platform interface: the only functions a target must provide.
 * Everything above it (loop, argv, console, logs) is the same C on every target. */
#ifndef MIRAGE_PLATFORM_H
#define MIRAGE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Write raw bytes to the platform console; never fails visibly. */
void mirage_platform_console_write(const char *buf, size_t len);

/* Nanoseconds since an arbitrary fixed point, never going backwards. */
uint64_t mirage_platform_monotonic_ns(void);

/* Nanoseconds since the Unix epoch (wall clock, may jump). */
uint64_t mirage_platform_wall_ns(void);

/* Block until the monotonic clock reaches deadline_ns or a device handle becomes
 * ready. Returns the ready set: bit i set means handle i has input. */
uint64_t mirage_platform_yield(uint64_t deadline_ns);

/* End the unikernel with this status. */
_Noreturn void mirage_platform_exit(int status);

/* End the unikernel abnormally (status 255 on Solo5 targets, SIGABRT on unix). */
_Noreturn void mirage_platform_abort(void);

/* Called by generated main.c once every device is connected, before the jobs start:
 * the platform refuses what its command line attached that no device took. */
void mirage_platform_connected(void);

/* Called by the platform's entry point once the platform is ready: parses the boot
 * arguments, connects the devices and starts the jobs. Defined in generated main.c.
 * Returns the exit status. */
int mirage_main(int argc, char **argv);

#endif
