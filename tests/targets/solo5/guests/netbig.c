/* Network frame sizes: sends frames of mtu + 14 bytes (the largest allowed)
 * and mtu + 15 through the bindings and prints each result, "big N rc R". */
#include <solo5_platform.h>

#include "support.h"

static uint8_t frame[65536];

int mirage_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned h;
    uint8_t mac[6];
    uint16_t mtu;
    if (mirage_solo5_net_info("net0", &h, mac, &mtu) != 0)
        return 3;
    for (size_t len = (size_t)mtu + 14; len <= (size_t)mtu + 15; len++)
        say("big %zu rc %d\n", len, mirage_solo5_net_write(h, frame, len));
    return 0;
}
