/* arp_ping's packet logic, free of any device: parse one Ethernet frame and
 * build the answer it deserves, if any. Pure functions, tested on the host. */
#ifndef ARP_PING_PACKET_H
#define ARP_PING_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define ARP_PING_MIN_FRAME 60 /* Ethernet minimum without the FCS: replies are padded */

struct arp_ping_host {
    uint8_t mac[6];
    uint8_t ip[4];
};

enum arp_ping_answer {
    ARP_PING_NONE = 0,  /* not for us, malformed, or nothing to answer */
    ARP_PING_ARP = 1,   /* an ARP reply was built */
    ARP_PING_ECHO = 2,  /* an ICMP echo reply was built */
};

/* The Internet checksum (RFC 1071) of data: the one's complement of the one's
 * complement sum of its 16-bit big-endian words (an odd last byte padded with 0).
 * Data whose checksum field is filled in sums to 0. */
uint16_t arp_ping_checksum(const uint8_t *data, size_t len);

/* Answer `frame` (len bytes, Ethernet header first) for host `me`:
 * only frames to me->mac or broadcast count, like a NIC outside promiscuous mode;
 * - an ARP request (Ethernet/IPv4) asking for me->ip gets an ARP reply;
 * - an ICMP echo request to me->ip (valid IPv4 header checksum, not a fragment,
 *   valid ICMP checksum) gets an echo reply with the same identifier, sequence
 *   and data, TTL 64, no IP options.
 * The answer goes to out (out_size bytes, not overlapping frame; at least len
 * and ARP_PING_MIN_FRAME for every answer to fit), addressed to the requester's
 * MAC, padded with zeros to ARP_PING_MIN_FRAME; *out_len is its length (0 for
 * ARP_PING_NONE). Returns what was built. */
enum arp_ping_answer arp_ping_answer(const struct arp_ping_host *me, const uint8_t *frame,
                                     size_t len, uint8_t *out, size_t out_size, size_t *out_len);

#endif
