/* A stand-in for generated main.c, to run the unix netif driver for real:
 *   netif_probe connect NAME:TAP...  connect each, print what the device says
 *   netif_probe io NAME:TAP N        write a full-size and an oversize frame, then
 *                                    print every 0x88b5 frame received until N came */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/console.h>
#include <mirage/loop.h>
#include <mirage/network.h>
#include <mirage/runtime.h>

#define TEST_ETHERTYPE 0x88b5 /* IEEE local experimental */

static struct mirage_console con;
static struct mirage_network nets[8];
static long wanted, seen;

static int connect_arg(struct mirage_network *n, char *arg)
{
    char *colon = strchr(arg, ':');
    const char *tap = NULL;
    if (colon != NULL) {
        *colon = '\0';
        tap = colon + 1;
    }
    int rc = netif_connect(n, arg, tap);
    mirage_console_printf(&con, "%s rc=%d", arg, rc);
    if (rc == 0)
        mirage_console_printf(&con, " handle=%u mtu=%u mac=%02x:%02x:%02x:%02x:%02x:%02x", n->handle,
                              (unsigned)n->mtu, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
                              n->mac[5]);
    mirage_console_printf(&con, "\n");
    return rc;
}

static void on_frame(void *ctx, const uint8_t *frame, size_t len)
{
    struct mirage_network *n = ctx;
    if (len < 14 || (frame[12] << 8 | frame[13]) != TEST_ETHERTYPE)
        return; /* the host's own chatter (IPv6 router solicitations, ...) */
    unsigned sum = 0;
    for (size_t i = 14; i < len; i++)
        sum += frame[i];
    mirage_console_printf(&con, "frame len=%zu sum=%u\n", len, sum);
    if (++seen == wanted)
        mirage_network_listen(n, NULL, NULL); /* nothing left: the loop ends */
}

int mirage_main(int argc, char **argv)
{
    default_console_connect(&con);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "connect") == 0) {
        for (int i = 2; i < argc && i - 2 < 8; i++)
            connect_arg(&nets[i - 2], argv[i]);
        return 0;
    }
    if (strcmp(mode, "io") == 0 && argc == 4) {
        struct mirage_network *n = &nets[0];
        if (connect_arg(n, argv[2]) != 0)
            return 1;
        wanted = atol(argv[3]);
        size_t full = (size_t)n->mtu + 14;
        uint8_t *frame = calloc(1, full + 1);
        if (frame == NULL)
            return 1;
        memset(frame, 0xff, 6);
        memcpy(frame + 6, n->mac, 6);
        frame[12] = TEST_ETHERTYPE >> 8;
        frame[13] = TEST_ETHERTYPE & 0xff;
        mirage_console_printf(&con, "write %zu rc=%d\n", full, mirage_network_write(n, frame, full));
        mirage_console_printf(&con, "write %zu rc=%d\n", full + 1, mirage_network_write(n, frame, full + 1));
        mirage_console_printf(&con, "write 13 rc=%d\n", mirage_network_write(n, frame, 13));
        free(frame);
        int rc = mirage_network_listen(n, on_frame, n);
        mirage_console_printf(&con, "listening rc=%d\n", rc);
        rc = mirage_run();
        mirage_console_printf(&con, "done %ld\n", seen);
        return rc;
    }
    mirage_console_printf(&con, "usage: netif_probe connect NAME:TAP... | io NAME:TAP N\n");
    return 2;
}
