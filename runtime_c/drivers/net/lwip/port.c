/* lwIP's system layer under NO_SYS: its clock is our monotonic clock, its timeouts
 * run from one timer of our event loop, its assertions and diagnostics go to our
 * log, and its TCP initial sequence numbers come from our DRBG. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <lwip/init.h>
#include <lwip/memp.h>
#include <lwip/stats.h>
#include <lwip/ip_addr.h>
#include <lwip/sys.h>
#include <lwip/timeouts.h>

#include <mirage/log.h>
#include <mirage/lwip.h>
#include <mirage/loop.h>
#include <mirage/platform.h>
#include <mirage/random.h>

#include "lwip_if.h"
#include "mirage_lwip_hooks.h"

static struct mirage_timer timer;
static bool started;
static bool kicked; /* the timer is due at once: lwIP's timeouts are looked at this turn */

u32_t sys_now(void)
{
    return (u32_t)(mirage_platform_monotonic_ns() / 1000000u);
}

/* Runs what is due, then sets the timer for lwIP's next timeout (or none). A kick from
 * inside sys_check_timeouts is covered: the next timeout is read after it. */
static void on_timer(void *ctx)
{
    (void)ctx;
    sys_check_timeouts();
    kicked = false;
    u32_t ms = sys_timeouts_sleeptime();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        mirage_timer_cancel(&timer);
        return;
    }
    mirage_timer_start(&timer, mirage_platform_monotonic_ns() + (uint64_t)ms * 1000000u, on_timer, NULL);
}

/* Not the re-arming itself: that reads the clock twice, a system call each on spt, and a
 * kick comes with every frame. The timer is made due at once, so the loop re-arms it
 * after the frames of this turn (the loop runs expired timers after the ready devices),
 * once for all of them. */
void mirage_lwip_kick(void)
{
    if (kicked)
        return;
    kicked = true;
    mirage_timer_start(&timer, 0, on_timer, NULL);
}

void mirage_lwip_start(void)
{
    if (started)
        return;
    started = true;
    lwip_init();
    mirage_lwip_kick();
}

void mirage_lwip_assert(const char *msg, const char *file, int line)
{
    MIRAGE_LOG_ERR("lwip", "assertion failed: %s (%s:%d)", msg, file, line);
    abort();
}

void mirage_lwip_diag(const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    MIRAGE_LOG_DEBUG("lwip", "%s", line);
}

u32_t mirage_lwip_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port)
{
    (void)local_ip, (void)local_port, (void)remote_ip, (void)remote_port;
    return (u32_t)mirage_random_u64();
}

void mirage_lwip_addr_from(ip_addr_t *out, const struct mirage_ipaddr *a)
{
    if (a->version == 6) {
        IP_ADDR6(out, 0, 0, 0, 0);
        for (int i = 0; i < 4; i++)
            out->u_addr.ip6.addr[i] = PP_HTONL((u32_t)a->bytes[4 * i] << 24 | (u32_t)a->bytes[4 * i + 1] << 16 |
                                               (u32_t)a->bytes[4 * i + 2] << 8 | a->bytes[4 * i + 3]);
        ip6_addr_clear_zone(ip_2_ip6(out));
    } else {
        IP_ADDR4(out, a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]);
    }
}

void mirage_lwip_addr_to(struct mirage_ipaddr *out, const ip_addr_t *a)
{
    *out = (struct mirage_ipaddr){0};
    if (IP_IS_V6(a)) {
        out->version = 6;
        for (int i = 0; i < 4; i++) {
            u32_t w = PP_NTOHL(ip_2_ip6(a)->addr[i]);
            out->bytes[4 * i] = (uint8_t)(w >> 24);
            out->bytes[4 * i + 1] = (uint8_t)(w >> 16);
            out->bytes[4 * i + 2] = (uint8_t)(w >> 8);
            out->bytes[4 * i + 3] = (uint8_t)w;
        }
    } else {
        out->version = 4;
        u32_t w = PP_NTOHL(ip_2_ip4(a)->addr);
        out->bytes[0] = (uint8_t)(w >> 24);
        out->bytes[1] = (uint8_t)(w >> 16);
        out->bytes[2] = (uint8_t)(w >> 8);
        out->bytes[3] = (uint8_t)w;
    }
}

void mirage_lwip_stats(struct mirage_lwip_stats *out)
{
    *out = (struct mirage_lwip_stats){
        .heap_max = lwip_stats.mem.max,
        .heap_size = lwip_stats.mem.avail,
        .pool_max = lwip_stats.memp[MEMP_PBUF_POOL]->max,
        .pool_size = lwip_stats.memp[MEMP_PBUF_POOL]->avail,
        .segs_max = lwip_stats.memp[MEMP_TCP_SEG]->max,
        .segs_size = lwip_stats.memp[MEMP_TCP_SEG]->avail,
        .pcbs_max = lwip_stats.memp[MEMP_TCP_PCB]->max,
        .pcbs_size = lwip_stats.memp[MEMP_TCP_PCB]->avail,
    };
}
