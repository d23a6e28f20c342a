/* Logging with levels. Output goes to the platform console, one line per message:
 * "[STAMP ]LEVEL [source] message", the stamp chosen by the reporter (none until a
 * reporter sets one). A global threshold, and per-source thresholds over it. */
#ifndef MIRAGE_LOG_H
#define MIRAGE_LOG_H

#include <stddef.h>

enum mirage_log_level {
    MIRAGE_LOG_QUIET = -1, /* as a threshold: nothing */
    MIRAGE_LOG_ERROR = 0,
    MIRAGE_LOG_WARN = 1,
    MIRAGE_LOG_INFO = 2,
    MIRAGE_LOG_DEBUG = 3,
};

/* The threshold of sources without one of their own (default MIRAGE_LOG_INFO). */
void mirage_log_set_level(enum mirage_log_level level);
enum mirage_log_level mirage_log_get_level(void);

void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define MIRAGE_LOG_ERR(src, ...) mirage_log(MIRAGE_LOG_ERROR, src, __VA_ARGS__)
#define MIRAGE_LOG_WARN(src, ...) mirage_log(MIRAGE_LOG_WARN, src, __VA_ARGS__)
#define MIRAGE_LOG_INFO(src, ...) mirage_log(MIRAGE_LOG_INFO, src, __VA_ARGS__)
#define MIRAGE_LOG_DEBUG(src, ...) mirage_log(MIRAGE_LOG_DEBUG, src, __VA_ARGS__)

/* ---- per-source thresholds ---- */

#define MIRAGE_LOG_MAX_SOURCES 16 /* sources with a threshold of their own */
#define MIRAGE_LOG_SOURCE_MAX 31  /* longest such source name */

/* Give source src its own threshold (setting it again replaces it). Returns 0,
 * MIRAGE_EINVAL for an empty or too long name or a bad level, MIRAGE_ENOSPC when
 * MIRAGE_LOG_MAX_SOURCES sources already have one. */
int mirage_log_set_source_level(const char *src, enum mirage_log_level level);
void mirage_log_clear_source_levels(void);
/* The threshold in force for messages of src (NULL: the global one). */
enum mirage_log_level mirage_log_source_level(const char *src);

/* Apply a Mirage --logs setting: comma-separated items "LEVEL" or "SRC:LEVEL", where
 * "*" (or no SRC) sets the global threshold; later items win. Levels: quiet, error,
 * warning (or warn), info, debug. "" changes nothing. All or nothing: returns 0,
 * or MIRAGE_EINVAL / MIRAGE_ENOSPC (more than MIRAGE_LOG_MAX_SOURCES sources) with
 * nothing changed. */
int mirage_log_configure(const char *spec);

/* ---- the stamp before each line ---- */

enum mirage_log_stamp {
    MIRAGE_LOG_STAMP_NONE,      /* "INFO [src] msg" */
    MIRAGE_LOG_STAMP_MONOTONIC, /* "12.345678 INFO [src] msg": seconds since the stamp was set */
    MIRAGE_LOG_STAMP_WALL,      /* "2026-11-27T00:00:00.123Z INFO [src] msg": the POSIX clock, UTC */
};

void mirage_log_set_stamp(enum mirage_log_stamp stamp);

/* ---- the ring: the last lines, for post-mortems ---- */

#define MIRAGE_LOG_RING_LINE 160  /* bytes kept of each line (longer ones end in "...") */
#define MIRAGE_LOG_RING_MAX 65536 /* most lines a ring may keep */

/* Keep the last `lines` messages in memory, of every level, those below the
 * thresholds included (they are formatted then, at a cost), so that a crash can
 * show what led to it: mirage_log_dump_ring prints them. The ring is malloc'd
 * once here (lines * MIRAGE_LOG_RING_LINE bytes); 0 frees it. On the hosted unix
 * target a SIGABRT handler dumps it when the process aborts (assert, abort());
 * freestanding images dump it through the libc's abort hook (mirage_libc.h). Returns 0, MIRAGE_EINVAL
 * (more than MIRAGE_LOG_RING_MAX) or MIRAGE_ENOMEM. */
int mirage_log_set_ring(size_t lines);

/* Print the ring's lines, oldest first, between two marker lines, then empty it.
 * Straight to the platform console, no allocation: safe in an abort path. Does
 * nothing without a ring or when it is empty. */
void mirage_log_dump_ring(void);

#endif
