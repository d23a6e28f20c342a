/* mirage_log for host tests of the block drivers: the last message, kept for the test. */
#include <stdarg.h>
#include <stdio.h>

#include <mirage/log.h>
#include <unix_platform.h>

static char last[512];

void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(last, sizeof last, "%d [%s] ", (int)level, src ? src : "-");
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof last)
        vsnprintf(last + n, sizeof last - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *stub_last_log(void) { return last; }

/* No platform options in these tests: every driver uses the file it is given. */
const char *mirage_unix_attached(const char *kind, const char *name)
{
    (void)kind, (void)name;
    return NULL;
}
void stub_clear_log(void) { last[0] = '\0'; }
