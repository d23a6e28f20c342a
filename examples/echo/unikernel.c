/* echo: serves TCP and UDP echo on --port through whatever stack config.py gives (lwIP
 * or host sockets: the same C). A TCP peer that sends faster than it reads is slowed
 * down, not buffered for: when a write comes back short the flow stops reading until
 * the rest is written. --sink counts and discards instead. --stats prints lwIP's memory
 * high-water marks on the exit after --count connections. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/loop.h>
#include <mirage/lwip.h>
#include <mirage/stack.h>

#include "mirage_app.h"

static struct {
    struct mirage_console *console;
    struct mirage_stack *stack;
    bool sink, checksum, stats;
    int64_t count, ended;
} app;

/* Only images with the lwIP stack define mirage_lwip_stats: a weak reference is NULL in the
 * others (the host's sockets), so the same C links with either stack. */
#pragma weak mirage_lwip_stats

static void print_stats(void)
{
    if (mirage_lwip_stats == NULL) {
        mirage_console_printf(app.console, "echo: --stats: no lwIP statistics with this stack\n");
        return;
    }
    struct mirage_lwip_stats s;
    mirage_lwip_stats(&s);
    mirage_console_printf(app.console,
                          "echo: lwip high-water marks: heap %lu of %lu bytes, pbuf pool %u of %u, "
                          "tcp segments %u of %u, tcp pcbs %u of %u\n",
                          s.heap_max, s.heap_size, s.pool_max, s.pool_size, s.segs_max, s.segs_size, s.pcbs_max,
                          s.pcbs_size);
}

struct conn {
    uint64_t bytes, fnv;      /* --sink: what arrived */
    uint8_t *pending;         /* echo: what a short write left */
    size_t pending_len;
    bool eof;
};

static void done(struct conn *c)
{
    free(c->pending);
    free(c);
    if (app.count > 0 && ++app.ended >= app.count) {
        if (app.stats)
            print_stats();
        mirage_console_printf(app.console, "echo: %lld connections, done\n", (long long)app.ended);
        mirage_exit(0);
    }
}

/* Our side is done too: shut it, so the stack sends what is queued and then FIN; the
 * connection's end (closed, err 0) comes once the peer acknowledged everything. Closing
 * and exiting at once could end the unikernel before the last bytes left. */
static void finish(struct conn *c, struct mirage_flow *f)
{
    if (app.sink && app.checksum)
        mirage_console_printf(app.console, "echo: sink %llu bytes fnv1a %016llx\n", (unsigned long long)c->bytes,
                              (unsigned long long)c->fnv);
    else if (app.sink)
        mirage_console_printf(app.console, "echo: sink %llu bytes\n", (unsigned long long)c->bytes);
    if (mirage_flow_shutdown(f) < 0) {
        mirage_flow_close(f);
        done(c);
    }
}

/* Write what is pending; true when all of it went. */
static bool flush(struct conn *c, struct mirage_flow *f)
{
    size_t n = 0;
    int rc = c->pending_len > 0 ? mirage_flow_write(f, c->pending, c->pending_len, &n) : 0;
    if (rc == MIRAGE_EAGAIN)
        return false;
    if (rc < 0) {
        c->pending_len = 0;
        return true;
    }
    memmove(c->pending, c->pending + n, c->pending_len - n);
    c->pending_len -= n;
    return c->pending_len == 0;
}

static void on_recv(void *ctx, struct mirage_flow *f, const uint8_t *data, size_t len)
{
    struct conn *c = ctx;
    if (app.sink) {
        if (app.checksum) /* byte by byte, each step waiting for the last multiply */
            for (size_t i = 0; i < len; i++)
                c->fnv = (c->fnv ^ data[i]) * UINT64_C(0x100000001b3);
        c->bytes += len;
        return;
    }
    size_t n = 0;
    int rc = mirage_flow_write(f, data, len, &n);
    if (rc < 0 && rc != MIRAGE_EAGAIN)
        return;
    if (n < len) { /* keep the rest and stop reading until it is written */
        uint8_t *p = realloc(c->pending, c->pending_len + len - n);
        if (p == NULL) {
            mirage_flow_reset(f);
            done(c);
            return;
        }
        c->pending = p;
        memcpy(c->pending + c->pending_len, data + n, len - n);
        c->pending_len += len - n;
        mirage_flow_pause(f, true);
    }
}

static void on_eof(void *ctx, struct mirage_flow *f)
{
    struct conn *c = ctx;
    c->eof = true;
    if (app.sink || c->pending_len == 0)
        finish(c, f);
}

static void on_writable(void *ctx, struct mirage_flow *f)
{
    struct conn *c = ctx;
    if (!flush(c, f))
        return;
    if (c->eof)
        finish(c, f);
    else
        mirage_flow_pause(f, false);
}

static void on_closed(void *ctx, struct mirage_flow *f, int err)
{
    (void)f; /* gone once this returns */
    if (err < 0)
        mirage_console_printf(app.console, "echo: connection lost: %s\n", mirage_strerror(err));
    done(ctx);
}

static const struct mirage_flow_callbacks callbacks = {
    .recv = on_recv, .eof = on_eof, .writable = on_writable, .closed = on_closed};

static void on_accept(void *ctx, struct mirage_flow *f)
{
    (void)ctx;
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        mirage_flow_reset(f);
        return;
    }
    c->fnv = UINT64_C(0xcbf29ce484222325);
    mirage_flow_set_callbacks(f, &callbacks, c);
}

static void on_datagram(void *ctx, const struct mirage_ipaddr *src, uint16_t src_port, uint16_t dst_port,
                        const uint8_t *data, size_t len)
{
    (void)ctx;
    mirage_udp_send(app.stack->udp, src, src_port, dst_port, data, len);
}

int unikernel_start(struct mirage_console *console, struct mirage_stack *stack)
{
    app.console = console;
    app.stack = stack;
    app.sink = mirage_arg_sink();
    app.checksum = mirage_arg_checksum();
    app.count = mirage_arg_count();
    app.stats = mirage_arg_stats();
    int64_t port = mirage_arg_port();
    if (port < 1 || port > 65535) {
        mirage_console_printf(console, "echo: --port=%lld is not a port (1 to 65535)\n", (long long)port);
        return 64;
    }
    int rc = mirage_tcp_listen(stack->tcp, (uint16_t)port, on_accept, NULL);
    if (rc == 0)
        rc = mirage_udp_listen(stack->udp, (uint16_t)port, on_datagram, NULL);
    if (rc < 0) {
        mirage_console_printf(console, "echo: cannot listen on port %lld: %s\n", (long long)port, mirage_strerror(rc));
        return 1;
    }
    struct mirage_ip_address addrs[8];
    size_t n = mirage_ip_addresses(stack->ip, addrs, 8);
    mirage_console_printf(console, "echo: %s port %lld%s on", stack->name, (long long)port, app.sink ? " (sink)" : "");
    for (size_t i = 0; i < n && i < 8; i++) {
        char text[MIRAGE_IPADDR_STRLEN];
        mirage_ipaddr_format(&addrs[i].addr, text);
        mirage_console_printf(console, " %s/%u", text, addrs[i].prefix_len);
    }
    mirage_console_printf(console, "\n");
    return 0;
}
