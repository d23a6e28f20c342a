/* strtol and friends, with the exact C semantics. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

static int digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Parses an optionally signed integer. Returns its magnitude, saturated at
 * `limit` (then *overflow is set), where `limit` is the largest magnitude the
 * caller can represent for the sign found (the sign is returned in *neg). */
static uintmax_t parse(const char *nptr, char **endptr, int base, uintmax_t pos_limit,
                       uintmax_t neg_limit, int *neg, int *overflow)
{
    const unsigned char *s = (const unsigned char *)nptr;
    *neg = 0;
    *overflow = 0;
    if (base < 0 || base == 1 || base > 36) {
        if (endptr)
            *endptr = (char *)nptr;
        errno = EINVAL;
        return 0;
    }
    while (isspace(*s))
        s++;
    if (*s == '+' || *s == '-')
        *neg = *s++ == '-';
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
        digit_value(s[2]) < 16) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == '0' ? 8 : 10;
    }
    uintmax_t limit = *neg ? neg_limit : pos_limit;
    uintmax_t value = 0;
    const unsigned char *digits = s;
    int d;
    while ((d = digit_value(*s)) < base) {
        if (!*overflow) {
            if (value > (limit - (uintmax_t)d) / (uintmax_t)base) {
                *overflow = 1;
                value = limit;
            } else {
                value = value * (uintmax_t)base + (uintmax_t)d;
            }
        }
        s++;
    }
    if (endptr)
        *endptr = (char *)(s == digits ? (const unsigned char *)nptr : s);
    if (*overflow)
        errno = ERANGE;
    return value;
}

long long strtoll(const char *restrict nptr, char **restrict endptr, int base)
{
    int neg, overflow;
    uintmax_t v = parse(nptr, endptr, base, (uintmax_t)LLONG_MAX, (uintmax_t)LLONG_MAX + 1, &neg,
                        &overflow);
    if (!neg)
        return (long long)v;
    return v == (uintmax_t)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
}

unsigned long long strtoull(const char *restrict nptr, char **restrict endptr, int base)
{
    int neg, overflow;
    uintmax_t v = parse(nptr, endptr, base, ULLONG_MAX, ULLONG_MAX, &neg, &overflow);
    if (overflow)
        return ULLONG_MAX;
    return neg ? -(unsigned long long)v : (unsigned long long)v;
}

long strtol(const char *restrict nptr, char **restrict endptr, int base)
{
    int neg, overflow;
    uintmax_t v = parse(nptr, endptr, base, (uintmax_t)LONG_MAX, (uintmax_t)LONG_MAX + 1, &neg,
                        &overflow);
    if (!neg)
        return (long)v;
    return v == (uintmax_t)LONG_MAX + 1 ? LONG_MIN : -(long)v;
}

unsigned long strtoul(const char *restrict nptr, char **restrict endptr, int base)
{
    int neg, overflow;
    uintmax_t v = parse(nptr, endptr, base, ULONG_MAX, ULONG_MAX, &neg, &overflow);
    if (overflow)
        return ULONG_MAX;
    return neg ? -(unsigned long)v : (unsigned long)v;
}

intmax_t strtoimax(const char *restrict nptr, char **restrict endptr, int base)
{
    return strtoll(nptr, endptr, base);
}

uintmax_t strtoumax(const char *restrict nptr, char **restrict endptr, int base)
{
    return strtoull(nptr, endptr, base);
}

int atoi(const char *nptr) { return (int)strtol(nptr, NULL, 10); }
long atol(const char *nptr) { return strtol(nptr, NULL, 10); }
long long atoll(const char *nptr) { return strtoll(nptr, NULL, 10); }

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }
intmax_t imaxabs(intmax_t x) { return x < 0 ? -x : x; }

void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
              int (*compar)(const void *, const void *))
{
    const char *lo = base;
    while (nmemb > 0) {
        const char *mid = lo + (nmemb / 2) * size;
        int c = compar(key, mid);
        if (c == 0)
            return (void *)mid;
        if (c > 0) {
            lo = mid + size;
            nmemb -= nmemb / 2 + 1;
        } else {
            nmemb /= 2;
        }
    }
    return NULL;
}
