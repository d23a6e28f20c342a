/* Formatted output with no heap: vsnprintf into a 256-byte buffer owned by the
 * caller's stack frame.
 *
 * The common case (the whole output fits) is one vsnprintf and one write. When
 * vsnprintf reports truncation we cannot ask it for "the bytes after 255", so we
 * walk the format ourselves: literal text is copied as is, and each conversion is
 * formatted on its own with snprintf, its argument fetched with the C type the
 * conversion names. %s and %c are emitted by hand (their length is unbounded);
 * a numeric conversion longer than the buffer can only be so because of a large
 * width or precision, which we then apply by hand around the short body.
 * The conversions are those of the runtime's libc (runtime_c/libc/include/stdio.h):
 * no floating point (images are built with -mgeneral-regs-only) and no %n; like
 * there, an unsupported conversion is copied verbatim and consumes no argument. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mirage/errors.h>
#include <mirage/platform.h>

#include "format.h"

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

static void pad(struct mirage_fmt *f, char c, size_t n)
{
    char block[32];
    memset(block, c, sizeof block);
    while (n > 0) {
        size_t k = n < sizeof block ? n : sizeof block;
        mirage_fmt_put(f, block, k);
        n -= k;
    }
}

/* ---- one conversion at a time ---- */

struct spec {
    bool minus, plus, space, hash, zero;
    int width;      /* 0 when absent */
    int prec;       /* -1 when absent */
    char len[3];    /* "", "hh", "h", "l", "ll", "j", "z", "t", "L" */
    char conv;
};

enum kind { K_INT, K_UINT, K_PTR };

struct value {
    enum kind kind;
    union {
        intmax_t i;
        uintmax_t u;
        void *p;
    } v;
};

static char *put_uint(char *p, unsigned v)
{
    char tmp[12];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* snprintf one conversion, optionally without its width and/or precision. */
static int format_one(char *buf, size_t size, const struct spec *s, const struct value *v,
                      bool with_width, bool with_prec)
{
    char spec[40];
    char *p = spec;
    *p++ = '%';
    if (s->minus) *p++ = '-';
    if (s->plus) *p++ = '+';
    if (s->space) *p++ = ' ';
    if (s->hash) *p++ = '#';
    if (s->zero) *p++ = '0';
    if (with_width && s->width > 0)
        p = put_uint(p, (unsigned)s->width);
    if (with_prec && s->prec >= 0) {
        *p++ = '.';
        p = put_uint(p, (unsigned)s->prec);
    }
    /* Integers are widened to intmax_t so one snprintf call serves every length. */
    if (v->kind != K_PTR)
        *p++ = 'j';
    *p++ = s->conv;
    *p = '\0';
    switch (v->kind) {
    case K_INT: return snprintf(buf, size, spec, v->v.i);
    case K_UINT: return snprintf(buf, size, spec, v->v.u);
    case K_PTR: return snprintf(buf, size, spec, v->v.p);
    }
    return -1;
}

static size_t sign_len(const char *b)
{
    return (b[0] == '-' || b[0] == '+' || b[0] == ' ') ? 1 : 0;
}

/* Width and precision applied by hand around a body that fits: an integer's body
 * is at most a sign, "0x" and 22 octal digits; a pointer's is "0x" and 16 digits. */
static void emit_long_number(struct mirage_fmt *f, const struct spec *s, const struct value *v)
{
    char body[64]; /* see above: enough for any body */
    bool is_int = v->kind != K_PTR;
    int n = format_one(body, sizeof body, s, v, false, false);
    if (n < 0) {
        if (f->err == 0)
            f->err = MIRAGE_EINVAL;
        return;
    }
    size_t len = (size_t)n < sizeof body ? (size_t)n : sizeof body - 1; /* never cut */
    size_t pre = sign_len(body);
    bool hex = s->conv == 'x' || s->conv == 'X';
    if (hex && len >= pre + 2 && body[pre] == '0' && (body[pre + 1] == 'x' || body[pre + 1] == 'X'))
        pre += 2;
    size_t zeros = 0;
    bool zero_pad = s->zero && !s->minus;
    if (is_int) {
        size_t digits = len - pre;
        /* "%.0d" of zero prints no digit ("%#.0o" keeps its "0"). */
        if (s->prec == 0 && digits == 1 && body[pre] == '0' && !(s->hash && s->conv == 'o'))
            len = pre, digits = 0;
        if (s->prec >= 0) {
            zero_pad = false; /* C: the 0 flag is ignored when a precision is given */
            if ((size_t)s->prec > digits)
                zeros = (size_t)s->prec - digits;
        }
    } else {
        zero_pad = false; /* pointers are padded with spaces */
    }
    size_t total = len + zeros;
    size_t padding = (size_t)s->width > total ? (size_t)s->width - total : 0;
    if (!s->minus && !zero_pad)
        pad(f, ' ', padding);
    mirage_fmt_put(f, body, pre);
    pad(f, '0', zeros + (zero_pad ? padding : 0));
    mirage_fmt_put(f, body + pre, len - pre);
    if (s->minus)
        pad(f, ' ', padding);
}

static void emit_number(struct mirage_fmt *f, const struct spec *s, const struct value *v)
{
    size_t room = sizeof f->buf - f->used;
    int n = format_one(f->buf + f->used, room, s, v, true, true);
    if (n >= 0 && (size_t)n < room) {
        f->used += (size_t)n;
        return;
    }
    if (n >= 0 && (size_t)n < sizeof f->buf) {
        mirage_fmt_flush(f);
        format_one(f->buf, sizeof f->buf, s, v, true, true);
        f->used = (size_t)n;
        return;
    }
    emit_long_number(f, s, v);
}

static void emit_text(struct mirage_fmt *f, const struct spec *s, const char *str, size_t len)
{
    size_t padding = (size_t)s->width > len ? (size_t)s->width - len : 0;
    if (!s->minus)
        pad(f, ' ', padding);
    mirage_fmt_put(f, str, len);
    if (s->minus)
        pad(f, ' ', padding);
}

static intmax_t fetch_signed(const char *l, va_list *ap)
{
    if (strcmp(l, "hh") == 0) return (signed char)va_arg(*ap, int);
    if (strcmp(l, "h") == 0) return (short)va_arg(*ap, int);
    if (strcmp(l, "l") == 0) return va_arg(*ap, long);
    if (strcmp(l, "ll") == 0) return va_arg(*ap, long long);
    if (strcmp(l, "j") == 0) return va_arg(*ap, intmax_t);
    if (strcmp(l, "z") == 0 || strcmp(l, "t") == 0) return va_arg(*ap, ptrdiff_t);
    return va_arg(*ap, int);
}

static uintmax_t fetch_unsigned(const char *l, va_list *ap)
{
    if (strcmp(l, "hh") == 0) return (unsigned char)va_arg(*ap, unsigned);
    if (strcmp(l, "h") == 0) return (unsigned short)va_arg(*ap, unsigned);
    if (strcmp(l, "l") == 0) return va_arg(*ap, unsigned long);
    if (strcmp(l, "ll") == 0) return va_arg(*ap, unsigned long long);
    if (strcmp(l, "j") == 0) return va_arg(*ap, uintmax_t);
    if (strcmp(l, "z") == 0 || strcmp(l, "t") == 0) return va_arg(*ap, size_t);
    return va_arg(*ap, unsigned);
}

static int parse_num(const char **pp)
{
    const char *p = *pp;
    long n = 0;
    while (*p >= '0' && *p <= '9') {
        if (n < 0x7fffffff / 10)
            n = n * 10 + (*p - '0');
        else
            n = 0x7fffffff;
        p++;
    }
    *pp = p;
    return (int)n;
}

/* Parse the conversion at p (just after '%'), fetching '*' arguments; returns the
 * character after it, or NULL when the format ends inside the conversion. */
static const char *parse_spec(const char *p, struct spec *s, va_list *ap)
{
    memset(s, 0, sizeof *s);
    s->prec = -1;
    for (;; p++) {
        if (*p == '-') s->minus = true;
        else if (*p == '+') s->plus = true;
        else if (*p == ' ') s->space = true;
        else if (*p == '#') s->hash = true;
        else if (*p == '0') s->zero = true;
        else break;
    }
    if (*p == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            s->minus = true;
            w = w < -0x7fffffff ? 0x7fffffff : -w; /* -INT_MIN would overflow */
        }
        s->width = w;
        p++;
    } else {
        s->width = parse_num(&p);
    }
    if (*p == '.') {
        p++;
        if (*p == '*') {
            int pr = va_arg(*ap, int);
            s->prec = pr < 0 ? -1 : pr;
            p++;
        } else {
            s->prec = parse_num(&p);
        }
    }
    size_t n = 0;
    if ((p[0] == 'h' && p[1] == 'h') || (p[0] == 'l' && p[1] == 'l'))
        n = 2;
    else if (*p && strchr("hljztL", *p))
        n = 1;
    memcpy(s->len, p, n);
    s->len[n] = '\0';
    p += n;
    if (*p == '\0')
        return NULL;
    s->conv = *p;
    return p + 1;
}

/* The slow path: the output does not fit in the buffer. */
static void format_pieces(struct mirage_fmt *f, const char *fmt, va_list *ap)
{
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (pct == NULL) {
            mirage_fmt_put(f, p, strlen(p));
            return;
        }
        mirage_fmt_put(f, p, (size_t)(pct - p));
        if (pct[1] == '%') {
            mirage_fmt_put(f, "%", 1);
            p = pct + 2;
            continue;
        }
        struct spec s;
        const char *next = parse_spec(pct + 1, &s, ap);
        if (next == NULL) { /* the format ends inside a conversion: copy it */
            mirage_fmt_put(f, pct, strlen(pct));
            return;
        }
        struct value v;
        switch (strcmp(s.len, "L") == 0 ? '?' : s.conv) {
        case 'd': case 'i':
            v.kind = K_INT;
            v.v.i = fetch_signed(s.len, ap);
            emit_number(f, &s, &v);
            break;
        case 'u': case 'o': case 'x': case 'X':
            v.kind = K_UINT;
            v.v.u = fetch_unsigned(s.len, ap);
            emit_number(f, &s, &v);
            break;
        case 'p':
            v.kind = K_PTR;
            v.v.p = va_arg(*ap, void *);
            emit_number(f, &s, &v);
            break;
        case 'c': {
            char c = (char)va_arg(*ap, int);
            emit_text(f, &s, &c, 1);
            break;
        }
        case 's': {
            const char *str = va_arg(*ap, const char *);
            if (str == NULL) /* as the libc does: all of it or nothing */
                str = s.prec < 0 || s.prec >= 6 ? "(null)" : "";
            size_t len = 0;
            while (str[len] && (s.prec < 0 || len < (size_t)s.prec))
                len++;
            emit_text(f, &s, str, len);
            break;
        }
        case '%': /* "%5%" and the like */
            mirage_fmt_put(f, "%", 1);
            break;
        default: /* unsupported (floating point, %n, ...): copy the spec */
            mirage_fmt_put(f, pct, (size_t)(next - pct));
            break;
        }
        p = next;
    }
}

void mirage_fmt_vprintf(struct mirage_fmt *f, const char *fmt, va_list ap)
{
    va_list cp;
    size_t room = sizeof f->buf - f->used;
    va_copy(cp, ap);
    int n = vsnprintf(f->buf + f->used, room, fmt, cp);
    va_end(cp);
    if (n < 0) {
        if (f->err == 0)
            f->err = MIRAGE_EINVAL;
        return;
    }
    if ((size_t)n < room) {
        f->used += (size_t)n;
        return;
    }
    mirage_fmt_flush(f);
    va_copy(cp, ap);
    if ((size_t)n < sizeof f->buf) {
        vsnprintf(f->buf, sizeof f->buf, fmt, cp);
        f->used = (size_t)n;
    } else {
        /* A va_list parameter may be an array type, so its address is not a
         * va_list *: take the address of a local copy instead. */
        format_pieces(f, fmt, &cp);
    }
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
