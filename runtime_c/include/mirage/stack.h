/* The stack module types (stackv4, stackv6, stackv4v6): a whole TCP/IP stack on one
 * interface, giving its IP, UDP and TCP layers. The lwIP stack (direct_*) and the host
 * socket stack (socket_*, unix) implement the same layers, so the same C runs on both. */
#ifndef MIRAGE_STACK_H
#define MIRAGE_STACK_H

#include <stdbool.h>

#include <mirage/ip.h>
#include <mirage/tcp.h>
#include <mirage/udp.h>

struct mirage_stack {
    const char *name; /* the interface's name (network device, or "socket") */
    struct mirage_ip *ip;
    struct mirage_udp *udp;
    struct mirage_tcp *tcp;
};

/* The TCP or UDP layer of a stack as a device of its own (tcpv4v6_of_stackv4v6). */
int stack_tcp_connect(struct mirage_tcp *out, struct mirage_stack *stack);
int stack_udp_connect(struct mirage_udp *out, struct mirage_stack *stack);

/* The host's sockets as a stack (socket_stackv4v6, unix only): IPv4 when v4, IPv6
 * when v6. Sockets are non-blocking and driven by the event loop. */
int socket_stack_connect(struct mirage_stack *out, bool v4, bool v6);

#endif
