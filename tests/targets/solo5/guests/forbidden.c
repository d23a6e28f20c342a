/* Makes one system call the spt sandbox must refuse (the tender should die by
 * SIGSYS), chosen by argv[1]; "allowed-*" make permitted ones instead. */
#include <solo5_platform.h>

#include "../../../targets/spt/bindings/bindings.h"
#include "../../../targets/spt/bindings/sys.h"
#include "support.h"

static uint8_t block[65536];

/* net0's host descriptor and MTU (-1 and 0 without one). */
static int net0(unsigned *mtu)
{
    unsigned h;
    uint8_t mac[6];
    uint16_t m;
    if (mirage_solo5_net_info("net0", &h, mac, &m) != 0)
        return *mtu = 0, -1;
    *mtu = m;
    return (int)spt_mft()->e[h].b.hostfd;
}

int mirage_main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *what = argv[1];
    unsigned h;
    uint64_t cap = 0;
    uint16_t bs = 0;
    int fd = -1;
    unsigned mtu;
    int nfd = net0(&mtu);
    if (mirage_solo5_block_info("disk", &h, &cap, &bs) == 0)
        fd = spt_mft()->e[h].b.hostfd;
    put("trying ");
    put(what);
    put("\n");
    long r = 0;
    if (str_eq(what, "getpid"))
        r = sys_call3(39, 0, 0, 0);
    else if (str_eq(what, "stderr"))
        r = sys_write(2, "x\n", 2);
    else if (str_eq(what, "cputime")) {
        struct sys_timespec ts;
        r = sys_clock_gettime(2 /* CLOCK_PROCESS_CPUTIME_ID */, &ts);
    } else if (str_eq(what, "pread-past-end"))
        r = sys_pread64(fd, block, bs, cap);
    else if (str_eq(what, "pread-short"))
        r = sys_pread64(fd, block, bs / 2u, 0);
    else if (str_eq(what, "pwrite-past-end"))
        r = sys_pwrite64(fd, block, bs, cap);
    else if (str_eq(what, "read-disk"))
        r = sys_read(fd, block, bs);
    else if (str_eq(what, "pread-unaligned"))
        r = sys_pread64(fd, block, bs, bs / 2u);
    else if (str_eq(what, "pwrite-unaligned"))
        r = sys_pwrite64(fd, block, bs, 1);
    else if (str_eq(what, "net-write-big"))
        r = sys_write(nfd, block, mtu + 15u);
    else if (str_eq(what, "allowed-pread"))
        r = sys_pread64(fd, block, bs, cap - bs);
    else if (str_eq(what, "allowed-every-block")) {
        for (uint64_t off = 0; off < cap && r >= 0; off += bs)
            r = sys_pread64(fd, block, bs, off);
    } else if (str_eq(what, "allowed-net-write"))
        r = sys_write(nfd, block, mtu + 14u);
    else
        return 2;
    put("survived, result ");
    put_u64((uint64_t)r);
    put("\n");
    return 0;
}
