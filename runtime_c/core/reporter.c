/* The console reporter: the log facility already writes to the console, so
 * connecting it only sets the threshold chosen in config.py. */
#include <mirage/errors.h>
#include <mirage/reporter.h>

int default_reporter_connect(struct mirage_reporter *out, int level)
{
    if (level < MIRAGE_LOG_ERROR || level > MIRAGE_LOG_DEBUG)
        return MIRAGE_EINVAL;
    out->level = (enum mirage_log_level)level;
    mirage_log_set_level(out->level);
    return MIRAGE_OK;
}
