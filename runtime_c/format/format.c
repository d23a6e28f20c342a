/* The runtime's one printf engine: the console, the logs and the argv messages
 * print through it, and so does the freestanding libc (runtime_c/libc/printf.c:
 * snprintf and friends are a buffer sink over it). It compiles against the host
 * headers (unix) as well as the libc's own (freestanding images), and calls no
 * formatting function of either: the output is the same on every target.
 *
 * Output is collected in a 256-byte buffer owned by the caller's stack frame and
 * handed to the sink whenever it fills, so nothing is allocated and nothing is cut,
 * however long the output (a short one is a single sink call).
 *
 * Conversions: d i u x X o c s p %, flags "-+ #0", width and precision (both may
 * be `*`), length modifiers hh h l ll z j t (ignored by c s p). There is no floating
 * point (images are built with -mgeneral-regs-only): %f %e %g %a, %L..., %n and
 * anything else unsupported are copied verbatim, consuming no argument. %s of NULL
 * prints "(null)", or nothing when the precision is below 6 (like glibc); %p prints
 * 0x<hex>, or "(nil)" for NULL. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mirage/format.h>
#include <mirage/platform.h>

void mirage_fmt_init(struct mirage_fmt *f, mirage_fmt_sink sink, void *ctx)
{
    f->sink = sink;
    f->ctx = ctx;
    f->err = 0;
    f->used = 0;
}

/* Straight to the sink, bypassing the buffer. */
static void sink_write(struct mirage_fmt *f, const char *s, size_t len)
{
    if (f->err == 0 && len > 0) {
        int r = f->sink(f->ctx, s, len);
        if (r < 0)
            f->err = r;
    }
}

int mirage_fmt_flush(struct mirage_fmt *f)
{
    size_t n = f->used;
    f->used = 0;
    sink_write(f, f->buf, n);
    return f->err;
}

void mirage_fmt_put(struct mirage_fmt *f, const char *s, size_t len)
{
    while (len > 0) {
        if (f->used == 0 && len >= sizeof f->buf) {
            sink_write(f, s, len); /* no point copying what fills the buffer anyway */
            return;
        }
        size_t room = sizeof f->buf - f->used;
        size_t n = len < room ? len : room;
        memcpy(f->buf + f->used, s, n);
        f->used += n;
        s += n;
        len -= n;
        if (f->used == sizeof f->buf)
            mirage_fmt_flush(f);
    }
}

/* n copies of c. */
static void pad(struct mirage_fmt *f, char c, size_t n)
{
    while (n > 0) {
        size_t room = sizeof f->buf - f->used;
        size_t k = n < room ? n : room;
        memset(f->buf + f->used, c, k);
        f->used += k;
        n -= k;
        if (f->used == sizeof f->buf)
            mirage_fmt_flush(f);
    }
}

/* ---- one conversion ---- */

enum {
    F_MINUS = 1,
    F_PLUS = 2,
    F_SPACE = 4,
    F_HASH = 8,
    F_ZERO = 16,
};

enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T, L_BIG_L };

struct spec {
    unsigned flags;
    size_t width; /* 0 when absent */
    int prec;     /* -1 when absent */
    enum length len;
    char conv;
};

/* `body` (already converted) with width and left/right justification. */
static void put_padded(struct mirage_fmt *f, const struct spec *s, const char *body, size_t n)
{
    size_t fill = s->width > n ? s->width - n : 0;
    if (!(s->flags & F_MINUS))
        pad(f, ' ', fill);
    mirage_fmt_put(f, body, n);
    if (s->flags & F_MINUS)
        pad(f, ' ', fill);
}

/* An integer conversion (and %p, conv 'p' with F_HASH) of magnitude `value`. */
static void put_integer(struct mirage_fmt *f, const struct spec *s, char conv, uintmax_t value,
                        bool negative)
{
    char digits[3 * sizeof(uintmax_t) + 1]; /* 22 octal digits for 64 bits */
    char *end = digits + sizeof digits, *p = end;
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    const char *alphabet = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned flags = s->flags;
    int prec = s->prec;
    for (uintmax_t v = value; v != 0; v /= base)
        *--p = alphabet[v % base];
    if (prec < 0 && value == 0)
        *--p = '0'; /* default precision 1; an explicit .0 prints no digit for 0 */
    size_t ndigits = (size_t)(end - p);
    size_t zeros = prec > 0 && (size_t)prec > ndigits ? (size_t)prec - ndigits : 0;

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
                zeros = 1; /* the first digit must be 0 */
        } else if ((conv == 'x' || conv == 'X') && value != 0) {
            prefix[nprefix++] = '0';
            prefix[nprefix++] = conv;
        } else if (conv == 'p') {
            prefix[nprefix++] = '0';
            prefix[nprefix++] = 'x';
        }
    }

    size_t total = nprefix + zeros + ndigits;
    size_t fill = s->width > total ? s->width - total : 0;
    if ((flags & (F_ZERO | F_MINUS)) == F_ZERO && prec < 0) { /* 0 is ignored with a precision */
        zeros += fill;
        fill = 0;
    }
    if (!(flags & F_MINUS))
        pad(f, ' ', fill);
    mirage_fmt_put(f, prefix, nprefix);
    pad(f, '0', zeros);
    mirage_fmt_put(f, p, ndigits);
    if (flags & F_MINUS)
        pad(f, ' ', fill);
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

/* A decimal field, saturated at INT_MAX. */
static int parse_num(const char **pp)
{
    const char *p = *pp;
    int n = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';
        n = n > (0x7fffffff - d) / 10 ? 0x7fffffff : n * 10 + d;
    }
    *pp = p;
    return n;
}

/* Parse the conversion at p (just after '%'), fetching '*' arguments; returns the
 * character after it, or NULL when the format ends inside the conversion. */
static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
    s->flags = 0;
    for (;; p++) {
        if (*p == '-') s->flags |= F_MINUS;
        else if (*p == '+') s->flags |= F_PLUS;
        else if (*p == ' ') s->flags |= F_SPACE;
        else if (*p == '#') s->flags |= F_HASH;
        else if (*p == '0') s->flags |= F_ZERO;
        else break;
    }

    if (*p == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            s->flags |= F_MINUS; /* a negative width is the - flag */
            s->width = (size_t)-(intmax_t)w;
        } else {
            s->width = (size_t)w;
        }
        p++;
    } else {
        s->width = (size_t)parse_num(&p);
    }

    s->prec = -1;
    if (*p == '.') {
        p++;
        if (*p == '*') {
            int pr = va_arg(*ap, int);
            s->prec = pr < 0 ? -1 : pr; /* a negative precision is none */
            p++;
        } else {
            s->prec = parse_num(&p);
        }
    }

    switch (*p) {
    case 'h':
        s->len = p[1] == 'h' ? L_HH : L_H;
        p += s->len == L_HH ? 2 : 1;
        break;
    case 'l':
        s->len = p[1] == 'l' ? L_LL : L_L;
        p += s->len == L_LL ? 2 : 1;
        break;
    case 'z': s->len = L_Z; p++; break;
    case 'j': s->len = L_J; p++; break;
    case 't': s->len = L_T; p++; break;
    case 'L': s->len = L_BIG_L; p++; break;
    default: s->len = L_NONE; break;
    }

    if (*p == '\0')
        return NULL;
    s->conv = *p;
    return p + 1;
}

static void format(struct mirage_fmt *f, const char *fmt, va_list *ap)
{
    while (*fmt) {
        if (*fmt != '%') {
            const char *lit = fmt;
            while (*fmt && *fmt != '%')
                fmt++;
            mirage_fmt_put(f, lit, (size_t)(fmt - lit));
            continue;
        }
        const char *start = fmt;
        struct spec s;
        fmt = parse_spec(fmt + 1, &s, ap);
        if (fmt == NULL) { /* the format ends inside a conversion: copy it */
            mirage_fmt_put(f, start, strlen(start));
            return;
        }
        char conv = s.len == L_BIG_L ? '?' : s.conv; /* long double only: unsupported */

        switch (conv) {
        case '%': /* "%5%" and the like too */
            mirage_fmt_put(f, "%", 1);
            break;
        case 'd':
        case 'i': {
            intmax_t v = get_signed(ap, s.len);
            put_integer(f, &s, conv, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            s.flags &= ~(unsigned)(F_PLUS | F_SPACE); /* signed conversions only */
            put_integer(f, &s, conv, get_unsigned(ap, s.len), false);
            break;
        case 'p': {
            void *ptr = va_arg(*ap, void *);
            if (ptr == NULL) {
                put_padded(f, &s, "(nil)", 5);
            } else {
                s.flags |= F_HASH;
                put_integer(f, &s, 'p', (uintptr_t)ptr, false);
            }
            break;
        }
        case 'c': {
            char c = (char)va_arg(*ap, int);
            put_padded(f, &s, &c, 1);
            break;
        }
        case 's': {
            const char *str = va_arg(*ap, const char *);
            if (str == NULL) /* like glibc: all of it, or nothing if it does not fit */
                str = s.prec < 0 || s.prec >= 6 ? "(null)" : "";
            size_t n = 0;
            while ((s.prec < 0 || n < (size_t)s.prec) && str[n]) /* no byte past the precision is read */
                n++;
            put_padded(f, &s, str, n);
            break;
        }
        default: /* unsupported (floating point, %n, ...): copy the spec */
            mirage_fmt_put(f, start, (size_t)(fmt - start));
            break;
        }
    }
}

void mirage_fmt_vprintf(struct mirage_fmt *f, const char *fmt, va_list ap)
{
    /* A va_list parameter may be an array type, so its address is not a
     * va_list *: take the address of a local copy instead. */
    va_list cp;
    va_copy(cp, ap);
    format(f, fmt, &cp);
    va_end(cp);
}

void mirage_fmt_printf(struct mirage_fmt *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mirage_fmt_vprintf(f, fmt, ap);
    va_end(ap);
}

int mirage_fmt_platform_sink(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    mirage_platform_console_write(buf, len);
    return 0;
}

void mirage_core_printf(const char *fmt, ...)
{
    struct mirage_fmt f;
    va_list ap;
    mirage_fmt_init(&f, mirage_fmt_platform_sink, NULL);
    va_start(ap, fmt);
    mirage_fmt_vprintf(&f, fmt, ap);
    va_end(ap);
    mirage_fmt_flush(&f);
}
