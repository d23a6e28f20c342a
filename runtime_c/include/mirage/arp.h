/* The arp module type (arpv4): the IPv4 neighbour cache of one Ethernet interface. */
#ifndef MIRAGE_ARP_H
#define MIRAGE_ARP_H

#include <stdint.h>

#include <mirage/ethernet.h>
#include <mirage/ip.h>

struct mirage_arp {
    struct mirage_ethernet *ethernet;
    void *state; /* the implementation's */
};

/* The MAC the cache holds for `ipv4`: 0, or MIRAGE_ENOENT when it holds none (a query is
 * then sent, so a later call may find it), MIRAGE_EINVAL for a non-IPv4 address. */
int mirage_arp_query(struct mirage_arp *arp, const struct mirage_ipaddr *ipv4, uint8_t mac[6]);

#endif
