/* ping: a stack on the network, nothing else: the stack answers ping on its own. */
#include <stdint.h>

#include <mirage/console.h>
#include <mirage/loop.h>
#include <mirage/platform.h>
#include <mirage/stack.h>

#include "mirage_app.h"

static struct mirage_timer stop;

static void on_stop(void *ctx)
{
    mirage_console_printf(ctx, "ping: done\n");
    mirage_exit(0);
}

int unikernel_start(struct mirage_console *console, struct mirage_stack *stack)
{
    struct mirage_ip_address addrs[8];
    size_t n = mirage_ip_addresses(stack->ip, addrs, 8);
    mirage_console_printf(console, "ping: %s answers on", stack->name);
    for (size_t i = 0; i < n && i < 8; i++) {
        char text[MIRAGE_IPADDR_STRLEN];
        mirage_ipaddr_format(&addrs[i].addr, text);
        mirage_console_printf(console, " %s", text);
    }
    mirage_console_printf(console, "\n");
    int64_t seconds = mirage_arg_seconds();
    if (seconds > 0)
        mirage_timer_start(&stop, mirage_platform_monotonic_ns() + (uint64_t)seconds * 1000000000u, on_stop, console);
    else
        mirage_loop_hold(); /* answer until stopped */
    return 0;
}
