/* The console reporter: the log facility already writes to the console, so
 * connecting sets it up: the threshold chosen in config.py, then --logs (a connect argument) over it,
 * the stamp (wall clock when a pclock is given, else seconds since boot) and the
 * ring of recent lines. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/argv.h>
#include <mirage/errors.h>
#include <mirage/reporter.h>

#define STR(x) #x
#define XSTR(x) STR(x)

static int setup(struct mirage_reporter *out, enum mirage_log_stamp stamp, int level, int64_t ring_size,
                 const char *logs)
{
    if (level < MIRAGE_LOG_QUIET || level > MIRAGE_LOG_DEBUG || ring_size < 0 ||
        ring_size > MIRAGE_LOG_RING_MAX)
        return MIRAGE_EINVAL;
    mirage_log_set_level((enum mirage_log_level)level);
    mirage_log_clear_source_levels();
    if (logs != NULL && mirage_log_configure(logs) != 0)
        mirage_arg_reject("logs", logs, "LEVEL or SRC:LEVEL, comma separated, at most "
                                        XSTR(MIRAGE_LOG_MAX_SOURCES) " sources "
                                        "(levels: quiet, error, warning, info, debug)");
    int err = mirage_log_set_ring((size_t)ring_size);
    if (err != 0)
        return err;
    mirage_log_set_stamp(stamp);
    out->level = mirage_log_get_level();
    out->stamp = stamp;
    out->ring_size = (size_t)ring_size;
    return MIRAGE_OK;
}

int default_reporter_connect(struct mirage_reporter *out, int level, int64_t ring_size, const char *logs)
{
    return setup(out, MIRAGE_LOG_STAMP_MONOTONIC, level, ring_size, logs);
}

int default_reporter_clock_connect(struct mirage_reporter *out, struct mirage_pclock *clock, int level,
                                   int64_t ring_size, const char *logs)
{
    (void)clock; /* an ambient service: its presence is what matters (connected before us) */
    return setup(out, MIRAGE_LOG_STAMP_WALL, level, ring_size, logs);
}
