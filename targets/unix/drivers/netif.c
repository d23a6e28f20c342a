/* netif on the unix target: the process opens the tap interface itself through
 * /dev/net/tun, non-blocking, and the platform's ppoll watches the descriptor. */
#define _GNU_SOURCE /* struct ifreq, getrandom */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include <mirage/errors.h>
#include <mirage/log.h>
#include <mirage/loop.h>
#include <mirage/network.h>
#include <unix_platform.h>

#define LOG_SRC "netif"
/* Handles 32..63: clear of the low numbers Solo5-style drivers use for manifest
 * indices, so code written for both keeps distinct numbers. */
#define FIRST_HANDLE 32
#define LAST_HANDLE 63
#define DEFAULT_MTU 1500
/* Frames read per readiness report; ppoll is level-triggered, so the rest is
 * read on the next turn and timers are not starved by a flood. */
#define READ_BURST 256

struct netif_unix {
    int fd;
    bool busy;       /* delivering frames: a nested loop turn must not reuse buf */
    size_t size;     /* mtu + 14 */
    uint8_t buf[];
};

static unsigned next_handle = FIRST_HANDLE;

static void stop(struct mirage_network *n)
{
    mirage_unix_watch_fd(n->handle, -1);
    mirage_loop_watch(n->handle, NULL, NULL);
}

static void on_ready(void *arg)
{
    struct mirage_network *n = arg;
    struct netif_unix *s = n->state;
    if (s->busy)
        return;
    s->busy = true;
    /* While frames are delivered the fd is not polled: a callback that turns the
     * loop (mirage_sleep_ns) must not see it ready over and over. */
    mirage_unix_watch_fd(n->handle, -1);
    bool failed = false;
    for (int i = 0; i < READ_BURST && n->fn != NULL; i++) {
        ssize_t len = read(s->fd, s->buf, s->size);
        if (len < 0 && errno == EINTR)
            continue;
        if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (len <= 0) {
            MIRAGE_LOG_ERR(LOG_SRC, "%s: reading the tap failed (%s), no more frames",
                           n->name, len < 0 ? strerror(errno) : "end of file");
            failed = true;
            break;
        }
        /* A tap reports the whole frame's length even when it truncated it. */
        if ((size_t)len > s->size) {
            MIRAGE_LOG_DEBUG(LOG_SRC, "%s: dropped a %zd-byte frame (mtu %u)", n->name, len,
                             (unsigned)n->mtu);
            continue;
        }
        n->fn(n->ctx, s->buf, (size_t)len);
    }
    s->busy = false;
    if (failed)
        stop(n);
    else if (n->fn != NULL)
        mirage_unix_watch_fd(n->handle, s->fd);
}

static int netif_unix_write(struct mirage_network *n, const void *frame, size_t len)
{
    struct netif_unix *s = n->state;
    ssize_t sent;
    do
        sent = write(s->fd, frame, len);
    while (sent < 0 && errno == EINTR);
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
        return MIRAGE_EAGAIN;
    return sent == (ssize_t)len ? MIRAGE_OK : MIRAGE_EIO;
}

static int netif_unix_listen(struct mirage_network *n, mirage_frame_fn fn, void *ctx)
{
    struct netif_unix *s = n->state;
    (void)ctx;
    if (fn == NULL) {
        stop(n);
        return MIRAGE_OK;
    }
    if (!s->busy) /* else on_ready maps the fd again when it is done */
        mirage_unix_watch_fd(n->handle, s->fd);
    mirage_loop_watch(n->handle, on_ready, n);
    return MIRAGE_OK;
}

static const struct mirage_network_ops netif_unix_ops = {
    .write = netif_unix_write,
    .listen = netif_unix_listen,
};

/* ifr cleared and naming `ifname` (shorter than IFNAMSIZ, checked by the caller). */
static void ifreq_for(struct ifreq *ifr, const char *ifname)
{
    memset(ifr, 0, sizeof *ifr);
    memcpy(ifr->ifr_name, ifname, strlen(ifname));
}

/* The MTU and whether the interface is up (DEFAULT_MTU if the host will not say). */
static uint16_t interface_mtu(const char *ifname, bool *up)
{
    int mtu = -1;
    *up = true;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock >= 0) {
        struct ifreq ifr;
        ifreq_for(&ifr, ifname);
        if (ioctl(sock, SIOCGIFMTU, &ifr) == 0)
            mtu = ifr.ifr_mtu;
        ifreq_for(&ifr, ifname);
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) == 0)
            *up = (ifr.ifr_flags & IFF_UP) != 0;
        close(sock);
    }
    return mtu >= 68 && mtu <= UINT16_MAX ? (uint16_t)mtu : DEFAULT_MTU;
}

/* A random unicast, locally administered MAC: the tap's own MAC is the host end's. */
static int random_mac(uint8_t mac[6])
{
    size_t got = 0;
    while (got < 6) {
        ssize_t r = getrandom(mac + got, 6 - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return MIRAGE_EIO;
        got += (size_t)r;
    }
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
    return MIRAGE_OK;
}

static int open_tap(const char *name, const char *tap)
{
    /* Attach only to an existing interface: TUNSETIFF would otherwise create a
     * new one, down and unknown to the host's configuration. */
    if (if_nametoindex(tap) == 0) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: no network interface named '%s'", name, tap);
        return MIRAGE_ENOENT;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: cannot open /dev/net/tun: %s", name, strerror(errno));
        return MIRAGE_EIO;
    }
    struct ifreq ifr;
    ifreq_for(&ifr, tap);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: cannot attach to tap interface '%s': %s", name, tap,
                       strerror(errno));
        close(fd);
        return MIRAGE_EIO;
    }
    return fd;
}

int netif_connect(struct mirage_network *out, const char *name, const char *tap)
{
    if (out == NULL || name == NULL)
        return MIRAGE_EINVAL;
    const char *attached = mirage_unix_attached("net", name);
    if (attached != NULL)
        tap = attached;
    if (tap == NULL)
        tap = name;
    if (tap[0] == '\0' || strlen(tap) >= IFNAMSIZ || strchr(tap, '/') != NULL) {
        MIRAGE_LOG_ERR(LOG_SRC, "%s: '%s' is not a valid interface name", name, tap);
        return MIRAGE_EINVAL;
    }
    if (next_handle > LAST_HANDLE)
        return MIRAGE_ENOSPC;
    uint8_t mac[6];
    int rc = random_mac(mac);
    if (rc < 0)
        return rc;
    bool up;
    uint16_t mtu = interface_mtu(tap, &up);
    struct netif_unix *s = malloc(sizeof *s + (size_t)mtu + MIRAGE_ETHER_HEADER);
    if (s == NULL)
        return MIRAGE_ENOMEM;
    int fd = open_tap(name, tap);
    if (fd < 0) {
        free(s);
        return fd;
    }
    if (!up)
        MIRAGE_LOG_WARN(LOG_SRC, "%s: interface '%s' is down", name, tap);
    s->fd = fd;
    s->busy = false;
    s->size = (size_t)mtu + MIRAGE_ETHER_HEADER;
    memset(out, 0, sizeof *out);
    out->ops = &netif_unix_ops;
    out->name = name;
    memcpy(out->mac, mac, 6);
    out->mtu = mtu;
    out->handle = next_handle++;
    out->state = s;
    return MIRAGE_OK;
}
