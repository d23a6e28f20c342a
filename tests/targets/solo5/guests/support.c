/* The helpers of support.h, and the record of what the bindings hand to the
 * allocator: every test image is linked with --wrap=mirage_heap_init. */
#include <stdarg.h>
#include <stdio.h>

#include "support.h"

void *test_heap_base;
size_t test_heap_size;

void __real_mirage_heap_init(void *base, size_t size);
void __wrap_mirage_heap_init(void *base, size_t size);

void __wrap_mirage_heap_init(void *base, size_t size)
{
    test_heap_base = base;
    test_heap_size = size;
    __real_mirage_heap_init(base, size);
}

size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

void put(const char *s)
{
    mirage_platform_console_write(s, str_len(s));
}

/* Digits are built in a buffer and written once. */
void put_u64(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

void put_hex(uint64_t v)
{
    char buf[19];
    int i = 18;
    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    put(buf + i);
}

void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        mirage_platform_console_write(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int str_prefix(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

uint64_t parse_u64(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}
