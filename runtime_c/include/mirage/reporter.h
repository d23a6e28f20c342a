/* The reporter module type: where log messages go, from which level, and how each
 * line is stamped. The console reporter is the log facility of mirage/log.h set up
 * at connect; its device object records that set-up. */
#ifndef MIRAGE_REPORTER_H
#define MIRAGE_REPORTER_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/clock.h>
#include <mirage/log.h>

struct mirage_reporter {
    enum mirage_log_level level; /* the global threshold after --logs */
    enum mirage_log_stamp stamp;
    size_t ring_size;            /* lines kept for mirage_log_dump_ring, 0 for none */
};

/* Log to the console from `level` (an enum mirage_log_level) upwards, each line
 * stamped with the seconds since connect; keep the last ring_size lines in memory
 * (see mirage_log_set_ring: dumped when the unikernel aborts). `logs`, the --logs
 * boot argument ("*:info,tcp:debug", see mirage_log_configure; NULL for none), then
 * adjusts the thresholds; a malformed one ends the unikernel with the usage status 64.
 * Returns 0, MIRAGE_EINVAL (bad level or ring size) or MIRAGE_ENOMEM. */
int default_reporter_connect(struct mirage_reporter *out, int level, int64_t ring_size, const char *logs);

/* The same, each line stamped with the POSIX clock's UTC time
 * ("2026-11-27T00:00:00.123Z INFO [src] message"). */
int default_reporter_clock_connect(struct mirage_reporter *out, struct mirage_pclock *clock, int level,
                                   int64_t ring_size, const char *logs);

#endif
