/* Private to the libc: what it needs from the platform, and shared helpers. */
#ifndef MIRAGE_LIBC_INTERNAL_H
#define MIRAGE_LIBC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Provided by every target (same declarations as <mirage/platform.h>). */
void mirage_platform_console_write(const char *buf, size_t len);
_Noreturn void mirage_platform_abort(void);

/* Write a NUL-terminated string on the console. */
void __mirage_libc_puts(const char *s);

#endif
