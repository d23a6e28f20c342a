/* Block device round trip: reads block 0 (prepared by the test), writes a
 * pattern to the last block and reads it back, and checks that malformed
 * requests are refused by the bindings without reaching the host. */
#include <mirage/solo5.h>

#include "support.h"

static uint8_t out[32768], in[32768];

static int check(const char *what, int got, int want)
{
    put(what);
    put(got == want ? " ok\n" : " FAILED\n");
    return got == want ? 0 : 1;
}

int mirage_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned h;
    uint64_t cap;
    uint16_t bs;
    int fails = 0;
    if (mirage_solo5_block_info("disk", &h, &cap, &bs) != 0) {
        put("no disk\n");
        return 3;
    }
    put("disk handle=");
    put_u64(h);
    put(" capacity=");
    put_u64(cap);
    put(" block_size=");
    put_u64(bs);
    put("\n");

    fails += check("read block 0", mirage_solo5_block_read(h, 0, in, bs), 0);
    put("block 0 starts with <");
    mirage_platform_console_write((const char *)in, 16);
    put(">\n");

    uint64_t last = cap - bs;
    for (unsigned i = 0; i < bs; i++)
        out[i] = (uint8_t)(i * 7 + 3);
    fails += check("write last block", mirage_solo5_block_write(h, last, out, bs), 0);
    fails += check("read last block", mirage_solo5_block_read(h, last, in, bs), 0);
    int same = 1;
    for (unsigned i = 0; i < bs; i++)
        same &= in[i] == out[i];
    fails += check("round trip", same, 1);

    fails += check("short read", mirage_solo5_block_read(h, 0, in, bs - 1u), MIRAGE_EINVAL);
    fails += check("unaligned read", mirage_solo5_block_read(h, 1, in, bs), MIRAGE_EINVAL);
    fails += check("read past end", mirage_solo5_block_read(h, cap, in, bs), MIRAGE_EINVAL);
    fails += check("write past end", mirage_solo5_block_write(h, cap, out, bs), MIRAGE_EINVAL);
    fails += check("bad handle", mirage_solo5_block_read(0, 0, in, bs), MIRAGE_EINVAL);
    fails += check("unknown handle", mirage_solo5_block_read(99, 0, in, bs), MIRAGE_EINVAL);
    fails += check("unknown name", mirage_solo5_block_info("nosuch", &h, &cap, &bs), MIRAGE_ENOENT);
    uint8_t mac[6];
    uint16_t mtu;
    fails += check("block is not a net", mirage_solo5_net_info("disk", &h, mac, &mtu), MIRAGE_ENOENT);
    put(fails ? "block FAILED\n" : "block all ok\n");
    return fails ? 1 : 0;
}
