/* snprintf and friends (see <stdio.h> for what is supported). No floating
 * point: unsupported conversions are copied verbatim. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct out {
    char *buf;
    size_t cap; /* bytes that may be stored, the NUL excluded */
    size_t len; /* bytes the full output has so far */
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void pad(struct out *o, char c, size_t n)
{
    char chunk[32];
    memset(chunk, c, sizeof chunk);
    while (n > 0) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        put(o, chunk, k);
        n -= k;
    }
}

enum {
    F_MINUS = 1,
    F_PLUS = 2,
    F_SPACE = 4,
    F_HASH = 8,
    F_ZERO = 16,
};

enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T, L_BIG_L };

/* Prints `body` (already converted) with width and left/right justification. */
static void put_padded(struct out *o, const char *body, size_t n, unsigned flags, size_t width)
{
    size_t fill = width > n ? width - n : 0;
    if (!(flags & F_MINUS))
        pad(o, ' ', fill);
    put(o, body, n);
    if (flags & F_MINUS)
        pad(o, ' ', fill);
}

static void put_integer(struct out *o, uintmax_t value, int negative, char conv, unsigned flags,
                        size_t width, int precision)
{
    char digits[3 * sizeof(uintmax_t) + 1];
    char *end = digits + sizeof digits, *p = end;
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    const char *alphabet = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    for (uintmax_t v = value; v != 0; v /= base)
        *--p = alphabet[v % base];
    if (precision < 0 && value == 0)
        *--p = '0'; /* default precision 1; an explicit .0 prints no digit for 0 */
    size_t ndigits = (size_t)(end - p);
    size_t zeros = precision > 0 && (size_t)precision > ndigits ? (size_t)precision - ndigits : 0;

    char prefix[3]; /* sign, then 0x (%+p has both) */
    size_t nprefix = 0;
    if (negative)
        prefix[nprefix++] = '-';
    else if (flags & F_PLUS)
        prefix[nprefix++] = '+';
    else if (flags & F_SPACE)
        prefix[nprefix++] = ' ';
    if (flags & F_HASH) {
        if (conv == 'o') {
            if (zeros == 0 && (ndigits == 0 || *p != '0'))
                zeros = 1;
        } else if ((conv == 'x' || conv == 'X') && value != 0) {
            prefix[nprefix++] = '0';
            prefix[nprefix++] = conv;
        } else if (conv == 'p') {
            prefix[nprefix++] = '0';
            prefix[nprefix++] = 'x';
        }
    }

    size_t total = nprefix + zeros + ndigits;
    size_t fill = width > total ? width - total : 0;
    if ((flags & (F_ZERO | F_MINUS)) == F_ZERO && precision < 0) {
        zeros += fill;
        fill = 0;
    }
    if (!(flags & F_MINUS))
        pad(o, ' ', fill);
    put(o, prefix, nprefix);
    pad(o, '0', zeros);
    put(o, p, ndigits);
    if (flags & F_MINUS)
        pad(o, ' ', fill);
}

static uintmax_t get_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case L_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case L_H: return (unsigned short)va_arg(*ap, unsigned int);
    case L_L: return va_arg(*ap, unsigned long);
    case L_LL: return va_arg(*ap, unsigned long long);
    case L_Z: return va_arg(*ap, size_t);
    case L_J: return va_arg(*ap, uintmax_t);
    case L_T: return (uintmax_t)(size_t)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned int);
    }
}

static intmax_t get_signed(va_list *ap, enum length len)
{
    switch (len) {
    case L_HH: return (signed char)va_arg(*ap, int);
    case L_H: return (short)va_arg(*ap, int);
    case L_L: return va_arg(*ap, long);
    case L_LL: return va_arg(*ap, long long);
    case L_Z: return (ptrdiff_t)va_arg(*ap, size_t); /* the signed type of size_t's width */
    case L_J: return va_arg(*ap, intmax_t);
    case L_T: return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

static size_t format(struct out *o, const char *fmt, va_list *ap)
{
    while (*fmt) {
        if (*fmt != '%') {
            const char *lit = fmt;
            while (*fmt && *fmt != '%')
                fmt++;
            put(o, lit, (size_t)(fmt - lit));
            continue;
        }
        const char *spec = fmt++;

        unsigned flags = 0;
        for (;; fmt++) {
            if (*fmt == '-') flags |= F_MINUS;
            else if (*fmt == '+') flags |= F_PLUS;
            else if (*fmt == ' ') flags |= F_SPACE;
            else if (*fmt == '#') flags |= F_HASH;
            else if (*fmt == '0') flags |= F_ZERO;
            else break;
        }

        size_t width = 0;
        if (*fmt == '*') {
            int w = va_arg(*ap, int);
            if (w < 0) {
                flags |= F_MINUS;
                width = (size_t)-(long)w;
            } else {
                width = (size_t)w;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9') {
                if (width <= INT_MAX)
                    width = width * 10 + (size_t)(*fmt - '0');
                fmt++;
            }
        }

        int precision = -1;
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int pr = va_arg(*ap, int);
                precision = pr < 0 ? -1 : pr;
                fmt++;
            } else {
                long pr = 0;
                while (*fmt >= '0' && *fmt <= '9') {
                    if (pr <= INT_MAX)
                        pr = pr * 10 + (*fmt - '0');
                    fmt++;
                }
                precision = pr > INT_MAX ? INT_MAX : (int)pr;
            }
        }

        enum length len = L_NONE;
        switch (*fmt) {
        case 'h':
            len = fmt[1] == 'h' ? L_HH : L_H;
            fmt += len == L_HH ? 2 : 1;
            break;
        case 'l':
            len = fmt[1] == 'l' ? L_LL : L_L;
            fmt += len == L_LL ? 2 : 1;
            break;
        case 'z': len = L_Z; fmt++; break;
        case 'j': len = L_J; fmt++; break;
        case 't': len = L_T; fmt++; break;
        case 'L': len = L_BIG_L; fmt++; break;
        default: break;
        }

        char conv = *fmt;
        if (conv == '\0') { /* the format ends inside a conversion: copy it */
            put(o, spec, (size_t)(fmt - spec));
            break;
        }
        fmt++;
        if (len == L_BIG_L) /* long double only: unsupported */
            conv = '?';

        switch (conv) {
        case '%':
            put(o, "%", 1);
            break;
        case 'd':
        case 'i': {
            intmax_t v = get_signed(ap, len);
            uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
            put_integer(o, mag, v < 0, conv, flags, width, precision);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            put_integer(o, get_unsigned(ap, len), 0, conv, flags & ~(unsigned)(F_PLUS | F_SPACE),
                        width, precision);
            break;
        case 'p': {
            void *ptr = va_arg(*ap, void *);
            if (ptr == NULL)
                put_padded(o, "(nil)", 5, flags, width);
            else
                put_integer(o, (uintptr_t)ptr, 0, 'p', flags | F_HASH, width, precision);
            break;
        }
        case 'c': {
            char c = (char)va_arg(*ap, int);
            put_padded(o, &c, 1, flags, width);
            break;
        }
        case 's': {
            const char *s = va_arg(*ap, const char *);
            if (s == NULL) /* like glibc: all of it, or nothing if it does not fit */
                s = precision < 0 || precision >= 6 ? "(null)" : "";
            size_t n = precision >= 0 ? strnlen(s, (size_t)precision) : strlen(s);
            put_padded(o, s, n, flags, width);
            break;
        }
        default: /* unsupported (floating point, %n, ...): copy the spec */
            put(o, spec, (size_t)(fmt - spec));
            break;
        }
    }
    return o->len;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    struct out o = { buf, size > 0 ? size - 1 : 0, 0 };
    va_list copy;
    va_copy(copy, ap);
    size_t n = format(&o, fmt, &copy);
    va_end(copy);
    if (size > 0)
        buf[n < o.cap ? n : o.cap] = '\0';
    if (n > INT_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return (int)n;
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
