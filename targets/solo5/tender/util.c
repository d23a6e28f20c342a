#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *name = "tender";

void tender_set_name(const char *n)
{
    name = n;
}

const char *tender_name(void)
{
    return name;
}

static void vmessage(const char *fmt, va_list ap, const char *suffix)
{
    /* One buffered write per message, so concurrent output stays whole. */
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s: ", name);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = 0;
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    size_t used = m < 0 ? (size_t)n : (size_t)n + (size_t)m;
    if (used >= sizeof buf)
        used = sizeof buf - 1;
    fprintf(stderr, "%.*s%s%s\n", (int)used, buf, suffix ? ": " : "", suffix ? suffix : "");
}

void tender_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, NULL);
    va_end(ap);
}

void tender_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, NULL);
    va_end(ap);
    exit(1);
}

void tender_die_errno(const char *fmt, ...)
{
    const char *e = strerror(errno);
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap, e);
    va_end(ap);
    exit(1);
}
