/* The ethernet module type: one Ethernet interface of a TCP/IP stack, above a network
 * device (frames). The stack's layers (arp, ip) are bound to it. */
#ifndef MIRAGE_ETHERNET_H
#define MIRAGE_ETHERNET_H

#include <stdint.h>

#include <mirage/network.h>

struct mirage_ethernet {
    struct mirage_network *network; /* the frames below */
    uint8_t mac[6];                 /* this interface's MAC */
    uint16_t mtu;                   /* IP payload bytes per frame */
    void *state;                    /* the stack implementation's (lwIP: its netif) */
};

#endif
