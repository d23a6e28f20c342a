/* The network module type: Ethernet frames in and out, below any TCP/IP stack.
 * Frames arrive through a callback run by the event loop when the device is ready. */
#ifndef MIRAGE_NETWORK_H
#define MIRAGE_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#define MIRAGE_ETHER_HEADER 14 /* destination MAC, source MAC, EtherType */

struct mirage_network;

/* Called once per received frame (Ethernet header first, no FCS); `frame` is valid
 * only during the call. The callback may write frames and may stop listening. */
typedef void (*mirage_frame_fn)(void *ctx, const uint8_t *frame, size_t len);

/* What an implementation provides; the dispatchers below check the arguments first. */
struct mirage_network_ops {
    int (*write)(struct mirage_network *n, const void *frame, size_t len);
    /* Start (fn != NULL) or stop (fn == NULL) delivering frames to n->fn(n->ctx, ...),
     * which the dispatcher has already stored. */
    int (*listen)(struct mirage_network *n, mirage_frame_fn fn, void *ctx);
};

struct mirage_network {
    const struct mirage_network_ops *ops;
    const char *name;     /* the interface's name in config.py (netif's `name`) */
    uint8_t mac[6];       /* this end's MAC address, the source of the frames it sends */
    uint16_t mtu;         /* payload bytes, without the 14-byte Ethernet header */
    unsigned handle;      /* platform handle (bit in the loop's ready set) */
    mirage_frame_fn fn;   /* current listener, NULL when not listening */
    void *ctx;
    void *state;          /* the implementation's */
};

/* Send one frame (destination MAC first): 0, MIRAGE_EINVAL if shorter than the
 * Ethernet header or longer than mtu + 14, MIRAGE_EAGAIN if the host queue is
 * full (the frame is dropped, as a wire would), MIRAGE_EIO. The frame is copied
 * out before the call returns. */
int mirage_network_write(struct mirage_network *n, const void *frame, size_t len);

/* Deliver every received frame to fn(ctx, ...) from the event loop; fn == NULL
 * stops. While listening the device keeps the loop (mirage_run) alive. Frames that
 * arrive while nobody listens are dropped. Returns 0 or a negative mirage_error. */
int mirage_network_listen(struct mirage_network *n, mirage_frame_fn fn, void *ctx);

/* The platform's network interface `name`.
 * - unix: the existing, up tap interface `tap` (config.py's netif(name, tap=...),
 *   `name` when not given); the process needs access to /dev/net/tun (CAP_NET_ADMIN
 *   or a tap owned by its user). The MAC is a random locally administered one (the
 *   tap's own MAC belongs to the host side), the MTU the tap's. Handles 32..63 are
 *   the unix network driver's, one per connected interface.
 * - Solo5 (spt, hvt): the device of manifest name `name` that the tender attached
 *   (`--net:name=TAP`; `tap` is what `scons run` attaches), with the tender's MAC
 *   and MTU; the handle is the manifest index.
 * - virtio: the virtio-net device.
 * MIRAGE_ENOENT if there is no such interface, MIRAGE_EIO if it cannot be opened,
 * MIRAGE_ENOSPC when out of handles, MIRAGE_ENOMEM. The driver allocates its state and a
 * receive buffer of mtu + 14 bytes once, at connect; they are never freed. */
int netif_connect(struct mirage_network *out, const char *name, const char *tap);

#endif
