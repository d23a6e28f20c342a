/* What generated main.c needs from the runtime besides the device headers. */
#ifndef MIRAGE_RUNTIME_H
#define MIRAGE_RUNTIME_H

#include <mirage/argv.h>
#include <mirage/errors.h>
#include <mirage/log.h>
#include <mirage/loop.h>
#include <mirage/platform.h>

/* Report a failed connect on the console and return the exit status to use (1):
 * "mirage: cannot connect device VAR (IMPL) at WHERE: strerror(err)". */
int mirage_connect_failed(const char *var, const char *impl, const char *where, int err);

#endif
