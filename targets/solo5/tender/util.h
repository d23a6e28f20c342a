/* Diagnostics shared by the tenders: every message goes to stderr prefixed
 * with the tender's name, and every fatal error exits with status 1. */
#ifndef TENDER_UTIL_H
#define TENDER_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Set the prefix of every message (e.g. "solo5-spt"); default "tender". */
void tender_set_name(const char *name);
const char *tender_name(void);

__attribute__((format(printf, 1, 2)))
void tender_warn(const char *fmt, ...);

/* Print the message and exit(1). */
__attribute__((format(printf, 1, 2), noreturn))
void tender_die(const char *fmt, ...);

/* tender_die with ": strerror(errno)" appended. */
__attribute__((format(printf, 1, 2), noreturn))
void tender_die_errno(const char *fmt, ...);

/* On SIGINT or SIGTERM, say "NAME: exiting on signal N" on stderr and exit 1,
 * as Solo5's hvt tender does; the kernel then closes every device. The
 * handler runs on its own stack and makes raw system calls only (one write
 * of a fixed, read-only message to fd 2, then exit_group), so it works
 * inside the spt sandbox too. Call once, after tender_set_name. */
void tender_exit_on_signals(void);

/* The handler's message for SIGINT or SIGTERM and its length, so the spt
 * filter can allow exactly that write. */
void tender_signal_message(int sig, const char **msg, size_t *len);

/* Overflow-checked arithmetic on guest addresses and sizes. */
static inline int tender_add_overflows(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_add_overflow(a, b, out);
}

/* Round v up to a multiple of the power of two `align`; 1 on overflow. */
static inline int tender_align_up(uint64_t v, uint64_t align, uint64_t *out)
{
    uint64_t t;
    if (__builtin_add_overflow(v, align - 1, &t))
        return 1;
    *out = t & ~(align - 1);
    return 0;
}

#endif
