/* arp_ping: answers ARP requests for its address and ICMP echo requests to it,
 * written directly against the network module type (no TCP/IP stack).
 * Boot arguments: --ipv4=ADDR/PREFIX, --count=N (exit 0 after N echo replies). */
#include <stdint.h>
#include <stdlib.h>

#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/loop.h>
#include <mirage/network.h>

#include "mirage_app.h"
#include "packet.h"

static struct {
    struct mirage_console *console;
    struct mirage_network *net;
    struct arp_ping_host me;
    int64_t count;       /* echo replies before exiting, 0: forever */
    int64_t echoes;
    uint8_t *out;
    size_t out_size;
} app;

static void on_frame(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    size_t out_len;
    enum arp_ping_answer a = arp_ping_answer(&app.me, frame, len, app.out, app.out_size, &out_len);
    if (a == ARP_PING_NONE)
        return;
    int rc = mirage_network_write(app.net, app.out, out_len);
    if (rc < 0) {
        mirage_console_printf(app.console, "arp_ping: reply not sent: %s\n", mirage_strerror(rc));
        return;
    }
    if (a == ARP_PING_ECHO && app.count > 0 && ++app.echoes >= app.count) {
        mirage_console_printf(app.console, "arp_ping: %lld echo replies, done\n",
                              (long long)app.echoes);
        mirage_network_listen(app.net, NULL, NULL);
        mirage_exit(0);
    }
}

int unikernel_start(struct mirage_console *console, struct mirage_network *net)
{
    struct mirage_ipv4_prefix ip = mirage_arg_ipv4();
    app.console = console;
    app.net = net;
    app.count = mirage_arg_count();
    if (app.count < 0) {
        mirage_console_printf(console, "arp_ping: --count must not be negative\n");
        return 64;
    }
    for (int i = 0; i < 6; i++)
        app.me.mac[i] = net->mac[i];
    for (int i = 0; i < 4; i++)
        app.me.ip[i] = ip.addr.bytes[i];
    /* An answer is never longer than its request, nor than a minimum frame. */
    app.out_size = (size_t)net->mtu + MIRAGE_ETHER_HEADER;
    if (app.out_size < ARP_PING_MIN_FRAME)
        app.out_size = ARP_PING_MIN_FRAME;
    app.out = malloc(app.out_size);
    if (app.out == NULL)
        return 1;
    const uint8_t *m = net->mac;
    mirage_console_printf(console,
                          "arp_ping: %u.%u.%u.%u/%u on %s, mac %02x:%02x:%02x:%02x:%02x:%02x\n",
                          ip.addr.bytes[0], ip.addr.bytes[1], ip.addr.bytes[2], ip.addr.bytes[3],
                          ip.len, net->name, m[0], m[1], m[2], m[3], m[4], m[5]);
    /* Listening keeps the event loop (and so the unikernel) running. */
    return mirage_network_listen(net, on_frame, NULL) < 0 ? 1 : 0;
}
