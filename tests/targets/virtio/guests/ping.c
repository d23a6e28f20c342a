/* A tiny IPv4 host on the Solo5 net API: answers ARP requests and ICMP echo
 * requests for the address given as ip=A.B.C.D, and exits with status 0 after
 * count=N echo replies (default 5), or 2 after timeout=S seconds (default 30).
 * No IP options, fragments or other protocols: everything else is ignored. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <solo5_platform.h>

#include "support.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IPPROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

static uint8_t frame[2048];
static uint8_t my_mac[6], my_ip[4];

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static int parse_ip(const char *s, uint8_t ip[4])
{
    for (int i = 0; i < 4; i++) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 255 || (i < 3 && *end != '.') || (i == 3 && *end != '\0'))
            return -1;
        ip[i] = (uint8_t)v;
        s = end + 1;
    }
    return 0;
}

/* Turn the frame around: back to its sender, from us. */
static void eth_reply(uint8_t *f)
{
    memcpy(f, f + 6, 6);
    memcpy(f + 6, my_mac, 6);
}

static int handle_arp(uint8_t *f, size_t len)
{
    uint8_t *a = f + ETH_HLEN;
    if (len < ETH_HLEN + 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 ||
        a[5] != 4 || get16(a + 6) != ARP_REQUEST || memcmp(a + 24, my_ip, 4) != 0)
        return 0;
    put16(a + 6, ARP_REPLY);
    memcpy(a + 18, a + 8, 10); /* target := sender (MAC and IP) */
    memcpy(a + 8, my_mac, 6);
    memcpy(a + 14, my_ip, 4);
    eth_reply(f);
    return ETH_HLEN + 28;
}

static int handle_ip(uint8_t *f, size_t len)
{
    uint8_t *ip = f + ETH_HLEN;
    if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4)
        return 0;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = get16(ip + 2);
    if (ihl < 20 || total < ihl + 8 || ETH_HLEN + total > len || ip[9] != IPPROTO_ICMP ||
        memcmp(ip + 16, my_ip, 4) != 0 || (get16(ip + 6) & 0x3FFF) != 0)
        return 0;
    uint8_t *icmp = ip + ihl;
    size_t icmp_len = total - ihl;
    if (icmp[0] != ICMP_ECHO_REQUEST || checksum(icmp, icmp_len) != 0)
        return 0;
    icmp[0] = ICMP_ECHO_REPLY;
    put16(icmp + 2, 0);
    put16(icmp + 2, checksum(icmp, icmp_len));
    uint8_t tmp[4];
    memcpy(tmp, ip + 12, 4);
    memcpy(ip + 12, ip + 16, 4);
    memcpy(ip + 16, tmp, 4);
    ip[8] = 64; /* fresh TTL */
    put16(ip + 10, 0);
    put16(ip + 10, checksum(ip, ihl));
    eth_reply(f);
    return (int)(ETH_HLEN + total);
}

int mirage_main(int argc, char **argv)
{
    int count = 5, timeout_s = 30, have_ip = 0;
    for (int i = 1; i < argc; i++) {
        if (str_prefix(argv[i], "ip="))
            have_ip = parse_ip(argv[i] + 3, my_ip) == 0;
        else if (str_prefix(argv[i], "count="))
            count = atoi(argv[i] + 6);
        else if (str_prefix(argv[i], "timeout="))
            timeout_s = atoi(argv[i] + 8);
    }
    if (!have_ip) {
        say("usage: ip=A.B.C.D [count=N] [timeout=S]\n");
        return 64;
    }
    unsigned h;
    uint16_t mtu;
    if (mirage_solo5_net_info("net0", &h, my_mac, &mtu) != 0) {
        say("no net0\n");
        return 3;
    }
    say("net0 handle=%u mtu=%u mac=%02x:%02x:%02x:%02x:%02x:%02x ip=%u.%u.%u.%u\n", h, mtu,
        my_mac[0], my_mac[1], my_mac[2], my_mac[3], my_mac[4], my_mac[5], my_ip[0], my_ip[1],
        my_ip[2], my_ip[3]);
    say("ready\n");

    int replies = 0, arps = 0;
    uint64_t deadline = mirage_platform_monotonic_ns() + (uint64_t)timeout_s * 1000000000ULL;
    while (replies < count && mirage_platform_monotonic_ns() < deadline) {
        if (!(mirage_platform_yield(deadline) & (1ULL << h)))
            continue;
        size_t n;
        int rc;
        while ((rc = mirage_solo5_net_read(h, frame, sizeof frame, &n)) == 0) {
            int out = 0;
            uint16_t type = n >= ETH_HLEN ? get16(frame + 12) : 0;
            if (type == ETH_P_ARP && (out = handle_arp(frame, n)) > 0)
                arps++;
            else if (type == ETH_P_IP && (out = handle_ip(frame, n)) > 0)
                replies++;
            if (out > 0 && mirage_solo5_net_write(h, frame, (size_t)out) != 0) {
                say("write failed\n");
                return 4;
            }
        }
        if (rc != MIRAGE_EAGAIN) {
            say("read failed: %d\n", rc);
            return 5;
        }
    }
    say("arp replies=%d echo replies=%d\n", arps, replies);
    return replies >= count ? 0 : 2;
}
