/* The network module type: Ethernet frames in and out, below any TCP/IP stack.
 * Frames arrive through a callback run by the event loop when the device is ready. */
#ifndef MIRAGE_NETWORK_H
#define MIRAGE_NETWORK_H

#include <stddef.h>
#include <stdint.h>

struct mirage_network;

/* Called once per received frame; `frame` is valid only during the call. */
typedef void (*mirage_frame_fn)(void *ctx, const uint8_t *frame, size_t len);

struct mirage_network_ops {
    int (*write)(struct mirage_network *n, const void *frame, size_t len);
    int (*listen)(struct mirage_network *n, mirage_frame_fn fn, void *ctx);
};

struct mirage_network {
    const struct mirage_network_ops *ops;
    const char *name;
    uint8_t mac[6];
    uint16_t mtu;         /* payload bytes, without the 14-byte Ethernet header */
    unsigned handle;      /* platform handle (bit in the loop's ready set) */
    mirage_frame_fn fn;
    void *ctx;
    void *state;
};

/* Send one frame (destination MAC first); MIRAGE_EINVAL if longer than mtu + 14. */
int mirage_network_write(struct mirage_network *n, const void *frame, size_t len);
/* Deliver every received frame to fn(ctx, ...) from the event loop; fn == NULL stops. */
int mirage_network_listen(struct mirage_network *n, mirage_frame_fn fn, void *ctx);

/* The platform's network interface `name`: a tap device of that name on unix, the
 * tender-attached device of that manifest name on Solo5, virtio-net on virtio. */
int netif_connect(struct mirage_network *out, const char *name);

#endif
