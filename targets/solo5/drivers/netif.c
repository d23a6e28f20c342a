/* netif on Solo5 targets: the tender attached the host tap to the manifest
 * device of this name; frames go through the bindings (solo5_platform.h) and the
 * device's handle is its manifest index, its bit in the loop's ready set. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/errors.h>
#include <mirage/log.h>
#include <mirage/loop.h>
#include <mirage/network.h>
#include <solo5_platform.h>

#define LOG_SRC "netif"
/* Frames read per readiness report; the host side is level-triggered, so the
 * rest is read on the next turn and timers are not starved by a flood. */
#define READ_BURST 256

struct netif_solo5 {
    bool busy;      /* delivering frames: a nested loop turn must not reuse buf */
    size_t size;    /* mtu + 14, what the Solo5 API needs to never truncate */
    uint8_t buf[];
};

static void on_ready(void *arg)
{
    struct mirage_network *n = arg;
    struct netif_solo5 *s = n->state;
    if (s->busy)
        return;
    s->busy = true;
    for (int i = 0; i < READ_BURST && n->fn != NULL; i++) {
        size_t len;
        int rc = mirage_solo5_net_read(n->handle, s->buf, s->size, &len);
        if (rc == MIRAGE_EAGAIN)
            break;
        if (rc < 0) {
            MIRAGE_LOG_ERR(LOG_SRC, "%s: reading failed (%s), no more frames", n->name,
                           mirage_strerror(rc));
            mirage_loop_watch(n->handle, NULL, NULL);
            break;
        }
        n->fn(n->ctx, s->buf, len);
    }
    s->busy = false;
}

static int netif_solo5_write(struct mirage_network *n, const void *frame, size_t len)
{
    return mirage_solo5_net_write(n->handle, frame, len);
}

static int netif_solo5_listen(struct mirage_network *n, mirage_frame_fn fn, void *ctx)
{
    (void)ctx;
    mirage_loop_watch(n->handle, fn != NULL ? on_ready : NULL, n);
    return MIRAGE_OK;
}

static const struct mirage_network_ops netif_solo5_ops = {
    .write = netif_solo5_write,
    .listen = netif_solo5_listen,
};

int netif_connect(struct mirage_network *out, const char *name, const char *tap)
{
    (void)tap; /* the tender attached it: --net:<name>=<tap> */
    if (out == NULL || name == NULL)
        return MIRAGE_EINVAL;
    unsigned handle;
    uint8_t mac[6];
    uint16_t mtu;
    int rc = mirage_solo5_net_info(name, &handle, mac, &mtu);
    if (rc == MIRAGE_ENOENT) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: no network device of that name attached (--net:%s=TAP)",
                       name, name);
        return rc;
    }
    if (rc < 0)
        return rc;
    struct netif_solo5 *s = malloc(sizeof *s + (size_t)mtu + MIRAGE_ETHER_HEADER);
    if (s == NULL)
        return MIRAGE_ENOMEM;
    s->busy = false;
    s->size = (size_t)mtu + MIRAGE_ETHER_HEADER;
    memset(out, 0, sizeof *out);
    out->ops = &netif_solo5_ops;
    out->name = name;
    memcpy(out->mac, mac, 6);
    out->mtu = mtu;
    out->handle = handle;
    out->state = s;
    return MIRAGE_OK;
}
