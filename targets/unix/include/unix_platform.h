/* Unix target only: what drivers need beyond the platform interface. */
#ifndef MIRAGE_UNIX_H
#define MIRAGE_UNIX_H

/* Make mirage_platform_yield report handle (0..63) ready when host fd becomes
 * readable (or hangs up, or fails: the driver's read will say which).
 * fd < 0 forgets the handle. Returns 0, or MIRAGE_EINVAL for a bad handle. */
int mirage_unix_watch_fd(unsigned handle, int fd);

/* The host resource a platform option attached to device `name` of `kind` ("net" or
 * "block"): `--net:NAME=TAP` or `--block:NAME=FILE` before the boot arguments, as a
 * Solo5 tender takes them. NULL when none did: the driver uses config.py's. */
const char *mirage_unix_attached(const char *kind, const char *name);

#endif
