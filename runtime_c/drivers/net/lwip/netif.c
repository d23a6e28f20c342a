/* The lwIP stack's interface layers: ethernet (an lwIP netif on a network device),
 * arp (lwIP's ARP cache of that netif), ipv4, ipv6 and ipv4v6 (its addresses). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/dhcp.h>
#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/ip6_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <netif/ethernet.h>

#include <mirage/arp.h>
#include <mirage/argv.h>
#include <mirage/errors.h>
#include <mirage/ethernet.h>
#include <mirage/ip.h>
#include <mirage/log.h>
#include <mirage/loop.h>
#include <mirage/platform.h>

#include "lwip_if.h"
#include "mirage_lwip_hooks.h"

#define LOG_SRC "tcpip"
#define DHCP_WAIT_NS (30ull * 1000000000u) /* a lease must come within this */

static void on_frame(void *ctx, const uint8_t *frame, size_t len)
{
    struct lwip_if *s = ctx;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (p == NULL) { /* the pool is dry: drop, as a full NIC ring would */
        LINK_STATS_INC(link.memerr);
        LINK_STATS_INC(link.drop);
        return;
    }
    pbuf_take(p, frame, (u16_t)len);
    if (s->netif.input(p, &s->netif) != ERR_OK)
        pbuf_free(p);
    mirage_lwip_kick();
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    struct lwip_if *s = (struct lwip_if *)netif;
    const void *frame = p->payload;
    if (p->tot_len > (u32_t)s->net->mtu + MIRAGE_ETHER_HEADER)
        return ERR_IF;
    if (p->len != p->tot_len) {
        pbuf_copy_partial(p, s->frame, p->tot_len, 0);
        frame = s->frame;
    }
    int rc = mirage_network_write(s->net, frame, p->tot_len);
    if (rc == MIRAGE_EAGAIN) { /* the host queue is full: the frame is lost, as on a wire */
        LINK_STATS_INC(link.drop);
        return ERR_OK;
    }
    if (rc < 0) {
        LINK_STATS_INC(link.err);
        return ERR_IF;
    }
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

static err_t init_netif(struct netif *netif)
{
    struct lwip_if *s = (struct lwip_if *)netif;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, s->net->mac, ETH_HWADDR_LEN);
    netif->mtu = s->net->mtu;
    netif->mtu6 = s->net->mtu;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = linkoutput;
    return ERR_OK;
}

int lwip_ethernet_connect(struct mirage_ethernet *out, struct mirage_network *net)
{
    if (out == NULL || net == NULL)
        return MIRAGE_EINVAL;
    mirage_lwip_start();
    struct lwip_if *s = calloc(1, sizeof *s);
    uint8_t *frame = malloc((size_t)net->mtu + MIRAGE_ETHER_HEADER);
    if (s == NULL || frame == NULL) {
        free(s);
        free(frame);
        return MIRAGE_ENOMEM;
    }
    s->net = net;
    s->name = net->name;
    s->frame = frame;
    if (netif_add_noaddr(&s->netif, s, init_netif, ethernet_input) == NULL) {
        free(frame);
        free(s);
        return MIRAGE_ENOMEM;
    }
    if (netif_default == NULL)
        netif_set_default(&s->netif);
    netif_set_link_up(&s->netif);
    netif_set_up(&s->netif);
    int rc = mirage_network_listen(net, on_frame, s);
    if (rc < 0)
        return rc;
    *out = (struct mirage_ethernet){.network = net, .mtu = net->mtu, .state = s};
    memcpy(out->mac, net->mac, sizeof out->mac);
    mirage_lwip_kick();
    return 0;
}

int lwip_arp_connect(struct mirage_arp *out, struct mirage_ethernet *eth)
{
    if (out == NULL || eth == NULL || eth->state == NULL)
        return MIRAGE_EINVAL;
    *out = (struct mirage_arp){.ethernet = eth, .state = eth->state};
    return 0;
}

int mirage_arp_query(struct mirage_arp *arp, const struct mirage_ipaddr *ipv4, uint8_t mac[6])
{
    if (arp == NULL || arp->state == NULL || ipv4 == NULL || ipv4->version != 4 || mac == NULL)
        return MIRAGE_EINVAL;
    struct lwip_if *s = arp->state;
    ip_addr_t a;
    mirage_lwip_addr_from(&a, ipv4);
    struct eth_addr *found_mac;
    const ip4_addr_t *found_ip;
    if (etharp_find_addr(&s->netif, ip_2_ip4(&a), &found_mac, &found_ip) >= 0) {
        memcpy(mac, found_mac->addr, 6);
        return 0;
    }
    etharp_query(&s->netif, ip_2_ip4(&a), NULL);
    mirage_lwip_kick();
    return MIRAGE_ENOENT;
}

/* The IPv4 netmask's length in bits. */
static uint8_t prefix_len(struct lwip_if *s)
{
    u32_t mask = PP_NTOHL(ip4_addr_get_u32(netif_ip4_netmask(&s->netif)));
    uint8_t len = 0;
    for (; mask & 0x80000000u; mask <<= 1)
        len++;
    return len;
}

static size_t addresses(struct mirage_ip *ip, struct mirage_ip_address *out, size_t max)
{
    struct lwip_if *s = ip->state;
    size_t n = 0;
    if (ip->v4 && !ip4_addr_isany_val(*netif_ip4_addr(&s->netif))) {
        if (n < max) {
            struct mirage_ip_address *a = &out[n];
            ip_addr_t addr;
            ip_addr_copy_from_ip4(addr, *netif_ip4_addr(&s->netif));
            mirage_lwip_addr_to(&a->addr, &addr);
            a->prefix_len = prefix_len(s);
            a->preferred = true;
        }
        n++;
    }
    for (int i = 0; ip->v6 && i < LWIP_IPV6_NUM_ADDRESSES; i++) {
        u8_t state = netif_ip6_addr_state(&s->netif, i);
        if (!ip6_addr_isvalid(state) && !ip6_addr_istentative(state))
            continue;
        if (n < max) {
            struct mirage_ip_address *a = &out[n];
            mirage_lwip_addr_to(&a->addr, &s->netif.ip6_addr[i]);
            a->prefix_len = 64; /* lwIP 2.1 treats every IPv6 address's subnet as a /64 */
            a->preferred = ip6_addr_ispreferred(state);
        }
        n++;
    }
    return n;
}

static const struct mirage_ip_ops ip_ops = {.addresses = addresses};

struct lwip_if *mirage_lwip_if_of(struct mirage_ip *ip)
{
    return ip != NULL && ip->ops == &ip_ops ? ip->state : NULL;
}

static void log_v4(struct lwip_if *s, const char *how)
{
    char a[MIRAGE_IPADDR_STRLEN], g[MIRAGE_IPADDR_STRLEN];
    ip_addr_t addr, gw;
    struct mirage_ipaddr m;
    ip_addr_copy_from_ip4(addr, *netif_ip4_addr(&s->netif));
    ip_addr_copy_from_ip4(gw, *netif_ip4_gw(&s->netif));
    mirage_lwip_addr_to(&m, &addr);
    mirage_ipaddr_format(&m, a);
    mirage_lwip_addr_to(&m, &gw);
    mirage_ipaddr_format(&m, g);
    MIRAGE_LOG_INFO(LOG_SRC, "%s: IPv4 %s/%u, gateway %s (%s)", s->name, a, prefix_len(s),
                    ip4_addr_isany_val(*netif_ip4_gw(&s->netif)) ? "none" : g, how);
}

static int wait_for_lease(struct lwip_if *s)
{
    if (dhcp_start(&s->netif) != ERR_OK)
        return MIRAGE_ENOMEM;
    mirage_lwip_kick();
    uint64_t deadline = mirage_platform_monotonic_ns() + DHCP_WAIT_NS;
    while (!dhcp_supplied_address(&s->netif)) {
        if (mirage_platform_monotonic_ns() >= deadline) {
            MIRAGE_LOG_ERR(LOG_SRC, "%s: no DHCP lease within %llu s", s->name,
                           (unsigned long long)(DHCP_WAIT_NS / 1000000000u));
            dhcp_stop(&s->netif);
            return MIRAGE_ETIMEDOUT;
        }
        mirage_sleep_ns(10000000u);
    }
    log_v4(s, "DHCP");
    return 0;
}

int lwip_ipv4_dhcp_connect(struct mirage_ip *out, struct mirage_ethernet *eth, struct mirage_arp *arp)
{
    if (out == NULL || eth == NULL || eth->state == NULL || arp == NULL)
        return MIRAGE_EINVAL;
    struct lwip_if *s = eth->state;
    s->v4 = true;
    *out = (struct mirage_ip){.ops = &ip_ops, .name = s->name, .v4 = true, .state = s};
    return wait_for_lease(s);
}

int lwip_ipv4_connect(struct mirage_ip *out, struct mirage_ethernet *eth, struct mirage_arp *arp,
                      struct mirage_ipv4_prefix addr, struct mirage_ipv4 gateway)
{
    if (out == NULL || eth == NULL || eth->state == NULL || arp == NULL || addr.len > 32)
        return MIRAGE_EINVAL;
    struct lwip_if *s = eth->state;
    s->v4 = true;
    *out = (struct mirage_ip){.ops = &ip_ops, .name = s->name, .v4 = true, .state = s};
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, addr.addr.bytes[0], addr.addr.bytes[1], addr.addr.bytes[2], addr.addr.bytes[3]);
    ip4_addr_set_u32(&mask, addr.len == 0 ? 0 : PP_HTONL(0xffffffffu << (32 - addr.len)));
    IP4_ADDR(&gw, gateway.bytes[0], gateway.bytes[1], gateway.bytes[2], gateway.bytes[3]);
    /* On subnets of more than two addresses, the all-zeros and all-ones hosts are the
     * network and its broadcast. */
    u32_t host_mask = addr.len >= 31 ? 0 : 0xffffffffu >> addr.len, host = PP_NTOHL(ip4_addr_get_u32(&ip)) & host_mask;
    if (ip4_addr_isany_val(ip) || ip4_addr_ismulticast(&ip) || ip4_addr_get_u32(&ip) == IPADDR_BROADCAST ||
        (host_mask != 0 && (host == 0 || host == host_mask))) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: %u.%u.%u.%u is not a host address", s->name, addr.addr.bytes[0],
                       addr.addr.bytes[1], addr.addr.bytes[2], addr.addr.bytes[3]);
        return MIRAGE_EINVAL;
    }
    if (!ip4_addr_isany_val(gw) && !ip4_addr_netcmp(&gw, &ip, &mask)) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: gateway %u.%u.%u.%u is not on %u.%u.%u.%u/%u", s->name, gateway.bytes[0],
                       gateway.bytes[1], gateway.bytes[2], gateway.bytes[3], addr.addr.bytes[0], addr.addr.bytes[1],
                       addr.addr.bytes[2], addr.addr.bytes[3], addr.len);
        return MIRAGE_EINVAL;
    }
    netif_set_addr(&s->netif, &ip, &mask, &gw);
    log_v4(s, "static");
    return 0;
}

const ip6_addr_t *mirage_lwip_nd6_gateway(struct netif *netif, const ip6_addr_t *dest)
{
    (void)dest;
    struct lwip_if *s = (struct lwip_if *)netif;
    return s->has_gw6 ? &s->gw6 : NULL;
}

static void set_v6(ip6_addr_t *out, const struct mirage_ipv6 *a)
{
    struct mirage_ipaddr m = {.version = 6};
    memcpy(m.bytes, a->bytes, 16);
    ip_addr_t ip;
    mirage_lwip_addr_from(&ip, &m);
    ip6_addr_copy(*out, *ip_2_ip6(&ip));
}

int lwip_ipv6_connect(struct mirage_ip *out, struct mirage_network *net, struct mirage_ethernet *eth,
                      struct mirage_ipv6_prefix addr, struct mirage_ipv6 gateway, bool accept_ra)
{
    (void)net;
    if (out == NULL || eth == NULL || eth->state == NULL || addr.len > 128)
        return MIRAGE_EINVAL;
    struct lwip_if *s = eth->state;
    s->v6 = true;
    *out = (struct mirage_ip){.ops = &ip_ops, .name = s->name, .v6 = true, .state = s};
    /* Addresses the operator gives are used at once (no duplicate address detection). */
    netif_create_ip6_linklocal_address(&s->netif, 1);
    netif_ip6_addr_set_state(&s->netif, 0, IP6_ADDR_PREFERRED);
    static const struct mirage_ipv6 any6;
    char text[MIRAGE_IPADDR_STRLEN] = "none";
    if (memcmp(&addr.addr, &any6, sizeof any6) != 0) {
        ip6_addr_t a;
        s8_t idx;
        set_v6(&a, &addr.addr);
        if (ip6_addr_ismulticast(&a) || ip6_addr_isloopback(&a)) {
            MIRAGE_LOG_ERR(LOG_SRC, "%s: the IPv6 address is not a unicast address", s->name);
            return MIRAGE_EINVAL;
        }
        if (netif_add_ip6_address(&s->netif, &a, &idx) != ERR_OK)
            return MIRAGE_ENOSPC;
        netif_ip6_addr_set_state(&s->netif, idx, IP6_ADDR_PREFERRED);
        struct mirage_ipaddr m = {.version = 6};
        memcpy(m.bytes, addr.addr.bytes, 16);
        mirage_ipaddr_format(&m, text);
    }
    if (memcmp(&gateway, &any6, sizeof any6) != 0) {
        set_v6(&s->gw6, &gateway);
        ip6_addr_assign_zone(&s->gw6, IP6_UNICAST, &s->netif);
        s->has_gw6 = true;
    }
    netif_set_ip6_autoconfig_enabled(&s->netif, accept_ra ? 1 : 0);
    mirage_lwip_kick();
    MIRAGE_LOG_INFO(LOG_SRC, "%s: IPv6 %s%s, router advertisements %s", s->name, text,
                    s->has_gw6 ? " with a gateway" : "", accept_ra ? "accepted" : "ignored");
    return 0;
}

int lwip_ipv4v6_connect(struct mirage_ip *out, struct mirage_ip *ipv4, struct mirage_ip *ipv6, bool ipv4_only,
                        bool ipv6_only)
{
    struct lwip_if *s4 = mirage_lwip_if_of(ipv4), *s6 = mirage_lwip_if_of(ipv6);
    if (out == NULL || s4 == NULL || s6 == NULL || s4 != s6)
        return MIRAGE_EINVAL;
    if (ipv4_only && ipv6_only) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: --ipv4-only and --ipv6-only together leave no address family", s4->name);
        return MIRAGE_EINVAL;
    }
    s4->v4 = !ipv6_only;
    s4->v6 = !ipv4_only;
    if (ipv6_only)
        netif_set_addr(&s4->netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
    if (ipv4_only)
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
            netif_ip6_addr_set_state(&s4->netif, i, IP6_ADDR_INVALID);
    *out = (struct mirage_ip){.ops = &ip_ops, .name = s4->name, .v4 = s4->v4, .v6 = s4->v6, .state = s4};
    return 0;
}
