/* Logging with levels. Output goes to the platform console as
 * "LEVEL [source] message"; the threshold is global. */
#ifndef MIRAGE_LOG_H
#define MIRAGE_LOG_H

enum mirage_log_level {
    MIRAGE_LOG_ERROR = 0,
    MIRAGE_LOG_WARN = 1,
    MIRAGE_LOG_INFO = 2,
    MIRAGE_LOG_DEBUG = 3,
};

void mirage_log_set_level(enum mirage_log_level level);
enum mirage_log_level mirage_log_get_level(void);

void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define MIRAGE_LOG_ERR(src, ...) mirage_log(MIRAGE_LOG_ERROR, src, __VA_ARGS__)
#define MIRAGE_LOG_WARN(src, ...) mirage_log(MIRAGE_LOG_WARN, src, __VA_ARGS__)
#define MIRAGE_LOG_INFO(src, ...) mirage_log(MIRAGE_LOG_INFO, src, __VA_ARGS__)
#define MIRAGE_LOG_DEBUG(src, ...) mirage_log(MIRAGE_LOG_DEBUG, src, __VA_ARGS__)

#endif
