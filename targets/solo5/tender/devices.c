#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "devices.h"
#include "mft.h"
#include "util.h"

#define DEFAULT_BLOCK_SIZE 512
#define DEFAULT_MTU 1500

static int is_block(uint32_t type)
{
    return type == SOLO5_MFT_BLOCK_BASIC;
}

/* With `sync` (--block-sync), O_DSYNC: each pwrite, the guest's own on spt, returns only
 * once durable, and the manifest entry says so. The exclusive flock stops a second
 * tender or unikernel from writing the same file under us. */
static void attach_block(struct solo5_mft_entry *e, const struct tender_opt *o,
                         const struct tender_opt *sector, const struct tender_opt *sync)
{
    const char *path = o->value;
    uint16_t bs = sector ? sector->sector_size : DEFAULT_BLOCK_SIZE;
    int fd = open(path, O_RDWR | O_CLOEXEC | (sync ? O_DSYNC : 0));
    if (fd < 0)
        tender_die_errno("block device '%s': cannot open %s read-write", e->name, path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            tender_die("block device '%s': %s is in use by another process (locked)", e->name, path);
        tender_die_errno("block device '%s': cannot lock %s", e->name, path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        tender_die_errno("block device '%s': cannot stat %s", e->name, path);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        tender_die("block device '%s': %s is neither a file nor a block device", e->name, path);
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0)
        tender_die_errno("block device '%s': cannot find the size of %s", e->name, path);
    if (size < bs)
        tender_die("block device '%s': %s holds %lld bytes, less than one %u-byte block",
                   e->name, path, (long long)size, bs);
    if (size % bs != 0)
        tender_die("block device '%s': the size of %s (%lld bytes) is not a multiple of "
                   "the block size (%u bytes)", e->name, path, (long long)size, bs);
    e->u.block.capacity = (uint64_t)size;
    e->u.block.block_size = bs;
    e->b.data = 0;
    e->b.hostfd = fd;
    e->attached = 1;
    if (sync)
        e->reserved[0] |= SOLO5_MFT_MIRAGE_SYNCED;
}

/* ifr cleared and naming `ifname` (shorter than IFNAMSIZ, checked by callers
 * or by the kernel that reported it). */
static void ifreq_for(struct ifreq *ifr, const char *ifname)
{
    memset(ifr, 0, sizeof *ifr);
    size_t n = strnlen(ifname, IFNAMSIZ - 1);
    memcpy(ifr->ifr_name, ifname, n);
}

/* MTU of the interface `ifname`, or -1. */
static int interface_mtu(int sock, const char *ifname)
{
    struct ifreq ifr;
    ifreq_for(&ifr, ifname);
    if (ioctl(sock, SIOCGIFMTU, &ifr) < 0)
        return -1;
    return ifr.ifr_mtu;
}

/* Turn off GRO/GSO on a tap: without a virtio-net header the guest could be
 * handed aggregated frames larger than its MTU. Best effort. */
static void disable_offloads(int sock, const char *ifname)
{
    const uint32_t cmds[] = {ETHTOOL_SGRO, ETHTOOL_SGSO};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        struct ethtool_value ev = {.cmd = cmds[i], .data = 0};
        struct ifreq ifr;
        ifreq_for(&ifr, ifname);
        ifr.ifr_data = (void *)&ev;
        (void)ioctl(sock, SIOCETHTOOL, &ifr);
    }
}

static int open_tap(const char *dev, const char *ifname, int sock, int *mtu)
{
    if (strlen(ifname) >= IFNAMSIZ || strchr(ifname, '%') || strchr(ifname, '/'))
        tender_die("network device '%s': '%s' is not a valid interface name", dev, ifname);
    /* Attach only to an existing interface: TUNSETIFF would otherwise create one. */
    if (if_nametoindex(ifname) == 0)
        tender_die("network device '%s': no interface named '%s'", dev, ifname);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        tender_die_errno("network device '%s': cannot open /dev/net/tun", dev);
    struct ifreq ifr;
    ifreq_for(&ifr, ifname);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        tender_die_errno("network device '%s': cannot attach to tap interface '%s'", dev,
                         ifname);
    if (strncmp(ifr.ifr_name, ifname, IFNAMSIZ) != 0)
        tender_die("network device '%s': attached to '%s' instead of '%s'", dev,
                   ifr.ifr_name, ifname);
    ifreq_for(&ifr, ifname);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
        tender_die_errno("network device '%s': cannot read the flags of '%s'", dev, ifname);
    if (!(ifr.ifr_flags & IFF_UP))
        tender_die("network device '%s': interface '%s' is down", dev, ifname);
    *mtu = interface_mtu(sock, ifname);
    if (*mtu < 0)
        tender_die_errno("network device '%s': cannot read the MTU of '%s'", dev, ifname);
    disable_offloads(sock, ifname);
    return fd;
}

static int use_fd(const char *dev, const char *text, int sock, int *mtu)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno != 0 || v > INT_MAX)
        tender_die("network device '%s': '@%s' is not a descriptor number", dev, text);
    int fd = (int)v;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        tender_die_errno("network device '%s': descriptor %d", dev, fd);
    if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        tender_die_errno("network device '%s': cannot make descriptor %d non-blocking", dev, fd);
    /* A tap descriptor knows its interface, and so its MTU; anything else
     * (a socket in tests, say) gets the Ethernet default. */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    *mtu = -1;
    if (ioctl(fd, TUNGETIFF, &ifr) == 0)
        *mtu = interface_mtu(sock, ifr.ifr_name);
    if (*mtu < 0)
        *mtu = DEFAULT_MTU;
    return fd;
}

static void random_mac(uint8_t mac[6])
{
    size_t got = 0;
    while (got < 6) {
        ssize_t n = getrandom(mac + got, 6 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            tender_die_errno("cannot generate a MAC address");
        got += (size_t)n;
    }
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
}

static void attach_net(struct solo5_mft_entry *e, const struct tender_opt *o,
                       const struct tender_opt *mac, int *sock)
{
    if (*sock < 0) {
        *sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (*sock < 0)
            tender_die_errno("cannot create a socket to query interfaces");
    }
    int mtu, fd;
    if (o->value[0] == '@')
        fd = use_fd(e->name, o->value + 1, *sock, &mtu);
    else
        fd = open_tap(e->name, o->value, *sock, &mtu);
    if (mtu <= 0 || mtu > UINT16_MAX)
        tender_die("network device '%s': unusable MTU %d", e->name, mtu);
    if (mac)
        memcpy(e->u.net.mac, mac->mac, 6);
    else
        random_mac(e->u.net.mac);
    e->u.net.mtu = (uint16_t)mtu;
    e->b.data = 0;
    e->b.hostfd = fd;
    e->attached = 1;
}

void devices_attach(struct solo5_mft *mft, const struct tender_args *args)
{
    /* 1. Every option names a declared device of its own kind. */
    for (unsigned i = 0; i < args->nopts; i++) {
        const struct tender_opt *o = &args->opts[i];
        int wants_block = o->kind == TENDER_OPT_BLOCK || o->kind == TENDER_OPT_BLOCK_SECTOR_SIZE ||
                          o->kind == TENDER_OPT_BLOCK_SYNC;
        struct solo5_mft_entry *e = mft_find(mft, o->name, NULL);
        if (e == NULL)
            tender_die("%s: the unikernel declares no device named '%s'", o->arg, o->name);
        if (is_block(e->type) != wants_block)
            tender_die("%s: '%s' is a %s device, not a %s device", o->arg, o->name,
                       is_block(e->type) ? "block" : "network", wants_block ? "block" : "network");
    }

    /* 2. Every declared device is given. */
    unsigned missing = 0;
    for (unsigned i = 1; i < mft->entries; i++) {
        const struct solo5_mft_entry *e = &mft->e[i];
        int block = is_block(e->type);
        if (tender_args_find(args, block ? TENDER_OPT_BLOCK : TENDER_OPT_NET, e->name))
            continue;
        tender_warn("%s device '%s' is declared by the unikernel but not attached: give %s:%s=%s",
                    block ? "block" : "network", e->name, block ? "--block" : "--net", e->name,
                    block ? "PATH" : "TAP");
        missing++;
    }
    if (missing)
        tender_die("every device declared by the unikernel must be attached (see --help)");

    /* 3. Attach them. */
    int sock = -1;
    for (unsigned i = 1; i < mft->entries; i++) {
        struct solo5_mft_entry *e = &mft->e[i];
        if (is_block(e->type))
            attach_block(e, tender_args_find(args, TENDER_OPT_BLOCK, e->name),
                         tender_args_find(args, TENDER_OPT_BLOCK_SECTOR_SIZE, e->name),
                         tender_args_find(args, TENDER_OPT_BLOCK_SYNC, e->name));
        else
            attach_net(e, tender_args_find(args, TENDER_OPT_NET, e->name),
                       tender_args_find(args, TENDER_OPT_NET_MAC, e->name), &sock);
    }
    if (sock >= 0)
        close(sock);
}
