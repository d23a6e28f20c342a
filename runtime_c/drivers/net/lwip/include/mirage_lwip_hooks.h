/* The lwIP hooks we set in lwipopts.h, declared for lwIP's own sources. */
#ifndef MIRAGE_LWIP_HOOKS_H
#define MIRAGE_LWIP_HOOKS_H

#include <lwip/ip_addr.h>

struct netif;

u32_t mirage_lwip_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
                          u16_t remote_port);
/* The --ipv6-gateway of the netif, for destinations off its links (NULL: ask the
 * routers that router advertisements announced). */
const ip6_addr_t *mirage_lwip_nd6_gateway(struct netif *netif, const ip6_addr_t *dest);

#endif
