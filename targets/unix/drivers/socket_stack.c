/* socket_stack on the unix target: the host's TCP/IP through ordinary sockets, as the
 * same ip/udp/tcp module types the lwIP stack implements (runtime_c/drivers/net/lwip),
 * so one unikernel's C runs on both.
 *
 * Every socket of a stack is non-blocking and registered (level-triggered) in one
 * epoll set; the platform's ppoll watches that epoll fd under one device handle, and
 * when it is ready the stack takes what epoll_wait(..., 0) reports and runs the
 * application's callbacks. A callback may close or reset any flow or unlisten any
 * port: objects retired while events are being dispatched are only marked dead and
 * freed once the batch is done, so a later event of the batch never reaches freed
 * memory and a dead object gets no callback. */
#define _GNU_SOURCE /* accept4, SOCK_NONBLOCK */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include <mirage/errors.h>
#include <mirage/log.h>
#include <mirage/loop.h>
#include <mirage/platform.h>
#include <mirage/stack.h>
#include <unix_platform.h>

#define LOG_SRC "socket_stack"
/* One device handle per stack, 24..31: netif takes 32..63, and the low numbers stay
 * free for Solo5-style drivers (manifest indices) and probes, so eight socket stacks
 * fit between them. */
#define FIRST_HANDLE 24
#define LAST_HANDLE 31
#define BACKLOG 128
#define MAX_EVENTS 64
/* Datagrams read per readiness report (and reads a closed flow discards at a time):
 * the rest waits for the next turn, so timers and other sockets are not starved by a
 * flood. */
#define UDP_BURST 64
#define DISCARD_BURST 16
/* Reads a TCP read and UDP recvfrom: a whole datagram of either family fits. */
#define BUF_SIZE 65536
/* How long a closed flow waits for the peer's FIN while discarding what it still
 * sends (lwIP's FIN_WAIT_2 timeout): closing the socket at once would answer such
 * data with a RST, which may destroy what the peer has not read yet. */
#define LINGER_NS (20 * UINT64_C(1000000000))
/* Retry delay after accept ran out of descriptors or memory: the listener stays
 * ready (level-triggered), so retrying at once would spin. */
#define ACCEPT_BACKOFF_NS (100 * UINT64_C(1000000))

enum kind { TCP_LISTENER, UDP_LISTENER, FLOW };

/* What an epoll event points to: the first member of each socket object. */
struct sock {
    enum kind kind;
    int fd;
    int family;         /* AF_INET or AF_INET6 */
    uint32_t events;    /* the epoll interest registered */
    bool registered;    /* in the epoll set */
    bool dead;          /* retired: no callback, freed after the batch */
    struct sock *grave; /* next in the stack's list of objects to free */
};

struct tcp_listener {
    struct sock k;
    struct socket_stack *s;
    uint16_t port;
    mirage_tcp_accept_fn fn;
    void *ctx;
    struct mirage_timer backoff;
    struct tcp_listener *next;
};

struct udp_listener {
    struct sock k;
    uint16_t port;
    mirage_udp_recv_fn fn;
    void *ctx;
    struct udp_listener *next;
};

struct flow {
    struct sock k;
    struct mirage_flow flow;
    struct socket_stack *s;
    mirage_tcp_connect_fn connected; /* until the connect completes */
    void *connect_ctx;
    int error;          /* a failure a write saw: closed(error) follows from the loop */
    int connect_errno;  /* a connect the host refused at once, reported from the loop */
    bool connecting;
    bool paused;
    bool shut;          /* our sending side is shut */
    bool eof;           /* the peer's eof was delivered */
    bool want_writable; /* a write came back short */
    bool parked;        /* paused with a hangup pending: out of the epoll set until resumed */
    bool ending;        /* inside its closed callback */
    bool lingering;     /* closed by the application, waiting for the peer's FIN */
    uint64_t linger_deadline;
    struct flow *linger_next;
};

struct socket_stack {
    struct mirage_stack stack;
    struct mirage_ip ip;
    struct mirage_udp udp;
    struct mirage_tcp tcp;
    bool v4, v6;
    int epfd;
    unsigned handle;
    unsigned registered; /* sockets in the epoll set: the handle is watched while > 0 */
    bool watching;
    bool dispatching;
    struct sock *graves;
    struct tcp_listener *tcp_listeners;
    struct udp_listener *udp_listeners;
    int sender4, sender6; /* UDP from ephemeral ports, opened at first use (-1 until then) */
    struct flow *lingering;
    struct mirage_timer linger_timer;
    uint8_t *buf; /* BUF_SIZE: what a read or recvfrom delivers (one dispatch at a time) */
};

static unsigned next_handle = FIRST_HANDLE;

/* ---- errors and addresses ------------------------------------------------------ */

static int error_of(int e)
{
    switch (e) {
    case 0: return 0;
    case EAGAIN: return MIRAGE_EAGAIN;
    case ECONNREFUSED: return MIRAGE_ECONNREFUSED;
    case ECONNRESET: case EPIPE: case ECONNABORTED: return MIRAGE_ECONNRESET;
    case ETIMEDOUT: return MIRAGE_ETIMEDOUT;
    case EHOSTUNREACH: case ENETUNREACH: case EHOSTDOWN: case ENETDOWN: return MIRAGE_EHOSTUNREACH;
    case EADDRINUSE: case EADDRNOTAVAIL: return MIRAGE_EADDRINUSE; /* EADDRNOTAVAIL: no ephemeral port left */
    case ENOMEM: case ENOBUFS: case EMFILE: case ENFILE: return MIRAGE_ENOMEM;
    case ENOTCONN: return MIRAGE_ENOTCONN;
    case EINVAL: case EAFNOSUPPORT: case EMSGSIZE: case EACCES: case EPERM: return MIRAGE_EINVAL;
    default: return MIRAGE_EIO;
    }
}

/* A connect's failure, as mirage_tcp_connect_fn allows it. */
static int connect_error_of(int e)
{
    int err = error_of(e);
    if (err == MIRAGE_ECONNRESET)
        return MIRAGE_ECONNREFUSED;
    if (err == MIRAGE_ECONNREFUSED || err == MIRAGE_ETIMEDOUT || err == MIRAGE_ENOMEM)
        return err;
    return MIRAGE_EHOSTUNREACH;
}

union sa {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_storage ss;
};

/* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: they are plain IPv4 here. */
static void addr_from(const union sa *a, struct mirage_ipaddr *out, uint16_t *port)
{
    memset(out, 0, sizeof *out);
    if (a->sa.sa_family == AF_INET) {
        out->version = 4;
        memcpy(out->bytes, &a->in.sin_addr, 4);
        *port = ntohs(a->in.sin_port);
        return;
    }
    *port = ntohs(a->in6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&a->in6.sin6_addr)) {
        out->version = 4;
        memcpy(out->bytes, &a->in6.sin6_addr.s6_addr[12], 4);
    } else {
        out->version = 6;
        memcpy(out->bytes, &a->in6.sin6_addr, 16);
    }
}

/* addr:port for a socket of `family` (an IPv4 address on an AF_INET6 socket is mapped);
 * addr NULL: the wildcard address. */
static socklen_t addr_to(int family, const struct mirage_ipaddr *addr, uint16_t port, union sa *out)
{
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        out->in.sin_family = AF_INET;
        out->in.sin_port = htons(port);
        if (addr != NULL)
            memcpy(&out->in.sin_addr, addr->bytes, 4);
        return sizeof out->in;
    }
    out->in6.sin6_family = AF_INET6;
    out->in6.sin6_port = htons(port);
    if (addr != NULL && addr->version == 4) {
        out->in6.sin6_addr.s6_addr[10] = 0xff;
        out->in6.sin6_addr.s6_addr[11] = 0xff;
        memcpy(&out->in6.sin6_addr.s6_addr[12], addr->bytes, 4);
    } else if (addr != NULL) {
        memcpy(&out->in6.sin6_addr, addr->bytes, 16);
    }
    return sizeof out->in6;
}

/* A debug line naming a peer (the addresses as the application sees them). */
static void log_peer(const char *what, uint16_t port, const struct mirage_ipaddr *a, uint16_t a_port)
{
    if (mirage_log_source_level(LOG_SRC) < MIRAGE_LOG_DEBUG)
        return;
    char text[MIRAGE_IPADDR_STRLEN];
    mirage_ipaddr_format(a, text);
    MIRAGE_LOG_DEBUG(LOG_SRC, "port %u: %s from %s%s%s:%u", (unsigned)port, what, a->version == 6 ? "[" : "", text,
                     a->version == 6 ? "]" : "", (unsigned)a_port);
}

static bool family_ok(const struct socket_stack *s, const struct mirage_ipaddr *a)
{
    return a->version == 6 ? s->v6 : a->version == 4 && s->v4;
}

static int so_error(int fd)
{
    int e = 0;
    socklen_t len = sizeof e;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        return errno;
    return e;
}

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

/* A socket for the stack's families: one AF_INET6 socket takes both unless the stack
 * is IPv4 only (or the host has no IPv6). Returns the fd or -errno. */
static int open_socket(const struct socket_stack *s, int type, int *family)
{
    int fd = -1;
    if (s->v6) {
        fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0 && set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, !s->v4) != 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (fd >= 0 || !s->v4 || errno != EAFNOSUPPORT) {
            *family = AF_INET6;
            return fd >= 0 ? fd : -errno;
        }
    }
    fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    *family = AF_INET;
    return fd >= 0 ? fd : -errno;
}

/* ---- the epoll set and the device handle ----------------------------------------- */

static void on_ready(void *ctx);

/* Watch the handle while a socket is registered: a listener or a flow then keeps the
 * loop alive, and a stack nobody uses lets it end. While events are dispatched the
 * fd is not polled, so a callback that turns the loop (mirage_sleep_ns) does not see
 * it ready again and again (and does not re-enter the dispatch). */
static void sync_watch(struct socket_stack *s)
{
    bool want = s->registered > 0;
    if (want != s->watching) {
        mirage_loop_watch(s->handle, want ? on_ready : NULL, s);
        s->watching = want;
    }
    mirage_unix_watch_fd(s->handle, want && !s->dispatching ? s->epfd : -1);
}

/* Put k in the epoll set with `events` (want), or take it out. */
static int set_interest(struct socket_stack *s, struct sock *k, bool want, uint32_t events)
{
    int rc = 0;
    if (!want) {
        if (k->registered) {
            epoll_ctl(s->epfd, EPOLL_CTL_DEL, k->fd, NULL);
            k->registered = false;
            s->registered--;
        }
    } else if (!k->registered || events != k->events) {
        struct epoll_event ev = {.events = events, .data.ptr = k};
        rc = epoll_ctl(s->epfd, k->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, k->fd, &ev);
        if (rc == 0 && !k->registered) {
            k->registered = true;
            s->registered++;
        }
        rc = rc == 0 ? 0 : error_of(errno);
    }
    if (rc == 0)
        k->events = events;
    sync_watch(s);
    return rc;
}

/* Close k's socket and free it, or leave it to the end of the batch. */
static void retire(struct socket_stack *s, struct sock *k)
{
    set_interest(s, k, false, 0);
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
    k->dead = true;
    if (s->dispatching) {
        k->grave = s->graves;
        s->graves = k;
    } else {
        free(k);
    }
}

/* ---- IP -------------------------------------------------------------------------- */

static uint8_t prefix_of(const struct sockaddr *mask, int family)
{
    if (mask == NULL)
        return family == AF_INET ? 32 : 128;
    const uint8_t *b = family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)(const void *)mask)->sin_addr
                                         : ((const struct sockaddr_in6 *)(const void *)mask)->sin6_addr.s6_addr;
    size_t n = family == AF_INET ? 4 : 16;
    uint8_t bits = 0;
    for (size_t i = 0; i < n; i++)
        bits = (uint8_t)(bits + __builtin_popcount(b[i]));
    return bits;
}

/* The host's addresses on interfaces that are up. Linux's getifaddrs does not tell
 * whether an IPv6 address is still tentative: every address counts as preferred. */
static size_t ip_addresses(struct mirage_ip *ip, struct mirage_ip_address *out, size_t max)
{
    struct socket_stack *s = ip->state;
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return 0;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) { /* v4 first, then v6 */
        int family = pass == 0 ? AF_INET : AF_INET6;
        if (family == AF_INET ? !s->v4 : !s->v6)
            continue;
        for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
            if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family || (i->ifa_flags & IFF_UP) == 0)
                continue;
            if (n < max) {
                union sa a;
                memcpy(&a, i->ifa_addr, family == AF_INET ? sizeof a.in : sizeof a.in6);
                uint16_t port;
                addr_from(&a, &out[n].addr, &port);
                out[n].prefix_len = prefix_of(i->ifa_netmask, family);
                out[n].preferred = true;
            }
            n++;
        }
    }
    freeifaddrs(list);
    return n;
}

static const struct mirage_ip_ops ip_ops = {.addresses = ip_addresses};

/* ---- UDP ------------------------------------------------------------------------- */

static void udp_event(struct socket_stack *s, struct udp_listener *l)
{
    for (int i = 0; i < UDP_BURST && !l->k.dead; i++) {
        union sa from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(l->k.fd, s->buf, BUF_SIZE, 0, &from.sa, &len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break; /* EAGAIN; an ICMP error reported late is nothing to deliver */
        struct mirage_ipaddr src;
        uint16_t port;
        addr_from(&from, &src, &port);
        log_peer("datagram", l->port, &src, port);
        l->fn(l->ctx, &src, port, l->port, s->buf, (size_t)n);
    }
}

/* A UDP socket bound to `port` (0: none), or -errno. SO_REUSEADDR is not set: a
 * port another socket holds is then refused (EADDRINUSE), as lwIP refuses it. */
static int udp_socket(struct socket_stack *s, uint16_t port, int *family)
{
    int fd = open_socket(s, SOCK_DGRAM, family);
    if (fd < 0 || port == 0)
        return fd;
    union sa a;
    socklen_t len = addr_to(*family, NULL, port, &a);
    if (bind(fd, &a.sa, len) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

static int udp_listen_(struct mirage_udp *u, uint16_t port, mirage_udp_recv_fn fn, void *ctx)
{
    struct socket_stack *s = u->state;
    for (struct udp_listener *l = s->udp_listeners; l != NULL; l = l->next)
        if (l->port == port)
            return MIRAGE_EADDRINUSE;
    struct udp_listener *l = calloc(1, sizeof *l);
    if (l == NULL)
        return MIRAGE_ENOMEM;
    int family;
    int fd = udp_socket(s, port, &family);
    if (fd < 0) {
        free(l);
        return error_of(-fd);
    }
    *l = (struct udp_listener){.k = {.kind = UDP_LISTENER, .fd = fd, .family = family}, .port = port, .fn = fn,
                               .ctx = ctx, .next = s->udp_listeners};
    int rc = set_interest(s, &l->k, true, EPOLLIN);
    if (rc < 0) {
        close(fd);
        free(l);
        return rc;
    }
    s->udp_listeners = l;
    mirage_loop_hold(); /* a listening port keeps the unikernel running, as lwIP's */
    return 0;
}

static int udp_unlisten(struct mirage_udp *u, uint16_t port)
{
    struct socket_stack *s = u->state;
    for (struct udp_listener **p = &s->udp_listeners; *p != NULL; p = &(*p)->next) {
        struct udp_listener *l = *p;
        if (l->port != port)
            continue;
        *p = l->next;
        retire(s, &l->k);
        mirage_loop_release();
        return 0;
    }
    return MIRAGE_ENOENT;
}

/* The socket for datagrams from an ephemeral port, one per family (bound by the first
 * sendto). Replies to it are not read: the kernel drops them once its buffer is full. */
static int udp_sender(struct socket_stack *s, int version, int *family)
{
    int *fd = version == 4 ? &s->sender4 : &s->sender6;
    *family = version == 4 ? AF_INET : AF_INET6;
    if (*fd < 0) {
        *fd = socket(*family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (*fd < 0)
            return -errno;
    }
    return *fd;
}

static int udp_send_(struct mirage_udp *u, const struct mirage_ipaddr *dst, uint16_t dst_port, uint16_t src_port,
                     const void *data, size_t len)
{
    struct socket_stack *s = u->state;
    if (!family_ok(s, dst))
        return MIRAGE_EINVAL;
    int fd = -1, family = AF_INET, temporary = -1;
    if (src_port == 0) {
        fd = udp_sender(s, dst->version, &family);
    } else {
        for (struct udp_listener *l = s->udp_listeners; l != NULL && fd < 0; l = l->next)
            if (l->port == src_port) {
                fd = l->k.fd;
                family = l->k.family;
            }
        if (fd < 0) /* from a port nobody listens on: a socket for this datagram only */
            fd = temporary = udp_socket(s, src_port, &family);
    }
    if (fd < 0)
        return error_of(-fd);
    union sa a;
    socklen_t alen = addr_to(family, dst, dst_port, &a);
    ssize_t n;
    do
        n = sendto(fd, data, len, MSG_NOSIGNAL, &a.sa, alen);
    while (n < 0 && errno == EINTR);
    int rc = 0;
    if (n < 0) {
        /* A full socket buffer drops the datagram, as a busy wire would. */
        rc = errno == EAGAIN ? MIRAGE_ENOMEM : error_of(errno);
    }
    if (temporary >= 0)
        close(temporary);
    return rc;
}

static const struct mirage_udp_ops udp_ops = {.listen = udp_listen_, .unlisten = udp_unlisten, .send = udp_send_};

/* ---- TCP flows ------------------------------------------------------------------- */

static const struct mirage_flow_ops flow_ops;
static void on_linger_timer(void *ctx);

/* The epoll interest that follows from a flow's state. */
static void flow_interest(struct flow *fl)
{
    uint32_t ev = 0;
    bool want = true;
    if (fl->lingering) {
        ev = EPOLLIN;
    } else if (fl->connecting) {
        ev = EPOLLOUT;
    } else {
        if (!fl->paused && !fl->eof)
            ev |= EPOLLIN; /* paused: the kernel keeps the data and its window closes */
        /* EPOLLOUT also reports a shut or failed socket at once: closed() is due. */
        if (fl->want_writable || fl->error != 0 || (fl->shut && fl->eof))
            ev |= EPOLLOUT;
        want = !fl->parked;
    }
    if (set_interest(fl->s, &fl->k, want, ev) < 0)
        MIRAGE_LOG_WARN(LOG_SRC, "epoll_ctl failed for a flow: %s", strerror(errno));
}

static struct flow *new_flow(struct socket_stack *s, int fd, int family)
{
    struct flow *fl = calloc(1, sizeof *fl);
    if (fl == NULL)
        return NULL;
    fl->k = (struct sock){.kind = FLOW, .fd = fd, .family = family};
    fl->flow.ops = &flow_ops;
    fl->flow.state = fl;
    fl->s = s;
    return fl;
}

static void fill_ends(struct flow *fl)
{
    union sa a;
    socklen_t len = sizeof a;
    if (getsockname(fl->k.fd, &a.sa, &len) == 0)
        addr_from(&a, &fl->flow.local, &fl->flow.local_port);
    len = sizeof a;
    if (getpeername(fl->k.fd, &a.sa, &len) == 0)
        addr_from(&a, &fl->flow.peer, &fl->flow.peer_port);
}

/* A lingering flow is done: off the list, and the timer stops with the last one (an
 * armed timer would keep the loop alive for nothing). */
static void unlinger(struct socket_stack *s, struct flow *fl)
{
    for (struct flow **p = &s->lingering; *p != NULL; p = &(*p)->linger_next)
        if (*p == fl) {
            *p = fl->linger_next;
            break;
        }
    if (s->lingering == NULL)
        mirage_timer_cancel(&s->linger_timer);
}

/* The connection ended while the application held the flow: closed(err), then gone. */
static void flow_end(struct flow *fl, int err)
{
    fl->ending = true; /* a close or reset from the callback is a no-op */
    if (fl->flow.cb != NULL && fl->flow.cb->closed != NULL)
        fl->flow.cb->closed(fl->flow.ctx, &fl->flow, err);
    retire(fl->s, &fl->k);
}

static bool gone(const struct flow *fl)
{
    return fl->k.dead || fl->lingering;
}

/* A lingering flow: discard what the peer still sends; its FIN or a failure ends it. */
static void linger_event(struct socket_stack *s, struct flow *fl)
{
    for (int i = 0; i < DISCARD_BURST; i++) {
        ssize_t n = read(fl->k.fd, s->buf, BUF_SIZE);
        if (n > 0 || (n < 0 && errno == EINTR))
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        unlinger(s, fl);
        retire(s, &fl->k);
        return;
    }
}

static void connect_event(struct flow *fl, uint32_t ev)
{
    mirage_tcp_connect_fn fn = fl->connected;
    void *ctx = fl->connect_ctx;
    int e = fl->connect_errno != 0 ? fl->connect_errno : so_error(fl->k.fd);
    union sa a;
    socklen_t len = sizeof a;
    if (e == 0 && getpeername(fl->k.fd, &a.sa, &len) != 0 && errno == ENOTCONN) {
        if (!(ev & (EPOLLERR | EPOLLHUP)))
            return; /* not settled yet (epoll does not report a socket still connecting) */
        e = ECONNREFUSED; /* hung up without saying why */
    }
    if (e != 0) {
        retire(fl->s, &fl->k);
        fn(ctx, NULL, connect_error_of(e));
        return;
    }
    fl->connecting = false;
    fl->connected = NULL;
    fill_ends(fl);
    flow_interest(fl);
    fn(ctx, &fl->flow, 0);
    if (!gone(fl))
        flow_interest(fl);
}

static void flow_event(struct socket_stack *s, struct flow *fl, uint32_t ev)
{
    if (fl->lingering) {
        linger_event(s, fl);
        return;
    }
    if (fl->connecting) {
        connect_event(fl, ev);
        return;
    }
    if (fl->error != 0) { /* a write saw the connection fail */
        flow_end(fl, fl->error);
        return;
    }
    if (ev & EPOLLERR) {
        int e = so_error(fl->k.fd);
        if (e != 0) { /* a reset or a timeout: what was not delivered is lost, as on lwIP */
            flow_end(fl, error_of(e) == MIRAGE_ETIMEDOUT ? MIRAGE_ETIMEDOUT : MIRAGE_ECONNRESET);
            return;
        }
    }
    const struct mirage_flow_callbacks *cb = fl->flow.cb;
    if ((ev & (EPOLLIN | EPOLLHUP)) && (fl->k.events & EPOLLIN)) {
        ssize_t n = read(fl->k.fd, s->buf, BUF_SIZE);
        if (n > 0) {
            if (cb != NULL && cb->recv != NULL)
                cb->recv(fl->flow.ctx, &fl->flow, s->buf, (size_t)n);
        } else if (n == 0) {
            fl->eof = true;
            if (cb != NULL && cb->eof != NULL)
                cb->eof(fl->flow.ctx, &fl->flow);
        } else if (errno != EAGAIN && errno != EINTR) {
            flow_end(fl, error_of(errno) == MIRAGE_ETIMEDOUT ? MIRAGE_ETIMEDOUT : MIRAGE_ECONNRESET);
            return;
        }
        if (gone(fl))
            return;
        cb = fl->flow.cb;
    }
    if ((ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && fl->want_writable) {
        fl->want_writable = false;
        if (cb != NULL && cb->writable != NULL)
            cb->writable(fl->flow.ctx, &fl->flow);
        if (gone(fl))
            return;
    }
    /* Both sides shut down in order (ours, and the peer's eof delivered): the kernel
     * finishes the close, the flow ends with closed(0), whichever side shut first
     * (lwIP reports the order eof-then-shutdown so too, once our FIN is acknowledged). */
    if (fl->shut && fl->eof) {
        flow_end(fl, 0);
        return;
    }
    if ((ev & EPOLLHUP) && !(fl->k.events & EPOLLIN)) {
        if (fl->eof) { /* the peer's eof was delivered, we did not shut: a hangup is a failure */
            flow_end(fl, MIRAGE_ECONNRESET);
            return;
        }
        if (fl->paused) /* epoll reports a hangup whatever the interest: stop until resumed */
            fl->parked = true;
    }
    flow_interest(fl);
}

static int flow_write(struct mirage_flow *f, const void *data, size_t len, size_t *written)
{
    struct flow *fl = f->state;
    if (fl->shut || fl->error != 0 || fl->ending || gone(fl))
        return MIRAGE_ENOTCONN;
    ssize_t n;
    do
        n = send(fl->k.fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN) {
        /* The connection is gone: closed() follows from the loop, never from inside
         * this call (the caller still holds the flow). */
        fl->error = error_of(errno) == MIRAGE_ETIMEDOUT ? MIRAGE_ETIMEDOUT : MIRAGE_ECONNRESET;
        fl->parked = false;
        flow_interest(fl);
        return MIRAGE_ENOTCONN;
    }
    *written = n < 0 ? 0 : (size_t)n;
    if (*written < len && !fl->want_writable) {
        fl->want_writable = true;
        flow_interest(fl);
    }
    return *written == 0 ? MIRAGE_EAGAIN : 0;
}

/* An estimate, as a socket cannot say exactly what send() would take: half the send
 * buffer (the kernel counts its own overhead in the other half) less what is queued
 * (SIOCOUTQ). A write of this much may still come back short; writable then follows. */
static size_t flow_sendable(struct mirage_flow *f)
{
    struct flow *fl = f->state;
    if (fl->shut || fl->error != 0 || fl->want_writable || gone(fl))
        return 0;
    int sndbuf = 0, queued = 0;
    socklen_t len = sizeof sndbuf;
    if (getsockopt(fl->k.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 || ioctl(fl->k.fd, SIOCOUTQ, &queued) != 0)
        return 0;
    return sndbuf / 2 > queued ? (size_t)(sndbuf / 2 - queued) : 0;
}

static int flow_shutdown(struct mirage_flow *f)
{
    struct flow *fl = f->state;
    if (fl->shut || fl->error != 0 || fl->ending || gone(fl))
        return MIRAGE_ENOTCONN;
    if (shutdown(fl->k.fd, SHUT_WR) != 0)
        return errno == ENOTCONN ? MIRAGE_ENOTCONN : error_of(errno);
    fl->shut = true;
    flow_interest(fl); /* the peer's eof already delivered: closed(0) is due */
    return 0;
}

/* Graceful: what was written goes, then FIN. Data already received is read and dropped
 * first, as is what arrives until the peer's FIN (lingering, at most LINGER_NS): the
 * host answers data for a closed socket with a RST. */
static void flow_close(struct mirage_flow *f)
{
    struct flow *fl = f->state;
    struct socket_stack *s = fl->s;
    if (fl->ending || gone(fl))
        return;
    bool finished = fl->eof || fl->error != 0;
    for (int i = 0; i < DISCARD_BURST && !finished; i++) {
        ssize_t n = read(fl->k.fd, s->buf, BUF_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        finished = n <= 0; /* the peer's FIN, or a failure */
    }
    if (!fl->shut && fl->error == 0)
        shutdown(fl->k.fd, SHUT_WR);
    if (finished) {
        retire(s, &fl->k);
        return;
    }
    fl->lingering = true;
    fl->flow.cb = NULL;
    fl->parked = false;
    fl->linger_deadline = mirage_platform_monotonic_ns() + LINGER_NS;
    fl->linger_next = s->lingering;
    if (s->lingering == NULL)
        mirage_timer_start(&s->linger_timer, fl->linger_deadline, on_linger_timer, s);
    s->lingering = fl;
    flow_interest(fl);
}

/* Lingering flows past their time are closed outright. */
static void on_linger_timer(void *ctx)
{
    struct socket_stack *s = ctx;
    uint64_t now = mirage_platform_monotonic_ns(), next = UINT64_MAX;
    for (struct flow **p = &s->lingering; *p != NULL;) {
        struct flow *fl = *p;
        if (fl->linger_deadline <= now) {
            *p = fl->linger_next;
            retire(s, &fl->k);
        } else {
            next = fl->linger_deadline < next ? fl->linger_deadline : next;
            p = &fl->linger_next;
        }
    }
    if (next != UINT64_MAX)
        mirage_timer_start(&s->linger_timer, next, on_linger_timer, s);
}

/* RST at once: SO_LINGER {1, 0} makes close() abort the connection. */
static void flow_reset(struct mirage_flow *f)
{
    struct flow *fl = f->state;
    if (fl->ending || gone(fl))
        return;
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fl->k.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    retire(fl->s, &fl->k);
}

static void flow_nodelay(struct mirage_flow *f, bool on)
{
    struct flow *fl = f->state;
    if (!gone(fl))
        set_int(fl->k.fd, IPPROTO_TCP, TCP_NODELAY, on);
}

/* Resuming only turns reading back on: what the kernel held is delivered from the loop. */
static void flow_pause(struct mirage_flow *f, bool paused)
{
    struct flow *fl = f->state;
    if (gone(fl) || fl->ending || fl->paused == paused)
        return;
    fl->paused = paused;
    if (!paused)
        fl->parked = false;
    flow_interest(fl);
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

/* ---- TCP listeners and connect --------------------------------------------------- */

static void on_backoff(void *ctx)
{
    struct tcp_listener *l = ctx;
    set_interest(l->s, &l->k, true, EPOLLIN);
}

static void accept_event(struct socket_stack *s, struct tcp_listener *l)
{
    while (!l->k.dead) {
        union sa peer;
        socklen_t len = sizeof peer;
        int fd = accept4(l->k.fd, &peer.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN)
                return;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                MIRAGE_LOG_WARN(LOG_SRC, "port %u: cannot accept a connection (%s), retrying shortly",
                                (unsigned)l->port, strerror(errno));
                set_interest(s, &l->k, false, 0);
                mirage_timer_start(&l->backoff, mirage_platform_monotonic_ns() + ACCEPT_BACKOFF_NS, on_backoff, l);
            }
            return;
        }
        struct flow *fl = new_flow(s, fd, l->k.family);
        if (fl == NULL || set_interest(s, &fl->k, true, EPOLLIN) < 0) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            close(fd);
            free(fl);
            continue;
        }
        fill_ends(fl);
        addr_from(&peer, &fl->flow.peer, &fl->flow.peer_port);
        log_peer("connection", l->port, &fl->flow.peer, fl->flow.peer_port);
        l->fn(l->ctx, &fl->flow);
        if (!gone(fl))
            flow_interest(fl); /* the callback may have paused it */
    }
}

static int tcp_listen_(struct mirage_tcp *t, uint16_t port, mirage_tcp_accept_fn fn, void *ctx)
{
    struct socket_stack *s = t->state;
    for (struct tcp_listener *l = s->tcp_listeners; l != NULL; l = l->next)
        if (l->port == port)
            return MIRAGE_EADDRINUSE;
    struct tcp_listener *l = calloc(1, sizeof *l);
    if (l == NULL)
        return MIRAGE_ENOMEM;
    int family;
    int fd = open_socket(s, SOCK_STREAM, &family);
    if (fd < 0) {
        free(l);
        return error_of(-fd);
    }
    /* A restarted unikernel takes its port back at once despite connections of the
     * previous run in TIME_WAIT. */
    set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    union sa a;
    socklen_t len = addr_to(family, NULL, port, &a);
    if (bind(fd, &a.sa, len) != 0 || listen(fd, BACKLOG) != 0) {
        int e = errno;
        if (e == EACCES)
            MIRAGE_LOG_ERR(LOG_SRC, "port %u: %s", (unsigned)port, strerror(e));
        close(fd);
        free(l);
        return error_of(e);
    }
    *l = (struct tcp_listener){.k = {.kind = TCP_LISTENER, .fd = fd, .family = family}, .s = s, .port = port,
                               .fn = fn, .ctx = ctx, .next = s->tcp_listeners};
    int rc = set_interest(s, &l->k, true, EPOLLIN);
    if (rc < 0) {
        close(fd);
        free(l);
        return rc;
    }
    s->tcp_listeners = l;
    mirage_loop_hold(); /* a listening port keeps the unikernel running, as lwIP's */
    return 0;
}

static int tcp_unlisten(struct mirage_tcp *t, uint16_t port)
{
    struct socket_stack *s = t->state;
    for (struct tcp_listener **p = &s->tcp_listeners; *p != NULL; p = &(*p)->next) {
        struct tcp_listener *l = *p;
        if (l->port != port)
            continue;
        *p = l->next;
        mirage_timer_cancel(&l->backoff);
        retire(s, &l->k);
        mirage_loop_release();
        return 0;
    }
    return MIRAGE_ENOENT;
}

/* Non-blocking: the outcome (SO_ERROR once the socket is writable) goes to fn from the
 * loop, even when the host settles it at once. */
static int tcp_connect_(struct mirage_tcp *t, const struct mirage_ipaddr *dst, uint16_t port,
                        mirage_tcp_connect_fn fn, void *ctx)
{
    struct socket_stack *s = t->state;
    if (!family_ok(s, dst))
        return MIRAGE_EINVAL;
    int family = dst->version == 4 ? AF_INET : AF_INET6;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno == EAFNOSUPPORT ? MIRAGE_EHOSTUNREACH : error_of(errno);
    struct flow *fl = new_flow(s, fd, family);
    if (fl == NULL) {
        close(fd);
        return MIRAGE_ENOMEM;
    }
    union sa a;
    socklen_t len = addr_to(family, dst, port, &a);
    int rc = connect(fd, &a.sa, len);
    if (rc != 0 && errno != EINPROGRESS) {
        int e = errno;
        int err = error_of(e);
        if (err == MIRAGE_EHOSTUNREACH || err == MIRAGE_ENOMEM || err == MIRAGE_EINVAL) {
            close(fd);
            free(fl);
            return err;
        }
        fl->connect_errno = e; /* refused at once: still reported through fn, from the loop */
    }
    fl->connecting = true;
    fl->connected = fn;
    fl->connect_ctx = ctx;
    if (set_interest(s, &fl->k, true, EPOLLOUT) < 0) {
        close(fd);
        free(fl);
        return MIRAGE_ENOMEM;
    }
    return 0;
}

static const struct mirage_tcp_ops tcp_ops = {.listen = tcp_listen_, .unlisten = tcp_unlisten, .connect = tcp_connect_};

/* ---- dispatch -------------------------------------------------------------------- */

static void on_ready(void *ctx)
{
    struct socket_stack *s = ctx;
    if (s->dispatching)
        return;
    struct epoll_event ev[MAX_EVENTS];
    int n;
    do
        n = epoll_wait(s->epfd, ev, MAX_EVENTS, 0);
    while (n < 0 && errno == EINTR);
    s->dispatching = true;
    sync_watch(s);
    for (int i = 0; i < n; i++) {
        struct sock *k = ev[i].data.ptr;
        if (k->dead)
            continue; /* retired by an earlier callback of this batch */
        switch (k->kind) {
        case TCP_LISTENER: accept_event(s, (struct tcp_listener *)k); break;
        case UDP_LISTENER: udp_event(s, (struct udp_listener *)k); break;
        case FLOW: flow_event(s, (struct flow *)k, ev[i].events); break;
        }
    }
    s->dispatching = false;
    while (s->graves != NULL) {
        struct sock *k = s->graves;
        s->graves = k->grave;
        free(k);
    }
    sync_watch(s);
}

int socket_stack_connect(struct mirage_stack *out, bool v4, bool v6)
{
    if (out == NULL || (!v4 && !v6))
        return MIRAGE_EINVAL;
    if (next_handle > LAST_HANDLE)
        return MIRAGE_ENOSPC;
    struct socket_stack *s = calloc(1, sizeof *s);
    uint8_t *buf = malloc(BUF_SIZE);
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s == NULL || buf == NULL || epfd < 0) {
        int err = epfd < 0 ? error_of(errno) : MIRAGE_ENOMEM;
        if (epfd >= 0)
            close(epfd);
        free(s);
        free(buf);
        return err;
    }
    s->v4 = v4;
    s->v6 = v6;
    s->epfd = epfd;
    s->buf = buf;
    s->sender4 = s->sender6 = -1;
    s->handle = next_handle++;
    s->ip = (struct mirage_ip){.ops = &ip_ops, .name = "socket", .v4 = v4, .v6 = v6, .state = s};
    s->udp = (struct mirage_udp){.ops = &udp_ops, .state = s};
    s->tcp = (struct mirage_tcp){.ops = &tcp_ops, .state = s};
    s->stack = (struct mirage_stack){.name = "socket", .ip = &s->ip, .udp = &s->udp, .tcp = &s->tcp};
    *out = s->stack;
    return 0;
}
