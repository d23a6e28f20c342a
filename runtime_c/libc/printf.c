/* snprintf and friends: a buffer sink over the runtime's printf engine
 * (runtime_c/format/format.c, always linked with this libc). See <stdio.h> for
 * what is supported. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <mirage/format.h>

struct dest {
    char *buf;
    size_t cap; /* bytes that may be stored, the NUL excluded */
    size_t len; /* bytes the full output has so far */
};

static int to_buffer(void *ctx, const char *s, size_t n)
{
    struct dest *d = ctx;
    if (d->len < d->cap) {
        size_t room = d->cap - d->len;
        memcpy(d->buf + d->len, s, n < room ? n : room);
    }
    d->len += n;
    return 0;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    struct dest d = { buf, size > 0 ? size - 1 : 0, 0 };
    struct mirage_fmt f;
    mirage_fmt_init(&f, to_buffer, &d);
    mirage_fmt_vprintf(&f, fmt, ap);
    mirage_fmt_flush(&f);
    if (size > 0)
        buf[d.len < d.cap ? d.len : d.cap] = '\0';
    if (d.len > INT_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return (int)d.len;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
    return vsnprintf(buf, (size_t)INT_MAX + 1, fmt, ap);
}

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsprintf(buf, fmt, ap);
    va_end(ap);
    return n;
}
