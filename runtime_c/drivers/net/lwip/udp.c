/* The lwIP stack's UDP layer: one lwIP pcb per listening port, one more for sending
 * from ephemeral ports. A datagram that lwIP holds in several pbufs (reassembled from
 * fragments) is gathered into one buffer, allocated at connect, to hand it over whole. */
#include <stdlib.h>

#include <lwip/pbuf.h>
#include <lwip/udp.h>

#include <mirage/errors.h>
#include <mirage/loop.h>
#include <mirage/udp.h>

#include "lwip_if.h"

#define UDP_MAX 65535

struct udp_listener {
    struct udp_pcb *pcb;
    uint16_t port;
    mirage_udp_recv_fn fn;
    void *ctx;
    struct lwip_udp *udp;
    struct udp_listener *next;
};

struct lwip_udp {
    struct lwip_if *s;
    struct udp_listener *listeners;
    struct udp_pcb *sender;  /* bound to an ephemeral port at first use */
    uint8_t *gather;         /* UDP_MAX bytes */
};

static int error_of(err_t err)
{
    switch (err) {
    case ERR_OK: return 0;
    case ERR_MEM: case ERR_BUF: return MIRAGE_ENOMEM;
    case ERR_RTE: return MIRAGE_EHOSTUNREACH;
    case ERR_USE: return MIRAGE_EADDRINUSE;
    case ERR_VAL: case ERR_ARG: return MIRAGE_EINVAL;
    default: return MIRAGE_EIO;
    }
}

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
    struct udp_listener *l = arg;
    struct mirage_ipaddr src;
    mirage_lwip_addr_to(&src, addr);
    const uint8_t *data = p->payload;
    if (p->next != NULL) {
        pbuf_copy_partial(p, l->udp->gather, p->tot_len, 0);
        data = l->udp->gather;
    }
    l->fn(l->ctx, &src, port, pcb->local_port, data, p->tot_len);
    pbuf_free(p);
}

static u8_t pcb_type(struct lwip_if *s)
{
    return s->v4 && s->v6 ? IPADDR_TYPE_ANY : s->v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4;
}

static struct udp_pcb *bound_pcb(struct lwip_if *s, uint16_t port, int *rc)
{
    u8_t type = pcb_type(s);
    struct udp_pcb *pcb = udp_new_ip_type(type);
    if (pcb == NULL) {
        *rc = MIRAGE_ENOMEM;
        return NULL;
    }
    udp_bind_netif(pcb, &s->netif);
    err_t err = udp_bind(pcb, type == IPADDR_TYPE_V6 ? IP6_ADDR_ANY : type == IPADDR_TYPE_V4 ? IP4_ADDR_ANY
                                                                                           : IP_ANY_TYPE, port);
    if (err != ERR_OK) {
        udp_remove(pcb);
        *rc = error_of(err);
        return NULL;
    }
    *rc = 0;
    return pcb;
}

static int udp_listen_(struct mirage_udp *u, uint16_t port, mirage_udp_recv_fn fn, void *ctx)
{
    struct lwip_udp *udp = u->state;
    struct udp_listener *l = calloc(1, sizeof *l);
    if (l == NULL)
        return MIRAGE_ENOMEM;
    int rc;
    struct udp_pcb *pcb = bound_pcb(udp->s, port, &rc);
    if (pcb == NULL) {
        free(l);
        return rc;
    }
    *l = (struct udp_listener){.pcb = pcb, .port = port, .fn = fn, .ctx = ctx, .udp = udp, .next = udp->listeners};
    udp->listeners = l;
    udp_recv(pcb, on_datagram, l);
    mirage_loop_hold(); /* a listening port keeps the unikernel running */
    return 0;
}

static int udp_unlisten(struct mirage_udp *u, uint16_t port)
{
    struct lwip_udp *udp = u->state;
    for (struct udp_listener **p = &udp->listeners; *p != NULL; p = &(*p)->next) {
        struct udp_listener *l = *p;
        if (l->port != port)
            continue;
        *p = l->next;
        udp_remove(l->pcb);
        free(l);
        mirage_loop_release();
        return 0;
    }
    return MIRAGE_ENOENT;
}

static int udp_send_(struct mirage_udp *u, const struct mirage_ipaddr *dst, uint16_t dst_port, uint16_t src_port,
                     const void *data, size_t len)
{
    struct lwip_udp *udp = u->state;
    if (dst->version == 6 ? !udp->s->v6 : !udp->s->v4)
        return MIRAGE_EINVAL;
    struct udp_pcb *pcb = NULL, *temporary = NULL;
    int rc = 0;
    if (src_port == 0) {
        if (udp->sender == NULL)
            udp->sender = bound_pcb(udp->s, 0, &rc);
        pcb = udp->sender;
    } else {
        for (struct udp_listener *l = udp->listeners; l != NULL && pcb == NULL; l = l->next)
            if (l->port == src_port)
                pcb = l->pcb;
        if (pcb == NULL)
            pcb = temporary = bound_pcb(udp->s, src_port, &rc);
    }
    if (pcb == NULL)
        return rc;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (p == NULL) {
        rc = MIRAGE_ENOMEM;
    } else {
        pbuf_take(p, data, (u16_t)len);
        ip_addr_t ip;
        mirage_lwip_addr_from(&ip, dst);
        if (IP_IS_V6(&ip))
            ip6_addr_assign_zone(ip_2_ip6(&ip), IP6_UNICAST, &udp->s->netif);
        rc = error_of(udp_sendto(pcb, p, &ip, dst_port));
        pbuf_free(p);
    }
    if (temporary != NULL)
        udp_remove(temporary);
    mirage_lwip_kick();
    return rc;
}

static const struct mirage_udp_ops udp_ops = {.listen = udp_listen_, .unlisten = udp_unlisten, .send = udp_send_};

int lwip_udp_connect(struct mirage_udp *out, struct mirage_ip *ip)
{
    struct lwip_if *s = mirage_lwip_if_of(ip);
    if (out == NULL || s == NULL)
        return MIRAGE_EINVAL;
    struct lwip_udp *u = calloc(1, sizeof *u);
    uint8_t *gather = malloc(UDP_MAX);
    if (u == NULL || gather == NULL) {
        free(u);
        free(gather);
        return MIRAGE_ENOMEM;
    }
    u->s = s;
    u->gather = gather;
    *out = (struct mirage_udp){.ops = &udp_ops, .state = u};
    return 0;
}
