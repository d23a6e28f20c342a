/* The lwIP stack's TCP layer: flows over lwIP's raw TCP API. A flow lives in our
 * heap from accept (or connect) until the application closes or resets it, or until
 * lwIP reports the connection gone (closed callback). lwIP forbids freeing a pcb
 * from inside its own callback unless the callback returns ERR_ABRT, so a reset
 * asked for during one of this flow's callbacks is carried out when it returns. */
#include <stdbool.h>
#include <stdlib.h>

#include <lwip/tcp.h>

#include <mirage/errors.h>
#include <mirage/loop.h>
#include <mirage/tcp.h>

#include "lwip_if.h"

struct listener {
    struct tcp_pcb *pcb;
    uint16_t port;
    mirage_tcp_accept_fn fn;
    void *ctx;
    struct lwip_tcp *tcp;
    struct listener *next;
};

struct lwip_tcp {
    struct lwip_if *s;
    struct listener *listeners;
};

struct lwip_flow {
    struct mirage_flow flow;
    struct tcp_pcb *pcb;            /* NULL once lwIP freed it */
    struct lwip_tcp *tcp;
    mirage_tcp_connect_fn connected; /* until the connect completes */
    void *connect_ctx;
    unsigned busy;                  /* inside one of this flow's callbacks */
    bool released;                  /* the application closed or reset it */
    bool abort_pending;             /* reset asked for while busy */
    bool shut;                      /* our sending side is shut */
    bool want_writable;
    bool paused;                    /* delivery stopped: arrivals wait in held */
    bool eof_held;                  /* the peer's FIN, delivered after held data */
    struct held *held, *held_tail;  /* received, not yet delivered nor acknowledged */
};

/* A received pbuf chain waiting for delivery (a chain's tot_len is 16 bits, so the
 * queue holds chains rather than one chain of everything). */
struct held {
    struct pbuf *p;
    struct held *next;
};

static void drop_held(struct lwip_flow *fl)
{
    while (fl->held != NULL) {
        struct held *h = fl->held;
        fl->held = h->next;
        pbuf_free(h->p);
        free(h);
    }
    fl->held_tail = NULL;
}

static const struct mirage_flow_ops flow_ops;

static int error_of(err_t err, bool connecting)
{
    switch (err) {
    case ERR_RST: return connecting ? MIRAGE_ECONNREFUSED : MIRAGE_ECONNRESET;
    case ERR_ABRT: case ERR_TIMEOUT: return MIRAGE_ETIMEDOUT;
    case ERR_CLSD: return 0;
    case ERR_MEM: return MIRAGE_ENOMEM;
    case ERR_RTE: return MIRAGE_EHOSTUNREACH;
    case ERR_USE: return MIRAGE_EADDRINUSE;
    default: return MIRAGE_EIO;
    }
}

static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
}

/* After a flow's callback: carry out a reset asked for meanwhile, free a released
 * flow. Returns what lwIP's callback must return. */
static err_t settle(struct lwip_flow *fl)
{
    fl->busy--;
    if (fl->busy > 0)
        return ERR_OK;
    err_t ret = ERR_OK;
    if (fl->abort_pending && fl->pcb != NULL) {
        detach(fl->pcb);
        tcp_abort(fl->pcb);
        fl->pcb = NULL;
        ret = ERR_ABRT;
    }
    if (fl->released) {
        drop_held(fl);
        free(fl);
    }
    return ret;
}

/* Data for a flow the application no longer holds (closed): acknowledge and drop. */
static err_t discard(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)err;
    if (p != NULL) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

/* Deliver held data, one pbuf at a time, while not paused; each delivered pbuf's
 * bytes reopen the window. Then a held eof. */
static void deliver(struct lwip_flow *fl)
{
    while (fl->held != NULL && !fl->paused && !fl->released && !fl->abort_pending && fl->pcb != NULL) {
        struct held *h = fl->held;
        struct pbuf *q = h->p, *rest = q->next;
        if (rest != NULL)
            pbuf_ref(rest); /* dechaining drops the chain's reference to the rest */
        rest = pbuf_dechain(q);
        if (rest != NULL) {
            h->p = rest;
        } else {
            fl->held = h->next;
            if (fl->held == NULL)
                fl->held_tail = NULL;
            free(h);
        }
        /* Window first: a close from inside the callback then finds no unread data
         * (lwIP answers a close with unread data by a reset). */
        tcp_recved(fl->pcb, q->len);
        if (q->len > 0 && fl->flow.cb != NULL && fl->flow.cb->recv != NULL)
            fl->flow.cb->recv(fl->flow.ctx, &fl->flow, q->payload, q->len);
        pbuf_free(q);
    }
    if (fl->held == NULL && fl->eof_held && !fl->paused && !fl->released && !fl->abort_pending) {
        fl->eof_held = false;
        bool shut_before = fl->shut;
        if (fl->flow.cb != NULL && fl->flow.cb->eof != NULL)
            fl->flow.cb->eof(fl->flow.ctx, &fl->flow);
        /* Our side was shut before their FIN: lwIP now waits out TIME_WAIT and frees the pcb
         * without another callback, so the connection ends here for the application. (Their
         * FIN first, our shutdown after, even from the eof callback: lwIP sends what is
         * queued, then reports the end itself, ERR_CLSD in on_err.) */
        if (shut_before && !fl->released && !fl->abort_pending && fl->pcb != NULL) {
            detach(fl->pcb);
            fl->pcb = NULL;
            if (fl->flow.cb != NULL && fl->flow.cb->closed != NULL)
                fl->flow.cb->closed(fl->flow.ctx, &fl->flow, 0);
            fl->released = true;
        }
    }
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct lwip_flow *fl = arg;
    (void)err;
    if (fl == NULL)
        return discard(arg, pcb, p, err);
    if (p == NULL) {
        fl->eof_held = true;
    } else {
        struct held *h = malloc(sizeof *h);
        if (h == NULL)
            return ERR_MEM; /* lwIP keeps the data and offers it again later */
        *h = (struct held){.p = p};
        if (fl->held_tail != NULL)
            fl->held_tail->next = h;
        else
            fl->held = h;
        fl->held_tail = h;
    }
    fl->busy++;
    deliver(fl);
    err_t ret = settle(fl);
    mirage_lwip_kick();
    return ret;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct lwip_flow *fl = arg;
    (void)len;
    if (fl == NULL || !fl->want_writable || tcp_sndbuf(pcb) == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
        return ERR_OK;
    fl->want_writable = false;
    fl->busy++;
    if (fl->flow.cb != NULL && fl->flow.cb->writable != NULL)
        fl->flow.cb->writable(fl->flow.ctx, &fl->flow);
    return settle(fl);
}

static void on_err(void *arg, err_t err)
{
    struct lwip_flow *fl = arg; /* lwIP has freed the pcb already */
    if (fl == NULL)
        return;
    fl->pcb = NULL;
    fl->busy++;
    if (fl->connected != NULL) {
        mirage_tcp_connect_fn fn = fl->connected;
        fl->connected = NULL;
        fn(fl->connect_ctx, NULL, error_of(err, true));
    } else if (fl->flow.cb != NULL && fl->flow.cb->closed != NULL) {
        fl->flow.cb->closed(fl->flow.ctx, &fl->flow, error_of(err, false));
    }
    fl->released = true;
    fl->abort_pending = false;
    settle(fl);
}

static struct lwip_flow *new_flow(struct lwip_tcp *t, struct tcp_pcb *pcb)
{
    struct lwip_flow *fl = calloc(1, sizeof *fl);
    if (fl == NULL)
        return NULL;
    fl->flow.ops = &flow_ops;
    fl->flow.state = fl;
    fl->pcb = pcb;
    fl->tcp = t;
    tcp_arg(pcb, fl);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
    return fl;
}

static void fill_ends(struct lwip_flow *fl)
{
    mirage_lwip_addr_to(&fl->flow.local, &fl->pcb->local_ip);
    mirage_lwip_addr_to(&fl->flow.peer, &fl->pcb->remote_ip);
    fl->flow.local_port = fl->pcb->local_port;
    fl->flow.peer_port = fl->pcb->remote_port;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct listener *l = arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    struct lwip_flow *fl = new_flow(l->tcp, pcb);
    if (fl == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    fill_ends(fl);
    fl->busy++;
    l->fn(l->ctx, &fl->flow);
    return settle(fl);
}

static int tcp_listen_(struct mirage_tcp *t, uint16_t port, mirage_tcp_accept_fn fn, void *ctx)
{
    struct lwip_tcp *tcp = t->state;
    for (struct listener *l = tcp->listeners; l != NULL; l = l->next)
        if (l->port == port)
            return MIRAGE_EADDRINUSE;
    struct listener *l = calloc(1, sizeof *l);
    if (l == NULL)
        return MIRAGE_ENOMEM;
    u8_t type = tcp->s->v4 && tcp->s->v6 ? IPADDR_TYPE_ANY : tcp->s->v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4;
    struct tcp_pcb *pcb = tcp_new_ip_type(type);
    if (pcb == NULL) {
        free(l);
        return MIRAGE_ENOMEM;
    }
    tcp_bind_netif(pcb, &tcp->s->netif);
    err_t err = tcp_bind(pcb, type == IPADDR_TYPE_V6 ? IP6_ADDR_ANY : type == IPADDR_TYPE_V4 ? IP4_ADDR_ANY : IP_ANY_TYPE,
                         port);
    struct tcp_pcb *lpcb = err == ERR_OK ? tcp_listen_with_backlog_and_err(pcb, TCP_DEFAULT_LISTEN_BACKLOG, &err)
                                         : NULL;
    if (lpcb == NULL) {
        tcp_close(pcb);
        free(l);
        return error_of(err, false);
    }
    *l = (struct listener){.pcb = lpcb, .port = port, .fn = fn, .ctx = ctx, .tcp = tcp, .next = tcp->listeners};
    tcp->listeners = l;
    tcp_arg(lpcb, l);
    tcp_accept(lpcb, on_accept);
    mirage_loop_hold(); /* a listening port keeps the unikernel running */
    return 0;
}

static int tcp_unlisten(struct mirage_tcp *t, uint16_t port)
{
    struct lwip_tcp *tcp = t->state;
    for (struct listener **p = &tcp->listeners; *p != NULL; p = &(*p)->next) {
        struct listener *l = *p;
        if (l->port != port)
            continue;
        *p = l->next;
        tcp_arg(l->pcb, NULL);
        tcp_accept(l->pcb, NULL);
        tcp_close(l->pcb); /* a listening pcb always closes */
        free(l);
        mirage_loop_release();
        return 0;
    }
    return MIRAGE_ENOENT;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct lwip_flow *fl = arg;
    (void)pcb, (void)err; /* lwIP 2.1 calls this only on success */
    mirage_tcp_connect_fn fn = fl->connected;
    fl->connected = NULL;
    fill_ends(fl);
    fl->busy++;
    fn(fl->connect_ctx, &fl->flow, 0);
    return settle(fl);
}

static bool family_ok(struct lwip_if *s, const struct mirage_ipaddr *a)
{
    return a->version == 6 ? s->v6 : a->version == 4 && s->v4;
}

static int tcp_connect_(struct mirage_tcp *t, const struct mirage_ipaddr *dst, uint16_t port,
                        mirage_tcp_connect_fn fn, void *ctx)
{
    struct lwip_tcp *tcp = t->state;
    if (!family_ok(tcp->s, dst))
        return MIRAGE_EINVAL;
    ip_addr_t ip;
    mirage_lwip_addr_from(&ip, dst);
    if (IP_IS_V6(&ip))
        ip6_addr_assign_zone(ip_2_ip6(&ip), IP6_UNICAST, &tcp->s->netif);
    struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&ip));
    if (pcb == NULL)
        return MIRAGE_ENOMEM;
    tcp_bind_netif(pcb, &tcp->s->netif);
    struct lwip_flow *fl = new_flow(tcp, pcb);
    if (fl == NULL) {
        tcp_close(pcb);
        return MIRAGE_ENOMEM;
    }
    fl->connected = fn;
    fl->connect_ctx = ctx;
    err_t err = tcp_connect(pcb, &ip, port, on_connected);
    if (err != ERR_OK) {
        detach(pcb);
        tcp_abort(pcb);
        free(fl);
        return error_of(err, true);
    }
    mirage_lwip_kick();
    return 0;
}

static int flow_write(struct mirage_flow *f, const void *data, size_t len, size_t *written)
{
    struct lwip_flow *fl = f->state;
    if (fl->pcb == NULL || fl->shut || fl->released)
        return MIRAGE_ENOTCONN;
    size_t room = fl->pcb->snd_buf; /* tcp_sndbuf() clamps to 16 bits: the window is 256 KiB */
    if (tcp_sndqueuelen(fl->pcb) >= TCP_SND_QUEUELEN - 2)
        room = 0;
    size_t n = len < room ? len : room;
    while (n > 0 && tcp_write(fl->pcb, data, (u16_t)(n > 0xffff ? 0xffff : n), TCP_WRITE_FLAG_COPY) == ERR_OK) {
        size_t chunk = n > 0xffff ? 0xffff : n;
        *written += chunk;
        data = (const uint8_t *)data + chunk;
        n -= chunk;
    }
    if (*written < len)
        fl->want_writable = true;
    if (*written == 0)
        return MIRAGE_EAGAIN;
    tcp_output(fl->pcb);
    mirage_lwip_kick();
    return 0;
}

static size_t flow_sendable(struct mirage_flow *f)
{
    struct lwip_flow *fl = f->state;
    if (fl->pcb == NULL || fl->shut || tcp_sndqueuelen(fl->pcb) >= TCP_SND_QUEUELEN - 2)
        return 0;
    return fl->pcb->snd_buf;
}

static int flow_shutdown(struct mirage_flow *f)
{
    struct lwip_flow *fl = f->state;
    if (fl->pcb == NULL || fl->shut)
        return MIRAGE_ENOTCONN;
    fl->shut = true;
    err_t err = tcp_shutdown(fl->pcb, 0, 1);
    mirage_lwip_kick();
    return err == ERR_OK ? 0 : error_of(err, false);
}

static void flow_close(struct mirage_flow *f)
{
    struct lwip_flow *fl = f->state;
    if (fl->pcb != NULL) {
        for (struct held *h = fl->held; h != NULL; h = h->next) /* unread data would turn the FIN into a RST */
            tcp_recved(fl->pcb, h->p->tot_len);
        drop_held(fl);
        tcp_arg(fl->pcb, NULL);
        tcp_recv(fl->pcb, discard);
        tcp_sent(fl->pcb, NULL);
        tcp_err(fl->pcb, NULL);
        if (tcp_close(fl->pcb) != ERR_OK) { /* out of memory for the FIN: reset instead */
            if (fl->busy > 0) {
                fl->abort_pending = true;
            } else {
                tcp_abort(fl->pcb);
                fl->pcb = NULL;
            }
        } else {
            fl->pcb = NULL;
        }
        mirage_lwip_kick();
    }
    fl->released = true;
    if (fl->busy == 0) {
        drop_held(fl);
        free(fl);
    }
}

static void flow_reset(struct mirage_flow *f)
{
    struct lwip_flow *fl = f->state;
    fl->released = true;
    if (fl->busy > 0) {
        fl->abort_pending = true;
        return;
    }
    if (fl->pcb != NULL) {
        detach(fl->pcb);
        tcp_abort(fl->pcb);
        mirage_lwip_kick();
    }
    drop_held(fl);
    free(fl);
}

static void flow_pause(struct mirage_flow *f, bool paused)
{
    struct lwip_flow *fl = f->state;
    fl->paused = paused;
    if (paused || fl->released)
        return;
    fl->busy++;
    deliver(fl);
    settle(fl); /* may free the flow: a callback closed or reset it */
    mirage_lwip_kick();
}

static void flow_nodelay(struct mirage_flow *f, bool on)
{
    struct lwip_flow *fl = f->state;
    if (fl->pcb == NULL)
        return;
    if (on)
        tcp_nagle_disable(fl->pcb);
    else
        tcp_nagle_enable(fl->pcb);
}

static const struct mirage_flow_ops flow_ops = {
    .write = flow_write,
    .sendable = flow_sendable,
    .shutdown = flow_shutdown,
    .close = flow_close,
    .reset = flow_reset,
    .nodelay = flow_nodelay,
    .pause = flow_pause,
};

static const struct mirage_tcp_ops tcp_ops = {.listen = tcp_listen_, .unlisten = tcp_unlisten, .connect = tcp_connect_};

int lwip_tcp_connect(struct mirage_tcp *out, struct mirage_ip *ip)
{
    struct lwip_if *s = mirage_lwip_if_of(ip);
    if (out == NULL || s == NULL)
        return MIRAGE_EINVAL;
    struct lwip_tcp *t = calloc(1, sizeof *t);
    if (t == NULL)
        return MIRAGE_ENOMEM;
    t->s = s;
    *out = (struct mirage_tcp){.ops = &tcp_ops, .state = t};
    return 0;
}
