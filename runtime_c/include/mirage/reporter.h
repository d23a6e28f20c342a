/* The reporter module type: where log messages go and from which level. */
#ifndef MIRAGE_REPORTER_H
#define MIRAGE_REPORTER_H

#include <mirage/log.h>

struct mirage_reporter { enum mirage_log_level level; };

/* Log to the console from `level` (an enum mirage_log_level) upwards. */
int default_reporter_connect(struct mirage_reporter *out, int level);

#endif
