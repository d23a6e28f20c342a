/* The TCP/IP module types' dispatchers (argument checks, then the ops table, so the
 * lwIP stack and the socket stack can both be in one image) and the address helpers. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mirage/errors.h>
#include <mirage/ip.h>
#include <mirage/tcp.h>
#include <mirage/udp.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "a.b.c.d" into 4 bytes: each part 0..255 in decimal, no leading zeros. */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0 && (i >= n || s[i++] != '.'))
            return MIRAGE_EINVAL;
        unsigned v = 0, digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (digits == 0 || v > 255 || (digits > 1 && s[i - digits] == '0'))
            return MIRAGE_EINVAL;
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : MIRAGE_EINVAL;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t groups[8] = {0};
    int count = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return MIRAGE_EINVAL;
    }
    while (i < n) {
        if (count == 8)
            return MIRAGE_EINVAL;
        size_t start = i;
        unsigned v = 0;
        while (i < n && hex_digit(s[i]) >= 0 && i - start < 4)
            v = v * 16 + (unsigned)hex_digit(s[i++]);
        if (i < n && s[i] == '.') { /* an IPv4 tail: the last 32 bits */
            uint8_t v4[4];
            if (count > 6 || parse_v4(s + start, n - start, v4) != 0)
                return MIRAGE_EINVAL;
            groups[count++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[count++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = n;
            break;
        }
        if (i == start)
            return MIRAGE_EINVAL;
        groups[count++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return MIRAGE_EINVAL;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return MIRAGE_EINVAL;
            gap = count;
            i++;
        } else if (i == n) {
            return MIRAGE_EINVAL; /* a trailing single ':' */
        }
    }
    if ((gap < 0 && count != 8) || (gap >= 0 && count > 7))
        return MIRAGE_EINVAL;
    uint16_t full[8] = {0};
    if (gap < 0) {
        memcpy(full, groups, sizeof full);
    } else {
        int tail = count - gap;
        memcpy(full, groups, (size_t)gap * sizeof groups[0]);
        memcpy(full + 8 - tail, groups + gap, (size_t)tail * sizeof groups[0]);
    }
    for (int g = 0; g < 8; g++) {
        out[2 * g] = (uint8_t)(full[g] >> 8);
        out[2 * g + 1] = (uint8_t)full[g];
    }
    return 0;
}

int mirage_ipaddr_parse(const char *text, struct mirage_ipaddr *out)
{
    if (text == NULL || out == NULL)
        return MIRAGE_EINVAL;
    struct mirage_ipaddr a = {0};
    size_t n = strlen(text);
    int rc;
    if (memchr(text, ':', n) != NULL) {
        a.version = 6;
        rc = parse_v6(text, n, a.bytes);
    } else {
        a.version = 4;
        rc = parse_v4(text, n, a.bytes);
    }
    if (rc == 0)
        *out = a;
    return rc;
}

static size_t put_dec(char *buf, unsigned v)
{
    char tmp[3];
    size_t n = 0, len = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        buf[len++] = tmp[--n];
    return len;
}

size_t mirage_ipaddr_format(const struct mirage_ipaddr *a, char buf[MIRAGE_IPADDR_STRLEN])
{
    size_t len = 0;
    if (a->version != 6) {
        for (int i = 0; i < 4; i++) {
            if (i > 0)
                buf[len++] = '.';
            len += put_dec(buf + len, a->bytes[i]);
        }
        buf[len] = '\0';
        return len;
    }
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(a->bytes[2 * i] << 8 | a->bytes[2 * i + 1]);
    /* RFC 5952: the longest run of two or more zero groups (the first on a tie) is "::". */
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            buf[len++] = ':';
            if (i == 0)
                buf[len++] = ':';
            i += best_len - 1;
            continue;
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (g[i] >> shift) & 0xf;
            if (d != 0 || started || shift == 0) {
                buf[len++] = hex[d];
                started = true;
            }
        }
        if (i < 7)
            buf[len++] = ':';
    }
    buf[len] = '\0';
    return len;
}

bool mirage_ipaddr_equal(const struct mirage_ipaddr *a, const struct mirage_ipaddr *b)
{
    size_t n = a->version == 6 ? 16 : 4;
    return a->version == b->version && memcmp(a->bytes, b->bytes, n) == 0;
}

size_t mirage_ip_addresses(struct mirage_ip *ip, struct mirage_ip_address *out, size_t max)
{
    if (ip == NULL || ip->ops == NULL || (out == NULL && max > 0))
        return 0;
    return ip->ops->addresses(ip, out, max);
}

int mirage_udp_listen(struct mirage_udp *u, uint16_t port, mirage_udp_recv_fn fn, void *ctx)
{
    if (u == NULL || u->ops == NULL || port == 0 || fn == NULL)
        return MIRAGE_EINVAL;
    return u->ops->listen(u, port, fn, ctx);
}

int mirage_udp_unlisten(struct mirage_udp *u, uint16_t port)
{
    if (u == NULL || u->ops == NULL || port == 0)
        return MIRAGE_EINVAL;
    return u->ops->unlisten(u, port);
}

int mirage_udp_send(struct mirage_udp *u, const struct mirage_ipaddr *dst, uint16_t dst_port, uint16_t src_port,
                    const void *data, size_t len)
{
    if (u == NULL || u->ops == NULL || dst == NULL || (data == NULL && len > 0) || dst_port == 0)
        return MIRAGE_EINVAL;
    if (len > (dst->version == 6 ? 65527u : 65507u))
        return MIRAGE_EINVAL;
    return u->ops->send(u, dst, dst_port, src_port, data, len);
}

int mirage_tcp_listen(struct mirage_tcp *t, uint16_t port, mirage_tcp_accept_fn fn, void *ctx)
{
    if (t == NULL || t->ops == NULL || port == 0 || fn == NULL)
        return MIRAGE_EINVAL;
    return t->ops->listen(t, port, fn, ctx);
}

int mirage_tcp_unlisten(struct mirage_tcp *t, uint16_t port)
{
    if (t == NULL || t->ops == NULL || port == 0)
        return MIRAGE_EINVAL;
    return t->ops->unlisten(t, port);
}

int mirage_tcp_connect(struct mirage_tcp *t, const struct mirage_ipaddr *dst, uint16_t port, mirage_tcp_connect_fn fn,
                       void *ctx)
{
    if (t == NULL || t->ops == NULL || dst == NULL || port == 0 || fn == NULL)
        return MIRAGE_EINVAL;
    return t->ops->connect(t, dst, port, fn, ctx);
}

void mirage_flow_set_callbacks(struct mirage_flow *f, const struct mirage_flow_callbacks *cb, void *ctx)
{
    if (f == NULL)
        return;
    f->cb = cb;
    f->ctx = ctx;
}

int mirage_flow_write(struct mirage_flow *f, const void *data, size_t len, size_t *written)
{
    if (written != NULL)
        *written = 0;
    if (f == NULL || f->ops == NULL || written == NULL || (data == NULL && len > 0))
        return MIRAGE_EINVAL;
    if (len == 0)
        return 0;
    return f->ops->write(f, data, len, written);
}

size_t mirage_flow_sendable(struct mirage_flow *f)
{
    return f != NULL && f->ops != NULL ? f->ops->sendable(f) : 0;
}

int mirage_flow_shutdown(struct mirage_flow *f)
{
    if (f == NULL || f->ops == NULL)
        return MIRAGE_EINVAL;
    return f->ops->shutdown(f);
}

void mirage_flow_close(struct mirage_flow *f)
{
    if (f != NULL && f->ops != NULL)
        f->ops->close(f);
}

void mirage_flow_reset(struct mirage_flow *f)
{
    if (f != NULL && f->ops != NULL)
        f->ops->reset(f);
}

void mirage_flow_nodelay(struct mirage_flow *f, bool on)
{
    if (f != NULL && f->ops != NULL)
        f->ops->nodelay(f, on);
}

void mirage_flow_pause(struct mirage_flow *f, bool paused)
{
    if (f != NULL && f->ops != NULL)
        f->ops->pause(f, paused);
}
