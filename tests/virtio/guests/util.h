/* Helpers for the virtio test guests: formatted console output through the
 * image's own libc. */
#ifndef VIRTIO_TEST_UTIL_H
#define VIRTIO_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mirage/platform.h>

__attribute__((format(printf, 1, 2))) static inline void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = (int)sizeof buf - 1;
    if (n > 0)
        mirage_platform_console_write(buf, (size_t)n);
}

static inline int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

#endif
