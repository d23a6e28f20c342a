/* The info module type: what the unikernel knows about its own build (Mirage's
 * app_info): its name, target, the configure keys in force, the packages and the
 * sha256 of the config.py it was built from. The strings are generated constants,
 * valid for the whole run. */
#ifndef MIRAGE_INFO_H
#define MIRAGE_INFO_H

#include <stddef.h>

struct mirage_info {
    const char *name;          /* register's name */
    const char *target;        /* "unix", "spt", ... */
    const char *keys;          /* "key=value" lines, '\n' separated, target first */
    const char *packages;      /* "name[>=min][<max]" lines, '\n' separated; "" for none */
    const char *config_sha256; /* 64 lower-case hex digits */
    size_t nkeys;
    size_t npackages;
};

/* keys and packages as above. A value is escaped so that every value reads back
 * exactly: its backslashes are written "\\" and its newlines "\n" (two characters
 * each); mirage_info_unescape undoes that.
 * Returns 0, or MIRAGE_EINVAL for a NULL string or a malformed digest or key line. */
int app_info_connect(struct mirage_info *out, const char *name, const char *target, const char *keys,
                     const char *packages, const char *config_sha256);

/* The value of configure key `key`: a pointer into info->keys and its length in
 * *len (the value ends at a newline or the end, it is not NUL-terminated), or NULL. */
const char *mirage_info_key(const struct mirage_info *info, const char *key, size_t *len);

/* Copy the escaped value (len bytes) to out, unescaped; out needs len bytes at most.
 * Returns the unescaped length. */
size_t mirage_info_unescape(const char *value, size_t len, char *out);

#endif
