/* Levelled logging to the platform console, one "[STAMP ]LEVEL [source] message"
 * line per call, handed to the platform in one write when it fits the buffer.
 * Per-source thresholds live in a small fixed table (no allocation); the optional
 * ring of recent lines is allocated once, when a reporter asks for it. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if __STDC_HOSTED__
#include <signal.h>
#else
#include <mirage_libc.h>
#endif

#include <mirage/errors.h>
#include <mirage/format.h>
#include <mirage/log.h>
#include <mirage/platform.h>

static const char *level_name(enum mirage_log_level level)
{
    switch (level) {
    case MIRAGE_LOG_QUIET: break;
    case MIRAGE_LOG_ERROR: return "ERROR";
    case MIRAGE_LOG_WARN: return "WARN";
    case MIRAGE_LOG_INFO: return "INFO";
    case MIRAGE_LOG_DEBUG: return "DEBUG";
    }
    return "LOG";
}

/* ---- per-source thresholds ---- */

struct source_level {
    char name[MIRAGE_LOG_SOURCE_MAX + 1];
    enum mirage_log_level level;
};

struct levels {
    enum mirage_log_level global;
    size_t n;
    struct source_level sources[MIRAGE_LOG_MAX_SOURCES];
};

static struct levels table = {.global = MIRAGE_LOG_INFO};

void mirage_log_set_level(enum mirage_log_level level)
{
    table.global = level;
}

enum mirage_log_level mirage_log_get_level(void)
{
    return table.global;
}

static struct source_level *find(struct levels *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strncmp(t->sources[i].name, name, len) == 0 && t->sources[i].name[len] == '\0')
            return &t->sources[i];
    return NULL;
}

static bool valid_level(int level)
{
    return level >= MIRAGE_LOG_QUIET && level <= MIRAGE_LOG_DEBUG;
}

static int set_source(struct levels *t, const char *name, size_t len, enum mirage_log_level level)
{
    if (len == 0 || len > MIRAGE_LOG_SOURCE_MAX || !valid_level(level))
        return MIRAGE_EINVAL;
    struct source_level *s = find(t, name, len);
    if (s == NULL) {
        if (t->n == MIRAGE_LOG_MAX_SOURCES)
            return MIRAGE_ENOSPC;
        s = &t->sources[t->n++];
        memcpy(s->name, name, len);
        s->name[len] = '\0';
    }
    s->level = level;
    return 0;
}

int mirage_log_set_source_level(const char *src, enum mirage_log_level level)
{
    return src == NULL ? MIRAGE_EINVAL : set_source(&table, src, strlen(src), level);
}

void mirage_log_clear_source_levels(void)
{
    table.n = 0;
}

enum mirage_log_level mirage_log_source_level(const char *src)
{
    struct source_level *s = src != NULL ? find(&table, src, strlen(src)) : NULL;
    return s != NULL ? s->level : table.global;
}

/* A level name in s[0..n), or -2. */
static int parse_level(const char *s, size_t n)
{
    static const struct { const char *name; int level; } names[] = {
        {"quiet", MIRAGE_LOG_QUIET}, {"error", MIRAGE_LOG_ERROR}, {"warning", MIRAGE_LOG_WARN},
        {"warn", MIRAGE_LOG_WARN},   {"info", MIRAGE_LOG_INFO},   {"debug", MIRAGE_LOG_DEBUG},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && strncmp(names[i].name, s, n) == 0)
            return names[i].level;
    return -2;
}

int mirage_log_configure(const char *spec)
{
    if (spec == NULL || *spec == '\0')
        return 0;
    struct levels next = table;
    for (const char *p = spec;;) {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *text = colon != NULL ? colon + 1 : p;
        int level = parse_level(text, (size_t)(end - text));
        if (level < MIRAGE_LOG_QUIET)
            return MIRAGE_EINVAL;
        if (colon == NULL || (colon == p + 1 && *p == '*')) {
            next.global = (enum mirage_log_level)level;
        } else {
            int err = set_source(&next, p, (size_t)(colon - p), (enum mirage_log_level)level);
            if (err != 0)
                return err;
        }
        if (*end == '\0')
            break;
        p = end + 1;
    }
    table = next;
    return 0;
}

/* ---- stamps ---- */

static enum mirage_log_stamp stamp_kind = MIRAGE_LOG_STAMP_NONE;
static uint64_t stamp_origin;

void mirage_log_set_stamp(enum mirage_log_stamp stamp)
{
    stamp_kind = stamp;
    stamp_origin = mirage_platform_monotonic_ns();
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian): H. Hinnant's
 * days_from_civil inverse, in unsigned arithmetic since days >= 0 here. */
static void civil(uint64_t days, uint64_t *y, unsigned *m, unsigned *d)
{
    days += 719468; /* days from 0000-03-01 */
    uint64_t era = days / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static void put_stamp(struct mirage_fmt *f)
{
    if (stamp_kind == MIRAGE_LOG_STAMP_MONOTONIC) {
        uint64_t ns = mirage_platform_monotonic_ns() - stamp_origin;
        mirage_fmt_printf(f, "%llu.%06llu ", (unsigned long long)(ns / 1000000000u),
                          (unsigned long long)(ns / 1000u % 1000000u));
    } else if (stamp_kind == MIRAGE_LOG_STAMP_WALL) {
        uint64_t ns = mirage_platform_wall_ns(), secs = ns / 1000000000u, y;
        unsigned m, d, sod = (unsigned)(secs % 86400);
        civil(secs / 86400, &y, &m, &d);
        mirage_fmt_printf(f, "%04llu-%02u-%02uT%02u:%02u:%02u.%03uZ ", (unsigned long long)y, m, d,
                          sod / 3600, sod / 60 % 60, sod % 60, (unsigned)(ns / 1000000u % 1000u));
    }
}

/* ---- the ring ---- */

static char *ring;              /* ring_lines slots of MIRAGE_LOG_RING_LINE bytes, NUL-terminated */
static size_t ring_lines, ring_next, ring_count;

#if __STDC_HOSTED__
static void on_abort(int sig)
{
    mirage_log_dump_ring();
    signal(sig, SIG_DFL); /* abort() then ends the process; a raised SIGABRT too: */
    raise(sig);           /* blocked while we run, delivered on return */
}
#endif

int mirage_log_set_ring(size_t lines)
{
    if (lines > MIRAGE_LOG_RING_MAX)
        return MIRAGE_EINVAL;
    char *fresh = NULL;
    if (lines > 0 && (fresh = malloc(lines * MIRAGE_LOG_RING_LINE)) == NULL)
        return MIRAGE_ENOMEM;
    free(ring);
    ring = fresh;
    ring_lines = lines;
    ring_next = ring_count = 0;
#if __STDC_HOSTED__
    signal(SIGABRT, lines > 0 ? on_abort : SIG_DFL);
#else
    mirage_libc_set_abort_hook(lines > 0 ? mirage_log_dump_ring : NULL);
#endif
    return 0;
}

void mirage_log_dump_ring(void)
{
    if (ring == NULL || ring_count == 0)
        return;
    size_t count = ring_count, first = (ring_next + ring_lines - ring_count) % ring_lines;
    ring_count = 0; /* once: an abort while dumping does not dump again */
    mirage_core_printf("--- the last %zu log lines, oldest first ---\n", count);
    for (size_t i = 0; i < count; i++) {
        const char *line = ring + (first + i) % ring_lines * MIRAGE_LOG_RING_LINE;
        mirage_platform_console_write(line, strlen(line));
    }
    mirage_core_printf("--- end of the log ring ---\n");
}

/* ---- messages ---- */

/* Where a line's pieces go: the console (when it passes the threshold) and the
 * current ring slot (when there is a ring). */
struct line {
    bool console;
    char *slot;
    size_t used;
    bool cut;
};

static int line_sink(void *ctx, const char *buf, size_t len)
{
    struct line *l = ctx;
    if (l->console)
        mirage_platform_console_write(buf, len);
    if (l->slot != NULL) {
        size_t room = MIRAGE_LOG_RING_LINE - 1 - l->used, n = len < room ? len : room;
        memcpy(l->slot + l->used, buf, n);
        l->used += n;
        l->cut |= n < len;
    }
    return 0;
}

void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...)
{
    bool show = level <= mirage_log_source_level(src);
    if (!show && ring == NULL)
        return;
    struct line l = {show, ring != NULL ? ring + ring_next * MIRAGE_LOG_RING_LINE : NULL, 0, false};
    struct mirage_fmt f;
    va_list ap;
    mirage_fmt_init(&f, line_sink, &l);
    put_stamp(&f);
    mirage_fmt_printf(&f, "%s [%s] ", level_name(level), src ? src : "-");
    va_start(ap, fmt);
    mirage_fmt_vprintf(&f, fmt, ap);
    va_end(ap);
    mirage_fmt_put(&f, "\n", 1);
    mirage_fmt_flush(&f);
    if (l.slot != NULL) {
        if (l.cut)
            memcpy(l.slot + MIRAGE_LOG_RING_LINE - 5, "...\n", 4);
        l.slot[l.used] = '\0';
        ring_next = (ring_next + 1) % ring_lines;
        if (ring_count < ring_lines)
            ring_count++;
    }
}
