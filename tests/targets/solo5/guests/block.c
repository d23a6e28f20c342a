/* Block device round trip: reads block 0 (prepared by the test), writes a
 * pattern to the last block and reads it back, checks that malformed
 * requests are refused by the bindings without reaching the host, and, given
 * `stamp`, writes "virtio wrote block 1" into block 1 for the host to find in
 * the disk image. Given `mixed` (with the MIXED manifest) it only reports
 * which disk is which. */
#include <string.h>

#include <solo5_platform.h>

#include "support.h"

#define MAX_BLOCK 32768
static uint8_t out[2 * MAX_BLOCK], in[2 * MAX_BLOCK]; /* room for the too-long request */

static int check(const char *what, int got, int want)
{
    say("%s %s\n", what, got == want ? "ok" : "FAILED");
    return got == want ? 0 : 1;
}

static int show(const char *name)
{
    unsigned h;
    uint64_t cap;
    uint16_t bs;
    if (mirage_solo5_block_info(name, &h, &cap, &bs) != 0) {
        say("no %s\n", name);
        return 1;
    }
    if (mirage_solo5_block_read(h, 0, in, bs) != 0)
        return 1;
    say("%s handle=%u capacity=%llu block0=<%.16s>\n", name, h, (unsigned long long)cap,
        (const char *)in);
    return 0;
}

int mirage_main(int argc, char **argv)
{
    if (argc > 1 && str_eq(argv[1], "mixed")) {
        int fails = show("first") + show("second");
        unsigned h;
        uint8_t mac[6];
        uint16_t mtu;
        if (mirage_solo5_net_info("net0", &h, mac, &mtu) == 0)
            say("net0 handle=%u mtu=%u\n", h, mtu);
        return fails;
    }

    unsigned h;
    uint64_t cap;
    uint16_t bs;
    int fails = 0;
    if (mirage_solo5_block_info("disk", &h, &cap, &bs) != 0) {
        say("no disk\n");
        return 3;
    }
    say("disk handle=%u capacity=%llu block_size=%u\n", h, (unsigned long long)cap, bs);
    if (bs > MAX_BLOCK) {
        say("block size too large for this guest\n");
        return 3;
    }

    fails += check("read block 0", mirage_solo5_block_read(h, 0, in, bs), 0);
    say("block 0 starts with <%.16s>\n", (const char *)in);

    uint64_t last = cap - bs;
    for (unsigned i = 0; i < bs; i++)
        out[i] = (uint8_t)(i * 7 + 3);
    fails += check("write last block", mirage_solo5_block_write(h, last, out, bs), 0);
    memset(in, 0, sizeof in);
    fails += check("read last block", mirage_solo5_block_read(h, last, in, bs), 0);
    fails += check("round trip", memcmp(in, out, bs) == 0, 1);

    if (argc > 1 && str_eq(argv[1], "stamp")) {
        memset(out, 0, bs);
        strcpy((char *)out, "virtio wrote block 1");
        fails += check("stamp block 1", mirage_solo5_block_write(h, bs, out, bs), 0);
    }

    fails += check("short read", mirage_solo5_block_read(h, 0, in, bs - 1u), MIRAGE_EINVAL);
    fails += check("long read", mirage_solo5_block_read(h, 0, in, 2u * bs), MIRAGE_EINVAL);
    fails += check("unaligned read", mirage_solo5_block_read(h, 1, in, bs), MIRAGE_EINVAL);
    fails += check("read past end", mirage_solo5_block_read(h, cap, in, bs), MIRAGE_EINVAL);
    fails += check("write past end", mirage_solo5_block_write(h, cap, out, bs), MIRAGE_EINVAL);
    fails += check("bad handle", mirage_solo5_block_read(0, 0, in, bs), MIRAGE_EINVAL);
    fails += check("unknown handle", mirage_solo5_block_read(99, 0, in, bs), MIRAGE_EINVAL);
    fails += check("unknown name", mirage_solo5_block_info("nosuch", &h, &cap, &bs), MIRAGE_ENOENT);
    uint8_t mac[6];
    uint16_t mtu;
    fails += check("block is not a net", mirage_solo5_net_info("disk", &h, mac, &mtu), MIRAGE_ENOENT);
    say(fails ? "block FAILED\n" : "block all ok\n");
    return fails ? 1 : 0;
}
