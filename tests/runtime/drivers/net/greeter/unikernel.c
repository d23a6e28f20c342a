/* greeter: "hello" then shutdown on accept; exits 0 after two connections ended with
 * closed(0), the stack's word that both sides shut down in order. */
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
    if (++ended == 2)
        mirage_exit(0);
}

static const struct mirage_flow_callbacks callbacks = {.closed = on_closed};

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
    mirage_console_printf(c, "greeter: ready (%s)\n", mirage_strerror(rc));
    return rc;
}
