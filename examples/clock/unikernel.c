/* clock: prints the wall time, arms three timers (30, 10 and 20 ms) that fire in
 * deadline order while the unikernel sleeps 50 ms, prints the elapsed monotonic time,
 * then eight random bytes. */
#include <stdint.h>

#include <mirage/clock.h>
#include <mirage/console.h>
#include <mirage/log.h>
#include <mirage/loop.h>
#include <mirage/random.h>
#include <mirage/time.h>

#include "mirage_app.h"

#define MS 1000000ULL

struct alarm {
    struct mirage_timer timer;
    struct mirage_console *console;
    uint64_t start;
    unsigned ms;
};

static void ring(void *ctx)
{
    struct alarm *a = ctx;
    mirage_console_printf(a->console, "timer %u ms fired after %llu ms\n", a->ms,
                          (unsigned long long)((mirage_mclock_ns() - a->start) / MS));
}

/* "YYYY-MM-DDTHH:MM:SSZ" from seconds since the epoch (civil_from_days, H. Hinnant). */
static void print_utc(struct mirage_console *console, uint64_t secs)
{
    uint64_t days = secs / 86400 + 719468, era = days / 146097;
    unsigned doe = (unsigned)(days - era * 146097), sod = (unsigned)(secs % 86400);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    unsigned long long year = yoe + era * 400 + (month <= 2);
    mirage_console_printf(console, "wall clock: %04llu-%02u-%02uT%02u:%02u:%02uZ (%llu s since the epoch)\n",
                          year, month, day, sod / 3600, sod / 60 % 60, sod % 60, (unsigned long long)secs);
}

int unikernel_start(struct mirage_console *console, struct mirage_time *time, struct mirage_mclock *mclock,
                    struct mirage_pclock *pclock, struct mirage_random *random)
{
    (void)time, (void)mclock, (void)pclock, (void)random; /* ambient services: plain functions */
    print_utc(console, mirage_pclock_ns() / 1000000000ULL);

    static struct alarm alarms[3] = {{.ms = 30}, {.ms = 10}, {.ms = 20}};
    uint64_t start = mirage_mclock_ns();
    for (int i = 0; i < 3; i++) {
        alarms[i].console = console;
        alarms[i].start = start;
        mirage_timer_start(&alarms[i].timer, start + alarms[i].ms * MS, ring, &alarms[i]);
    }
    mirage_sleep_ns(50 * MS); /* the timers fire while the loop turns */
    mirage_console_printf(console, "slept 50 ms: %llu ms elapsed\n",
                          (unsigned long long)((mirage_mclock_ns() - start) / MS));

    uint8_t bytes[8];
    mirage_random_bytes(bytes, sizeof bytes);
    mirage_console_printf(console, "random (%s):", mirage_random_source());
    for (size_t i = 0; i < sizeof bytes; i++)
        mirage_console_printf(console, " %02x", bytes[i]);
    mirage_console_printf(console, "\n");
    MIRAGE_LOG_INFO("clock", "done");
    return 0;
}
