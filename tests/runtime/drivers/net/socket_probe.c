/* A stand-in for generated main.c, to drive the unix socket stack where echo cannot:
 *   socket_probe connect HOST PORT [v4only]  connect, write "ping", shut down, print what
 *                                            comes back and how the flow ends
 *   socket_probe serve PORT MODE             listen on PORT and act per MODE:
 *     shut-after-eof  echo everything once the peer's eof came, then shut down
 *     close-early     close the flow at its first data (the peer still sends)
 *     pause           deliver nothing for 1.5 s, then count the bytes until eof
 *     reentrant       two flows paused, resumed together: the first recv resets the
 *                     other flow and closes its own
 *     unlisten        the first accept unlistens the port and closes its flow
 * Every mode stops listening when it is done, so mirage_run returns once the stack has
 * nothing left to watch: "loop ended" is printed then. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/loop.h>
#include <mirage/platform.h>
#include <mirage/runtime.h>
#include <mirage/stack.h>

static struct mirage_console con;
static struct mirage_stack stack;
static const char *mode;
static uint16_t port;
static uint8_t kept[1 << 16];
static size_t kept_len;
static uint64_t total;
static struct mirage_flow *flows[2];
static int nflows;
static struct mirage_timer timer;

static void print_end(const char *what, const struct mirage_ipaddr *a, uint16_t p)
{
    char text[MIRAGE_IPADDR_STRLEN];
    mirage_ipaddr_format(a, text);
    mirage_console_printf(&con, " %s=%s%s%s:%u", what, a->version == 6 ? "[" : "", text, a->version == 6 ? "]" : "",
                          (unsigned)p);
}

static void done(void)
{
    mirage_tcp_unlisten(stack.tcp, port);
}

static void on_recv(void *ctx, struct mirage_flow *f, const uint8_t *data, size_t len)
{
    (void)ctx;
    total += len;
    if (strcmp(mode, "connect") == 0) {
        mirage_console_printf(&con, "recv %.*s\n", (int)len, (const char *)data);
    } else if (strcmp(mode, "shut-after-eof") == 0 && kept_len + len <= sizeof kept) {
        memcpy(kept + kept_len, data, len);
        kept_len += len;
    } else if (strcmp(mode, "close-early") == 0) {
        mirage_console_printf(&con, "closing at the first data\n");
        mirage_flow_close(f);
        done();
    } else if (strcmp(mode, "reentrant") == 0) {
        struct mirage_flow *other = flows[0] == f ? flows[1] : flows[0];
        mirage_flow_reset(other); /* its event may be in this very batch */
        mirage_flow_close(f);
        mirage_console_printf(&con, "reset one, closed the other\n");
        done();
    }
}

static void on_eof(void *ctx, struct mirage_flow *f)
{
    (void)ctx;
    mirage_console_printf(&con, "eof\n");
    if (strcmp(mode, "shut-after-eof") == 0) {
        size_t n = 0;
        int rc = mirage_flow_write(f, kept, kept_len, &n);
        mirage_console_printf(&con, "write rc=%d n=%zu shutdown rc=%d\n", rc, n, mirage_flow_shutdown(f));
        /* no close: the stack ends the flow with closed(0) */
    } else if (strcmp(mode, "pause") == 0) {
        mirage_console_printf(&con, "total %llu\n", (unsigned long long)total);
        mirage_flow_close(f);
        done();
    }
}

static void on_closed(void *ctx, struct mirage_flow *f, int err)
{
    (void)ctx, (void)f;
    mirage_console_printf(&con, "closed %d\n", err);
    if (strcmp(mode, "connect") != 0)
        done();
}

static const struct mirage_flow_callbacks callbacks = {.recv = on_recv, .eof = on_eof, .closed = on_closed};

static void resume(void *ctx)
{
    (void)ctx;
    mirage_console_printf(&con, "resuming\n");
    for (int i = 0; i < nflows; i++)
        mirage_flow_pause(flows[i], false);
}

static void on_accept(void *ctx, struct mirage_flow *f)
{
    (void)ctx;
    mirage_flow_set_callbacks(f, &callbacks, NULL);
    mirage_console_printf(&con, "accepted sendable>0=%d", mirage_flow_sendable(f) > 0);
    print_end("peer", &f->peer, f->peer_port);
    print_end("local", &f->local, f->local_port);
    mirage_console_printf(&con, "\n");
    if (strcmp(mode, "unlisten") == 0) {
        done();
        mirage_flow_close(f);
    } else if (strcmp(mode, "pause") == 0 && nflows == 0) {
        mirage_flow_pause(f, true);
        flows[nflows++] = f;
        mirage_timer_start(&timer, mirage_platform_monotonic_ns() + 1500000000u, resume, NULL);
    } else if (strcmp(mode, "reentrant") == 0 && nflows < 2) {
        mirage_flow_pause(f, true);
        flows[nflows++] = f;
        if (nflows == 2)
            mirage_timer_start(&timer, mirage_platform_monotonic_ns() + 500000000u, resume, NULL);
    }
}

static void on_connected(void *ctx, struct mirage_flow *f, int err)
{
    (void)ctx;
    if (f == NULL) {
        mirage_console_printf(&con, "connect failed %d\n", err);
        return;
    }
    mirage_flow_set_callbacks(f, &callbacks, NULL);
    mirage_flow_nodelay(f, true);
    mirage_console_printf(&con, "connected");
    print_end("local", &f->local, f->local_port);
    print_end("peer", &f->peer, f->peer_port);
    size_t n = 0;
    int rc = mirage_flow_write(f, "ping", 4, &n);
    mirage_console_printf(&con, " write rc=%d n=%zu shutdown rc=%d", rc, n, mirage_flow_shutdown(f));
    mirage_console_printf(&con, " after shutdown: write rc=%d\n", mirage_flow_write(f, "x", 1, &n));
}

int mirage_main(int argc, char **argv)
{
    default_console_connect(&con);
    mode = argc > 1 ? argv[1] : "";
    int rc;
    if (strcmp(mode, "connect") == 0 && argc >= 4) {
        bool v6 = !(argc > 4 && strcmp(argv[4], "v4only") == 0);
        struct mirage_ipaddr dst;
        if (socket_stack_connect(&stack, true, v6) != 0 || mirage_ipaddr_parse(argv[2], &dst) != 0)
            return 2;
        rc = mirage_tcp_connect(stack.tcp, &dst, (uint16_t)atoi(argv[3]), on_connected, NULL);
        mirage_console_printf(&con, "connect rc=%d\n", rc);
    } else if (strcmp(mode, "serve") == 0 && argc == 4) {
        mode = argv[3];
        port = (uint16_t)atoi(argv[2]);
        if (socket_stack_connect(&stack, true, true) != 0)
            return 2;
        rc = mirage_tcp_listen(stack.tcp, port, on_accept, NULL);
        mirage_console_printf(&con, "listen rc=%d\n", rc);
    } else {
        return 64;
    }
    rc = mirage_run();
    mirage_console_printf(&con, "loop ended\n");
    return rc;
}
