/* The one printf engine (runtime_c/format/format.c), below both the runtime core
 * and the freestanding libc, whose snprintf family wraps it; it needs only the
 * platform console. Output goes through a fixed stack buffer, flushed to a sink
 * whenever it fills, so nothing is ever allocated and nothing is silently cut
 * (see format.c for the conversions). */
#ifndef MIRAGE_FORMAT_H
#define MIRAGE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#define MIRAGE_FMT_BUF 256

/* Receives finished pieces; returns 0 or a negative mirage_error. */
typedef int (*mirage_fmt_sink)(void *ctx, const char *buf, size_t len);

struct mirage_fmt {
    mirage_fmt_sink sink;
    void *ctx;
    int err;      /* first error from the sink; later output is dropped */
    size_t used;  /* bytes of buf waiting for the sink */
    char buf[MIRAGE_FMT_BUF];
};

void mirage_fmt_init(struct mirage_fmt *f, mirage_fmt_sink sink, void *ctx);
void mirage_fmt_put(struct mirage_fmt *f, const char *s, size_t len);
void mirage_fmt_vprintf(struct mirage_fmt *f, const char *fmt, va_list ap);
void mirage_fmt_printf(struct mirage_fmt *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand buffered bytes to the sink; returns the first sink error or 0. */
int mirage_fmt_flush(struct mirage_fmt *f);

/* A sink writing to mirage_platform_console_write (ctx unused). */
int mirage_fmt_platform_sink(void *ctx, const char *buf, size_t len);

/* printf to the platform console: the runtime's own messages (argv, logs). */
void mirage_core_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
