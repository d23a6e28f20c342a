/* The event loop. Each turn asks the platform to wait until the earliest timer
 * (or a sleeper's wake-up time), then runs the callbacks of the handles it
 * reports ready, then the timers that have expired. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirage/loop.h>
#include <mirage/platform.h>

#define NHANDLES 64

/* Armed timers sorted by deadline; equal deadlines fire in arming order. */
static struct mirage_timer *timers;
/* Expired timers of the current turn. They are detached from `timers` before any
 * runs, so a callback re-arming its timer for "now" waits for the next turn
 * instead of starving the platform. Still armed: cancel must find them. */
static struct mirage_timer *due;

static struct {
    mirage_callback fn;
    void *ctx;
} watches[NHANDLES];
static uint64_t watched; /* bit i: watches[i] is set */
static unsigned holds;
static bool exiting;
static int exit_status;

static bool unlink_from(struct mirage_timer **list, struct mirage_timer *t)
{
    for (struct mirage_timer **p = list; *p != NULL; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            t->next = NULL;
            return true;
        }
    }
    return false;
}

static void timer_unlink(struct mirage_timer *t)
{
    if (t->armed && !unlink_from(&timers, t))
        unlink_from(&due, t);
    t->armed = false;
}

void mirage_timer_start(struct mirage_timer *t, uint64_t deadline_ns, mirage_callback fn, void *ctx)
{
    timer_unlink(t);
    t->deadline_ns = deadline_ns;
    t->fn = fn;
    t->ctx = ctx;
    t->armed = true;
    struct mirage_timer **p = &timers;
    while (*p != NULL && (*p)->deadline_ns <= deadline_ns)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
}

void mirage_timer_cancel(struct mirage_timer *t)
{
    timer_unlink(t);
}

void mirage_loop_watch(unsigned handle, mirage_callback fn, void *ctx)
{
    if (handle >= NHANDLES)
        return; /* no such handle: nothing could ever report it */
    watches[handle].fn = fn;
    watches[handle].ctx = ctx;
    if (fn != NULL)
        watched |= UINT64_C(1) << handle;
    else
        watched &= ~(UINT64_C(1) << handle);
}

void mirage_loop_hold(void)
{
    holds++;
}

void mirage_loop_release(void)
{
    if (holds > 0) /* an unmatched release must not wrap into "held forever" */
        holds--;
}

static bool pending(void)
{
    return timers != NULL || due != NULL || watched != 0 || holds > 0;
}

/* One turn, waiting no later than limit_ns. */
static void turn(uint64_t limit_ns)
{
    uint64_t deadline = limit_ns;
    if (due != NULL)
        deadline = 0;
    else if (timers != NULL && timers->deadline_ns < deadline)
        deadline = timers->deadline_ns;

    uint64_t ready = mirage_platform_yield(deadline) & watched;
    for (unsigned h = 0; ready != 0 && !exiting; h++, ready >>= 1) {
        /* Re-check: an earlier callback of this turn may have removed the watch. */
        if ((ready & 1) && (watched & (UINT64_C(1) << h)))
            watches[h].fn(watches[h].ctx);
    }

    uint64_t now = mirage_platform_monotonic_ns();
    struct mirage_timer *first = timers, *last = NULL;
    while (timers != NULL && timers->deadline_ns <= now) {
        last = timers;
        timers = timers->next;
    }
    if (last != NULL) {
        last->next = NULL;
        struct mirage_timer **tail = &due; /* not empty only in a nested turn */
        while (*tail != NULL)
            tail = &(*tail)->next;
        *tail = first;
    }
    while (due != NULL && !exiting) {
        struct mirage_timer *t = due;
        due = t->next;
        t->next = NULL;
        t->armed = false;
        t->fn(t->ctx);
    }
}

void mirage_sleep_ns(uint64_t ns)
{
    uint64_t now = mirage_platform_monotonic_ns();
    uint64_t until = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
    while (!exiting && mirage_platform_monotonic_ns() < until)
        turn(until);
}

int mirage_run(void)
{
    while (!exiting && pending())
        turn(UINT64_MAX);
    int status = exiting ? exit_status : 0;
    /* The request is consumed, so a later mirage_run starts afresh. */
    exiting = false;
    exit_status = 0;
    return status;
}

void mirage_exit(int status)
{
    if (!exiting) { /* the first reason to stop wins */
        exiting = true;
        exit_status = status;
    }
}
