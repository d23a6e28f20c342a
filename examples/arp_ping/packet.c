/* arp_ping's packet logic (see packet.h). Field offsets are the wire formats':
 * Ethernet (IEEE 802.3), ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "packet.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_LEN 28
#define IPV4_HLEN 20
#define IPPROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN 8
#define TTL 64

static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint16_t arp_ping_checksum(const uint8_t *data, size_t len)
{
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += get16(data + i);
    if (i < len)
        sum += (uint64_t)data[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The Ethernet header of a reply to `dst`, and the padding of a short one. */
static size_t finish(const struct arp_ping_host *me, const uint8_t *dst, uint8_t *out,
                     size_t len, uint16_t ethertype)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, me->mac, 6);
    put16(out + 12, ethertype);
    if (len < ARP_PING_MIN_FRAME) {
        memset(out + len, 0, ARP_PING_MIN_FRAME - len);
        len = ARP_PING_MIN_FRAME;
    }
    return len;
}

static enum arp_ping_answer arp(const struct arp_ping_host *me, const uint8_t *frame, size_t len,
                                uint8_t *out, size_t out_size, size_t *out_len)
{
    const uint8_t *a = frame + ETH_HLEN;
    if (len < ETH_HLEN + ARP_LEN || out_size < ARP_PING_MIN_FRAME)
        return ARP_PING_NONE;
    /* Ethernet hardware, IPv4 protocol, 6- and 4-byte addresses, a request. */
    if (get16(a) != 1 || get16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4 ||
        get16(a + 6) != 1)
        return ARP_PING_NONE;
    if (memcmp(a + 24, me->ip, 4) != 0)
        return ARP_PING_NONE;
    uint8_t *r = out + ETH_HLEN;
    memcpy(r, a, 6);            /* hardware type, protocol type, sizes */
    put16(r + 6, 2);            /* reply */
    memcpy(r + 8, me->mac, 6);  /* sender: us */
    memcpy(r + 14, me->ip, 4);
    memcpy(r + 18, a + 8, 10);  /* target: the requester's MAC and IP */
    /* To the requester's hardware address as ARP states it. */
    *out_len = finish(me, a + 8, out, ETH_HLEN + ARP_LEN, ETHERTYPE_ARP);
    return ARP_PING_ARP;
}

static enum arp_ping_answer echo(const struct arp_ping_host *me, const uint8_t *frame, size_t len,
                                 uint8_t *out, size_t out_size, size_t *out_len)
{
    const uint8_t *ip = frame + ETH_HLEN;
    if (len < ETH_HLEN + IPV4_HLEN || ip[0] >> 4 != 4)
        return ARP_PING_NONE;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    size_t total = get16(ip + 2);
    if (ihl < IPV4_HLEN || total < ihl + ICMP_HLEN || ETH_HLEN + total > len)
        return ARP_PING_NONE;
    if (arp_ping_checksum(ip, ihl) != 0 || ip[9] != IPPROTO_ICMP || memcmp(ip + 16, me->ip, 4) != 0)
        return ARP_PING_NONE;
    if ((get16(ip + 6) & 0x3fff) != 0) /* more fragments, or not the first one */
        return ARP_PING_NONE;
    const uint8_t *icmp = ip + ihl;
    size_t icmp_len = total - ihl;
    if (icmp[0] != ICMP_ECHO_REQUEST || icmp[1] != 0 || arp_ping_checksum(icmp, icmp_len) != 0)
        return ARP_PING_NONE;
    size_t reply_len = ETH_HLEN + IPV4_HLEN + icmp_len;
    if (out_size < reply_len || out_size < ARP_PING_MIN_FRAME)
        return ARP_PING_NONE;

    uint8_t *rip = out + ETH_HLEN;
    rip[0] = 0x45;                          /* IPv4, no options */
    rip[1] = 0;                             /* TOS */
    put16(rip + 2, (uint16_t)(IPV4_HLEN + icmp_len));
    memcpy(rip + 4, ip + 4, 2);             /* identification */
    put16(rip + 6, 0);                      /* flags, fragment offset */
    rip[8] = TTL;
    rip[9] = IPPROTO_ICMP;
    put16(rip + 10, 0);
    memcpy(rip + 12, me->ip, 4);            /* from us */
    memcpy(rip + 16, ip + 12, 4);           /* to the requester */
    put16(rip + 10, arp_ping_checksum(rip, IPV4_HLEN));

    uint8_t *ricmp = rip + IPV4_HLEN;
    memcpy(ricmp, icmp, icmp_len);         /* identifier, sequence, data */
    ricmp[0] = ICMP_ECHO_REPLY;
    ricmp[1] = 0;
    put16(ricmp + 2, 0);
    put16(ricmp + 2, arp_ping_checksum(ricmp, icmp_len));
    *out_len = finish(me, frame + 6, out, reply_len, ETHERTYPE_IPV4);
    return ARP_PING_ECHO;
}

enum arp_ping_answer arp_ping_answer(const struct arp_ping_host *me, const uint8_t *frame,
                                     size_t len, uint8_t *out, size_t out_size, size_t *out_len)
{
    *out_len = 0;
    if (len < ETH_HLEN)
        return ARP_PING_NONE;
    /* What a NIC outside promiscuous mode would pass up. */
    if (memcmp(frame, me->mac, 6) != 0 && memcmp(frame, broadcast, 6) != 0)
        return ARP_PING_NONE;
    switch (get16(frame + 12)) {
    case ETHERTYPE_ARP:
        return arp(me, frame, len, out, out_size, out_len);
    case ETHERTYPE_IPV4:
        return echo(me, frame, len, out, out_size, out_len);
    default:
        return ARP_PING_NONE;
    }
}
