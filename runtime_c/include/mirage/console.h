/* The console module type. */
#ifndef MIRAGE_CONSOLE_H
#define MIRAGE_CONSOLE_H

#include <stddef.h>

struct mirage_console;

struct mirage_console_ops {
    int (*write)(struct mirage_console *c, const void *buf, size_t len);
};

struct mirage_console {
    const struct mirage_console_ops *ops;
    const char *name;
    int mid_line; /* custom consoles: a line was started and not finished */
};

/* Write len bytes; returns 0 or a negative mirage_error. */
int mirage_console_write(struct mirage_console *c, const void *buf, size_t len);

/* printf-style output; lines longer than the internal buffer are written in pieces.
 * The conversions are the runtime libc's (no floating point). Returns 0 or the
 * first negative mirage_error from write. */
int mirage_console_printf(struct mirage_console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The platform console (stdout on unix, the tender's console on Solo5). */
int default_console_connect(struct mirage_console *out);

/* A named console on the platform console: every line starts with "[name] ", so several
 * can share one output and stay apart. */
int custom_console_connect(struct mirage_console *out, const char *name);

#endif
