/* A fake platform for host tests of the target-independent runtime: console
 * output is captured in memory, the monotonic clock only moves when the loop
 * yields (straight to the requested deadline), and device readiness is scripted. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/loop.h>
#include <mirage/platform.h>

static char *out;
static size_t out_len, out_cap, out_writes, out_max_write;

void mirage_platform_console_write(const char *buf, size_t len)
{
    if (out_len + len + 1 > out_cap) {
        size_t cap = out_cap ? out_cap : 1024;
        while (cap < out_len + len + 1)
            cap *= 2;
        out = realloc(out, cap);
        if (out == NULL)
            abort();
        out_cap = cap;
    }
    memcpy(out + out_len, buf, len);
    out_len += len;
    out[out_len] = '\0';
    out_writes++;
    if (len > out_max_write)
        out_max_write = len;
}

const char *fake_console_data(void) { return out ? out : ""; }
size_t fake_console_len(void) { return out_len; }
size_t fake_console_writes(void) { return out_writes; }
size_t fake_console_max_write(void) { return out_max_write; }

static uint64_t now_ns;
static uint64_t wall_ns;

uint64_t mirage_platform_monotonic_ns(void) { return now_ns; }
uint64_t mirage_platform_wall_ns(void) { return wall_ns; }
void fake_set_time(uint64_t ns) { now_ns = ns; }
void fake_set_wall(uint64_t ns) { wall_ns = ns; }

#define MAX_EVENTS 256
#define MAX_YIELDS 100000
static struct { uint64_t at, mask; } events[MAX_EVENTS];
static size_t nevents;
static uint64_t deadlines[64];
static size_t nyields;
static bool stuck;

/* Handles in mask become ready when the clock reaches at_ns. Returns 0 or -1. */
int fake_schedule_ready(uint64_t at_ns, uint64_t mask)
{
    if (nevents == MAX_EVENTS)
        return -1;
    size_t i = nevents++;
    while (i > 0 && events[i - 1].at > at_ns) {
        events[i] = events[i - 1];
        i--;
    }
    events[i].at = at_ns;
    events[i].mask = mask;
    return 0;
}

size_t fake_yields(void) { return nyields; }
/* The deadline passed to yield number i (the first 64 only). */
uint64_t fake_deadline(size_t i) { return i < 64 ? deadlines[i] : 0; }
/* Whether the loop asked to wait forever with nothing scripted (a real platform
 * would hang): the fake ends the loop with status 99 instead. */
bool fake_stuck(void) { return stuck; }

uint64_t mirage_platform_yield(uint64_t deadline_ns)
{
    if (nyields < 64)
        deadlines[nyields] = deadline_ns;
    if (++nyields > MAX_YIELDS) {
        stuck = true;
        mirage_exit(99);
        return 0;
    }
    if (nevents > 0 && events[0].at <= deadline_ns) {
        uint64_t mask = events[0].mask;
        if (events[0].at > now_ns)
            now_ns = events[0].at;
        memmove(&events[0], &events[1], --nevents * sizeof events[0]);
        return mask;
    }
    if (deadline_ns == UINT64_MAX) {
        stuck = true;
        mirage_exit(99);
        return 0;
    }
    if (deadline_ns > now_ns)
        now_ns = deadline_ns;
    return 0;
}

_Noreturn void mirage_platform_exit(int status)
{
    (void)status;
    abort(); /* the runtime core never calls it */
}

_Noreturn void mirage_platform_abort(void)
{
    abort();
}

void fake_reset(void)
{
    out_len = out_writes = out_max_write = 0;
    if (out)
        out[0] = '\0';
    now_ns = 0;
    wall_ns = 0;
    nevents = 0;
    nyields = 0;
    stuck = false;
}
