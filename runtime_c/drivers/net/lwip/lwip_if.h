/* Shared by the lwIP stack's layers: one lwIP netif per network device. */
#ifndef MIRAGE_LWIP_IF_H
#define MIRAGE_LWIP_IF_H

#include <stdbool.h>
#include <stdint.h>

#include <lwip/ip_addr.h>
#include <lwip/netif.h>

#include <mirage/ip.h>
#include <mirage/network.h>

struct lwip_if {
    struct netif netif;          /* first: lwIP's callbacks get &netif */
    struct mirage_network *net;
    const char *name;            /* the network device's */
    ip6_addr_t gw6;              /* --ipv6-gateway, when has_gw6 */
    bool has_gw6;
    bool v4, v6;                 /* families the stack on this interface carries */
    uint8_t *frame;              /* mtu + 14 bytes: a chained pbuf is gathered here to send */
};

/* Start lwIP once per image (timers on our event loop). */
void mirage_lwip_start(void);
/* Call after anything that may add an lwIP timeout: the timer is re-armed for lwIP's next
 * timeout before the loop waits again (once per turn, however many kicks). */
void mirage_lwip_kick(void);

/* Between our address type and lwIP's. */
void mirage_lwip_addr_from(ip_addr_t *out, const struct mirage_ipaddr *a);
void mirage_lwip_addr_to(struct mirage_ipaddr *out, const ip_addr_t *a);

/* The lwip_if of an ip layer made by lwip_ipv4/ipv6/ipv4v6_connect. */
struct lwip_if *mirage_lwip_if_of(struct mirage_ip *ip);

#endif
