/* Network device: prints its MAC and MTU, checks that reading with nothing
 * waiting says EAGAIN, then says "ready", waits (yield) for one frame and
 * sends it back with the first byte changed to 'E'. */
#include <solo5_platform.h>

#include "support.h"

static uint8_t frame[9000];

int mirage_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned h;
    uint8_t mac[6];
    uint16_t mtu;
    if (mirage_solo5_net_info("net0", &h, mac, &mtu) != 0) {
        put("no net0\n");
        return 3;
    }
    put("net0 handle=");
    put_u64(h);
    put(" mtu=");
    put_u64(mtu);
    put(" mac=");
    for (int i = 0; i < 6; i++) {
        char hex[4] = {"0123456789abcdef"[mac[i] >> 4], "0123456789abcdef"[mac[i] & 15],
                       i < 5 ? ':' : '\n', 0};
        put(hex);
    }
    size_t n = 0;
    if (mirage_solo5_net_read(h, frame, sizeof frame, &n) == MIRAGE_EAGAIN)
        put("empty read: eagain\n");
    put("ready\n");

    uint64_t deadline = mirage_platform_monotonic_ns() + 10ULL * 1000000000ULL;
    while (mirage_platform_monotonic_ns() < deadline) {
        uint64_t ready = mirage_platform_yield(deadline);
        if (!(ready & (1ULL << h)))
            continue;
        int rc = mirage_solo5_net_read(h, frame, sizeof frame, &n);
        if (rc == MIRAGE_EAGAIN)
            continue;
        if (rc != 0) {
            put("read failed\n");
            return 4;
        }
        put("got ");
        put_u64(n);
        put(" bytes\n");
        frame[0] = 'E';
        if (mirage_solo5_net_write(h, frame, n) != 0) {
            put("write failed\n");
            return 5;
        }
        put("echoed\n");
        return 0;
    }
    put("timeout\n");
    return 6;
}
