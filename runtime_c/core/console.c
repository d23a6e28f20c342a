/* The console module type: dispatch through the ops table, printf on top of
 * write, and the platform console as the default implementation. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <mirage/console.h>
#include <mirage/format.h>
#include <mirage/platform.h>

int mirage_console_write(struct mirage_console *c, const void *buf, size_t len)
{
    return c->ops->write(c, buf, len);
}

static int console_sink(void *ctx, const char *buf, size_t len)
{
    return mirage_console_write(ctx, buf, len);
}

int mirage_console_printf(struct mirage_console *c, const char *fmt, ...)
{
    struct mirage_fmt f;
    va_list ap;
    mirage_fmt_init(&f, console_sink, c);
    va_start(ap, fmt);
    mirage_fmt_vprintf(&f, fmt, ap);
    va_end(ap);
    return mirage_fmt_flush(&f);
}

static int platform_console_write(struct mirage_console *c, const void *buf, size_t len)
{
    (void)c;
    mirage_platform_console_write(buf, len);
    return 0;
}

static const struct mirage_console_ops platform_console_ops = {
    .write = platform_console_write,
};

/* Write buf, starting each line with "[name] ". */
static int named_console_write(struct mirage_console *c, const void *buf, size_t len)
{
    const char *p = buf, *end = p + len;
    while (p < end) {
        if (!c->mid_line) {
            mirage_platform_console_write("[", 1);
            mirage_platform_console_write(c->name, strlen(c->name));
            mirage_platform_console_write("] ", 2);
            c->mid_line = 1;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl + 1 : end;
        mirage_platform_console_write(p, (size_t)(stop - p));
        if (nl)
            c->mid_line = 0;
        p = stop;
    }
    return 0;
}

static const struct mirage_console_ops named_console_ops = {
    .write = named_console_write,
};

int custom_console_connect(struct mirage_console *out, const char *name)
{
    out->ops = &named_console_ops;
    out->name = name;
    out->mid_line = 0;
    return 0;
}

int default_console_connect(struct mirage_console *out)
{
    out->ops = &platform_console_ops;
    out->name = "default_console";
    return 0;
}
