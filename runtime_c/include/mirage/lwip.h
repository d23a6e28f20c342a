/* The lwIP stack's connect functions (the direct_* devices): one lwIP interface per
 * network device, its layers bound to it. The generated code calls them in this order.
 * Each returns 0 or a negative mirage_error; the state they allocate lives as long
 * as the unikernel. */
#ifndef MIRAGE_LWIP_H
#define MIRAGE_LWIP_H

#include <stdbool.h>

#include <mirage/arp.h>
#include <mirage/argv.h>
#include <mirage/ethernet.h>
#include <mirage/ip.h>
#include <mirage/network.h>
#include <mirage/stack.h>
#include <mirage/tcp.h>
#include <mirage/udp.h>

/* An lwIP interface on `net`, up, receiving its frames. The first one is lwIP's default
 * route. MIRAGE_ENOMEM, or what listening on `net` returns. */
int lwip_ethernet_connect(struct mirage_ethernet *out, struct mirage_network *net);
int lwip_arp_connect(struct mirage_arp *out, struct mirage_ethernet *eth);
/* The address `addr` and, unless 0.0.0.0, the gateway `gateway` (which must be on the
 * subnet). MIRAGE_EINVAL for a network, broadcast or multicast address. */
int lwip_ipv4_connect(struct mirage_ip *out, struct mirage_ethernet *eth, struct mirage_arp *arp,
                      struct mirage_ipv4_prefix addr, struct mirage_ipv4 gateway);
/* The address from DHCP: waits (turning the event loop) up to 30 s for a lease,
 * MIRAGE_ETIMEDOUT then. */
int lwip_ipv4_dhcp_connect(struct mirage_ip *out, struct mirage_ethernet *eth, struct mirage_arp *arp);
/* A link-local address, `addr` unless ::/0 (lwIP 2.1 treats its subnet as a /64), the
 * gateway unless ::, SLAAC and routers from advertisements when accept_ra. Addresses
 * given are used at once, without duplicate address detection. */
int lwip_ipv6_connect(struct mirage_ip *out, struct mirage_network *net, struct mirage_ethernet *eth,
                      struct mirage_ipv6_prefix addr, struct mirage_ipv6 gateway, bool accept_ra);
/* Both families of one interface; --ipv4-only / --ipv6-only drop one (not both). */
int lwip_ipv4v6_connect(struct mirage_ip *out, struct mirage_ip *ipv4, struct mirage_ip *ipv6, bool ipv4_only,
                        bool ipv6_only);
int lwip_udp_connect(struct mirage_udp *out, struct mirage_ip *ip);
int lwip_tcp_connect(struct mirage_tcp *out, struct mirage_ip *ip);
int lwip_stack_connect(struct mirage_stack *out, struct mirage_ip *ip, struct mirage_udp *udp, struct mirage_tcp *tcp);

/* lwIP's memory high-water marks: the heap's, in bytes, and the most pbufs of the
 * receive pool and TCP segments ever in use at once. */
struct mirage_lwip_stats {
    unsigned long heap_max, heap_size;
    unsigned pool_max, pool_size;
    unsigned segs_max, segs_size;
    unsigned pcbs_max, pcbs_size;
};
void mirage_lwip_stats(struct mirage_lwip_stats *out);

#endif
