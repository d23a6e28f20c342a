/* The host libc's own, untruncated formatting of a printf call: the oracle the
 * runtime's chunked console printf is compared with. Returns a malloc'd string. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

char *oracle_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void oracle_free(char *s)
{
    free(s);
}
