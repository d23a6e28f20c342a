#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirage_libc.h>

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

static void (*abort_hook)(void);

void mirage_libc_set_abort_hook(void (*hook)(void))
{
    abort_hook = hook;
}

_Noreturn void abort(void)
{
    void (*hook)(void) = abort_hook;
    abort_hook = NULL; /* once: an abort inside the hook goes straight to the platform */
    if (hook != NULL)
        hook();
    mirage_platform_abort();
}
