/* The IP module types (ipv4, ipv6, ipv4v6): the addresses of one interface and the
 * address type every layer above shares. Sending raw IP packets is the stack's
 * business; what users see of this layer is which addresses it holds. */
#ifndef MIRAGE_IP_H
#define MIRAGE_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; a v4 address keeps its 4 bytes first, the rest zero. */
struct mirage_ipaddr {
    uint8_t version; /* 4 or 6 */
    uint8_t bytes[16];
};

/* Longest text mirage_ipaddr_format writes, with its NUL ("ffff:...:255.255.255.255"). */
#define MIRAGE_IPADDR_STRLEN 46

/* Parse "10.0.0.2" or "fd00::2" (no zone, no prefix): 0 or MIRAGE_EINVAL. */
int mirage_ipaddr_parse(const char *text, struct mirage_ipaddr *out);
/* Write the usual text form (RFC 5952 for IPv6) into buf; returns its length. */
size_t mirage_ipaddr_format(const struct mirage_ipaddr *a, char buf[MIRAGE_IPADDR_STRLEN]);
bool mirage_ipaddr_equal(const struct mirage_ipaddr *a, const struct mirage_ipaddr *b);

struct mirage_ip;

/* One configured address of an interface. */
struct mirage_ip_address {
    struct mirage_ipaddr addr;
    uint8_t prefix_len;
    bool preferred; /* IPv6: duplicate address detection done; IPv4: always true */
};

struct mirage_ip_ops {
    /* Fill up to max addresses; returns how many the interface holds (may be > max). */
    size_t (*addresses)(struct mirage_ip *ip, struct mirage_ip_address *out, size_t max);
};

struct mirage_ip {
    const struct mirage_ip_ops *ops;
    const char *name; /* the interface's (network device's) name */
    bool v4, v6;      /* which families this layer carries */
    void *state;      /* the implementation's */
};

/* The addresses the interface holds now (DHCP and router advertisements change them):
 * v4 first, then v6. Returns how many there are; at most max are written. */
size_t mirage_ip_addresses(struct mirage_ip *ip, struct mirage_ip_address *out, size_t max);

#endif
