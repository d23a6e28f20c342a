/* Levelled logging to the platform console, one "LEVEL [source] message" line
 * per call, handed to the platform in one write when it fits the buffer. */
#include <stdarg.h>
#include <stddef.h>

#include <mirage/log.h>

#include "format.h"

static enum mirage_log_level threshold = MIRAGE_LOG_INFO;

void mirage_log_set_level(enum mirage_log_level level)
{
    threshold = level;
}

enum mirage_log_level mirage_log_get_level(void)
{
    return threshold;
}

static const char *level_name(enum mirage_log_level level)
{
    switch (level) {
    case MIRAGE_LOG_ERROR: return "ERROR";
    case MIRAGE_LOG_WARN: return "WARN";
    case MIRAGE_LOG_INFO: return "INFO";
    case MIRAGE_LOG_DEBUG: return "DEBUG";
    }
    return "LOG";
}

void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...)
{
    if (level > threshold)
        return;
    struct mirage_fmt f;
    va_list ap;
    mirage_fmt_init(&f, mirage_fmt_platform_sink, NULL);
    mirage_fmt_printf(&f, "%s [%s] ", level_name(level), src ? src : "-");
    va_start(ap, fmt);
    mirage_fmt_vprintf(&f, fmt, ap);
    va_end(ap);
    mirage_fmt_put(&f, "\n", 1);
    mirage_fmt_flush(&f);
}
