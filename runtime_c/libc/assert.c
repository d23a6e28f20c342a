#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void __mirage_libc_puts(const char *s)
{
    mirage_platform_console_write(s, strlen(s));
}

_Noreturn void __mirage_assert_fail(const char *expr, const char *file, int line)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "assertion failed: %s (%s:%d)\n", expr, file, line);
    if (n < 0 || (size_t)n >= sizeof buf) {
        /* Too long for the buffer: print the pieces separately. */
        __mirage_libc_puts("assertion failed: ");
        __mirage_libc_puts(expr);
        __mirage_libc_puts(" (");
        __mirage_libc_puts(file);
        snprintf(buf, sizeof buf, ":%d)\n", line);
    }
    __mirage_libc_puts(buf);
    abort();
}

/* The runtime's log ring, when the image has one: the last lines are the post-mortem.
 * Weak, so the libc links (and its tests run) without the runtime. */
void mirage_log_dump_ring(void) __attribute__((weak));

_Noreturn void abort(void)
{
    if (mirage_log_dump_ring)
        mirage_log_dump_ring();
    mirage_platform_abort();
}
