/* The udp module types (udpv4, udpv6, udpv4v6): datagrams over the stack's IP layer.
 * Datagrams arrive through a callback run by the event loop; sending never blocks. */
#ifndef MIRAGE_UDP_H
#define MIRAGE_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/ip.h>

struct mirage_udp;

/* One received datagram: `data` is valid only during the call. */
typedef void (*mirage_udp_recv_fn)(void *ctx, const struct mirage_ipaddr *src, uint16_t src_port,
                                   uint16_t dst_port, const uint8_t *data, size_t len);

struct mirage_udp_ops {
    int (*listen)(struct mirage_udp *u, uint16_t port, mirage_udp_recv_fn fn, void *ctx);
    int (*unlisten)(struct mirage_udp *u, uint16_t port);
    int (*send)(struct mirage_udp *u, const struct mirage_ipaddr *dst, uint16_t dst_port, uint16_t src_port,
                const void *data, size_t len);
};

struct mirage_udp {
    const struct mirage_udp_ops *ops;
    void *state; /* the implementation's */
};

/* Deliver datagrams to `port` (1..65535) on every address of the stack to fn(ctx, ...);
 * a listening port keeps the event loop alive. MIRAGE_EADDRINUSE if the port already
 * has a listener, MIRAGE_EINVAL for port 0 or fn NULL, MIRAGE_ENOMEM. */
int mirage_udp_listen(struct mirage_udp *u, uint16_t port, mirage_udp_recv_fn fn, void *ctx);
/* Stop delivering to `port`: 0, or MIRAGE_ENOENT if nothing listens there. */
int mirage_udp_unlisten(struct mirage_udp *u, uint16_t port);
/* Send `len` bytes (at most 65507 for IPv4, 65527 for IPv6) to dst:dst_port from
 * src_port (0: a random ephemeral port). The data is copied before the call returns.
 * 0, MIRAGE_EINVAL (bad address family for this stack, too long), MIRAGE_EHOSTUNREACH,
 * MIRAGE_ENOMEM (the datagram is dropped, as a wire would). Fragmented if need be. */
int mirage_udp_send(struct mirage_udp *u, const struct mirage_ipaddr *dst, uint16_t dst_port, uint16_t src_port,
                    const void *data, size_t len);

#endif
