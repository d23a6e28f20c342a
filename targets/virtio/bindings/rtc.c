/* The wall clock: the CMOS real-time clock (MC146818, ports 0x70/0x71) is
 * read once at boot; afterwards wall time is that reading plus the monotonic
 * time elapsed since. The RTC counts whole seconds and we read it at an
 * unknown point inside a second, so the wall clock is within 1 s of the
 * host's (QEMU's RTC runs in UTC by default) and drifts like the TSC rate
 * estimate (clock.c). */
#include "bindings.h"
#include "io.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define RTC_SEC 0x00
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0A
#define RTC_STATUS_B 0x0B
#define RTC_CENTURY 0x32 /* where QEMU (and most PCs) keep it */
#define A_UPDATE_IN_PROGRESS 0x80
#define B_24H 0x02
#define B_BINARY 0x04
#define HOUR_PM 0x80

struct rtc_time {
    uint8_t sec, min, hour, day, month, year, century;
};

static uint8_t cmos(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
    for (unsigned spins = 0; (cmos(RTC_STATUS_A) & A_UPDATE_IN_PROGRESS) && spins < 1000000; spins++)
        cpu_relax();
    t->sec = cmos(RTC_SEC);
    t->min = cmos(RTC_MIN);
    t->hour = cmos(RTC_HOUR);
    t->day = cmos(RTC_DAY);
    t->month = cmos(RTC_MONTH);
    t->year = cmos(RTC_YEAR);
    t->century = cmos(RTC_CENTURY);
}

static int same(const struct rtc_time *a, const struct rtc_time *b)
{
    return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
           a->month == b->month && a->year == b->year && a->century == b->century;
}

static unsigned bcd(uint8_t v)
{
    return (v >> 4) * 10u + (v & 15u);
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian calendar). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* months from March */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

uint64_t rtc_read_epoch(void)
{
    /* Read until two readings agree, so no update happened in between. */
    struct rtc_time a, b;
    read_raw(&a);
    for (int tries = 0; tries < 10; tries++) {
        read_raw(&b);
        if (same(&a, &b))
            break;
        a = b;
    }
    uint8_t status_b = cmos(RTC_STATUS_B);
    int pm = !(status_b & B_24H) && (a.hour & HOUR_PM);
    a.hour &= (uint8_t)~HOUR_PM;
    unsigned sec = a.sec, min = a.min, hour = a.hour, day = a.day, month = a.month;
    unsigned year = a.year, century = a.century;
    if (!(status_b & B_BINARY)) {
        sec = bcd(a.sec), min = bcd(a.min), hour = bcd(a.hour);
        day = bcd(a.day), month = bcd(a.month), year = bcd(a.year), century = bcd(a.century);
    }
    if (!(status_b & B_24H))
        hour = hour % 12 + (pm ? 12 : 0);
    unsigned full_year = century >= 19 && century <= 30 ? century * 100 + year
                                                        : (year < 70 ? 2000 + year : 1900 + year);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return 0;
    int64_t days = days_from_civil(full_year, month, day);
    return (uint64_t)(days * 86400 + hour * 3600 + min * 60 + sec);
}

static uint64_t wall_base_ns, mono_base_ns;

void wallclock_init(void)
{
    uint64_t secs = rtc_read_epoch();
    mono_base_ns = clock_monotonic_ns();
    wall_base_ns = secs * 1000000000ULL;
}

uint64_t wallclock_ns(void)
{
    return wall_base_ns + (clock_monotonic_ns() - mono_base_ns);
}
