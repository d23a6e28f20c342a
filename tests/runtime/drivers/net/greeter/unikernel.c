/* greeter: on port 7, "hello" then shutdown on accept; on port 8, at the peer's eof, a
 * 150000-byte reply (more than is sent at once) and shutdown from the eof callback. Exits
 * 0 after three connections ended with closed(0), the stack's word that both sides shut
 * down in order: an early one would end the unikernel before the reply's tail left. */
#include <stdint.h>
#include <string.h>

#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/loop.h>
#include <mirage/stack.h>

#include "mirage_app.h"

static struct mirage_console *console;
static int ended;

static void on_closed(void *ctx, struct mirage_flow *f, int err)
{
    (void)ctx, (void)f;
    mirage_console_printf(console, "greeter: closed %d\n", err);
    if (++ended == 3)
        mirage_exit(0);
}

static const struct mirage_flow_callbacks callbacks = {.closed = on_closed};

static void on_eof(void *ctx, struct mirage_flow *f)
{
    (void)ctx;
    static uint8_t reply[150000];
    size_t n;
    memset(reply, 'r', sizeof reply);
    mirage_flow_write(f, reply, sizeof reply, &n);
    mirage_console_printf(console, "greeter: reply %zu\n", n);
    mirage_flow_shutdown(f);
}

static const struct mirage_flow_callbacks reply_callbacks = {.eof = on_eof, .closed = on_closed};

static void on_accept_reply(void *ctx, struct mirage_flow *f)
{
    (void)ctx;
    mirage_flow_set_callbacks(f, &reply_callbacks, NULL);
}

static void on_accept(void *ctx, struct mirage_flow *f)
{
    (void)ctx;
    size_t n;
    mirage_flow_set_callbacks(f, &callbacks, NULL);
    mirage_flow_write(f, "hello\n", 6, &n);
    mirage_flow_shutdown(f);
}

int unikernel_start(struct mirage_console *c, struct mirage_stack *stack)
{
    console = c;
    int rc = mirage_tcp_listen(stack->tcp, 7, on_accept, NULL);
    if (rc == 0)
        rc = mirage_tcp_listen(stack->tcp, 8, on_accept_reply, NULL);
    mirage_console_printf(c, "greeter: ready (%s)\n", mirage_strerror(rc));
    return rc;
}
