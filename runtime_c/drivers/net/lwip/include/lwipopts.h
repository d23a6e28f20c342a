/* lwIP's configuration for mirage-tools: NO_SYS (no threads), the raw API driven by
 * our event loop, IPv4 and IPv6 with DHCP, SLAAC and reassembly.
 *
 * Memory: lwIP's own pools and heap, sized here, not our malloc. Their sizes bound
 * what a flood of SYNs or fragments can take (a pool runs dry and lwIP drops the
 * packet), lwIP's statistics give each pool's high-water mark, and allocation is a
 * constant-time pool pop on the hot path. The pools live in the image's bss. */
#ifndef MIRAGE_LWIPOPTS_H
#define MIRAGE_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1

#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_ICMP6 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_ND6_ALLOW_RA_UPDATES 1
#define LWIP_IPV6_NUM_ADDRESSES 4
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0

/* Reassembly and fragmentation, v4 and v6. On 64-bit the IPv6 reassembly helper does
 * not fit in the fragment header it overlays: copy the header aside instead. */
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 64
#define LWIP_IPV6_REASS 1
#define LWIP_IPV6_FRAG 1
#define IPV6_FRAG_COPYHEADER 1
#define MEMP_NUM_REASSDATA 16
#define MEMP_NUM_FRAG_PBUF 32

/* Memory (see the note above). */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (2 * 1024 * 1024)            /* the heap: PBUF_RAM, copied TCP writes */
#define PBUF_POOL_SIZE 1024                   /* received frames */
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 512                  /* live connections (200 at once, plus TIME_WAIT) */
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 2048
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_ND6_QUEUE 64
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define LWIP_ND6_NUM_NEIGHBORS 32
#define LWIP_ND6_NUM_DESTINATIONS 32

/* TCP: a 256 KiB window (scaled), 1460-byte segments, SACK-less as lwIP 2.1 is. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_SNDLOWAT (16 * TCP_MSS)        /* lwIP keeps it below 64 KiB - 4 MSS */
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 64                /* per connection: out-of-order data is bounded */
#define TCP_OOSEQ_MAX_BYTES (128 * 1024)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 64         /* half-open and unaccepted connections per port */
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0
#define TCP_OVERSIZE TCP_MSS

/* A strong initial sequence number per connection (RFC 6528's goal): lwIP's own is a
 * counter anyone can predict. */
#define LWIP_HOOK_FILENAME "mirage_lwip_hooks.h"
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    mirage_lwip_tcp_isn((local_ip), (local_port), (remote_ip), (remote_port))
#define LWIP_HOOK_ND6_GET_GW(netif, dest) mirage_lwip_nd6_gateway((netif), (dest))

/* Checksums: computed and checked in software (no offload on any of our devices). */
#define LWIP_CHECKSUM_ON_COPY 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_TCP 1
#define CHECKSUM_CHECK_ICMP 1
#define CHECKSUM_CHECK_ICMP6 1

/* Statistics: the pools' high-water marks (reported by mirage_lwip_stats). */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 1
#define IP_STATS 1
#define TCP_STATS 1


#endif
