/* stdio.h: formatted output into memory only (there is no FILE). The engine is
 * the runtime's own (runtime_c/format/format.c), shared with the console and logs.
 *
 * Conversions: d i u x X o c s p %, flags "-+ #0", width and precision (both may
 * be `*`), length modifiers hh h l ll z j t. There is no floating point (the
 * images are built with -mgeneral-regs-only): %f %e %g %a and anything else
 * unsupported (including %n) are copied to the output verbatim, consuming no
 * argument. %s of NULL prints "(null)" (nothing if the precision is below 6,
 * like glibc); %p prints 0x<hex>, or "(nil)" for NULL.
 * The return value is the length the full output would have (C99); the buffer
 * is always NUL-terminated when size > 0. */
#ifndef MIRAGE_LIBC_STDIO_H
#define MIRAGE_LIBC_STDIO_H

#include <stddef.h>

#ifndef EOF
#define EOF (-1)
#endif

#ifdef __cplusplus
extern "C" {
#endif

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, __builtin_va_list ap)
    __attribute__((format(printf, 3, 0)));
int sprintf(char *restrict buf, const char *restrict fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vsprintf(char *restrict buf, const char *restrict fmt, __builtin_va_list ap)
    __attribute__((format(printf, 2, 0)));

#ifdef __cplusplus
}
#endif

#endif
