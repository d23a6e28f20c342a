/* The event loop: single-threaded, no interrupts. Timers and device readiness
 * callbacks run only while the loop turns (mirage_run, mirage_sleep_ns). */
#ifndef MIRAGE_LOOP_H
#define MIRAGE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*mirage_callback)(void *ctx);

/* A timer is owned by the caller (no allocation); it must stay alive while armed. */
struct mirage_timer {
    uint64_t deadline_ns; /* absolute, monotonic clock */
    mirage_callback fn;
    void *ctx;
    struct mirage_timer *next;
    bool armed;
};

/* Arm t to call fn(ctx) once the monotonic clock reaches deadline_ns.
 * Re-arming an armed timer moves it. */
void mirage_timer_start(struct mirage_timer *t, uint64_t deadline_ns, mirage_callback fn, void *ctx);
void mirage_timer_cancel(struct mirage_timer *t);

/* Call fn(ctx) whenever device handle (0..63) is reported ready by the platform.
 * A watched handle keeps the loop alive. fn == NULL removes the watch. */
void mirage_loop_watch(unsigned handle, mirage_callback fn, void *ctx);

/* Keep the loop alive without a timer or watch (e.g. a job waiting on a callback);
 * every mirage_loop_hold must be matched by a mirage_loop_release. */
void mirage_loop_hold(void);
void mirage_loop_release(void);

/* Turn the loop until the monotonic clock passes now + ns (other timers and
 * watches keep running meanwhile). Returns early once mirage_exit was requested. */
void mirage_sleep_ns(uint64_t ns);

/* Turn the loop until nothing is pending (no armed timer, watch or hold) or
 * mirage_exit was requested; returns the exit status (0 by default). */
int mirage_run(void);

/* Ask the loop to stop with this status; mirage_run returns it (and forgets the
 * request). No callback runs once it is requested; the first status wins. */
void mirage_exit(int status);

#endif
