/* The lwIP stack: its IP, UDP and TCP layers on one interface, as one device. */
#include <mirage/errors.h>
#include <mirage/stack.h>

#include "lwip_if.h"

int lwip_stack_connect(struct mirage_stack *out, struct mirage_ip *ip, struct mirage_udp *udp, struct mirage_tcp *tcp)
{
    struct lwip_if *s = mirage_lwip_if_of(ip);
    if (out == NULL || s == NULL || udp == NULL || tcp == NULL)
        return MIRAGE_EINVAL;
    *out = (struct mirage_stack){.name = s->name, .ip = ip, .udp = udp, .tcp = tcp};
    return 0;
}
