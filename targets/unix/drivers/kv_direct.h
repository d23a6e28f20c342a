/* The host-folder stores on unix (direct_kv_ro, direct_kv_rw): what the read-write one
 * shares with the read-only one. */
#ifndef UNIX_DRIVERS_KV_DIRECT_H
#define UNIX_DRIVERS_KV_DIRECT_H

#include <stdbool.h>
#include <stddef.h>

#include <mirage/kv_ro.h>

struct direct_kv {
    char *root;      /* the folder's real path (realpath at connect) */
    size_t root_len;
};

/* A negative mirage_error for an errno value. */
int direct_kv_error(int err);

/* Where the valid key (see kv_key_check; `len` bytes, 0 for the root) lives: *path (freed
 * by the caller) is the real path of the key when it exists (*exists true), else the real
 * path of its deepest existing ancestor followed by the missing components. Fails with
 * MIRAGE_ENOENT when the key, or that ancestor, resolves outside the folder (through a
 * symlink) and MIRAGE_EINVAL when that ancestor is not a folder. */
int direct_kv_resolve(const struct direct_kv *d, const char *key, size_t len, char **path, bool *exists);

/* direct_kv_rw's temporary files start with this; never served, removed at connect. */
#define DIRECT_KV_TEMP ".mirage-kv-"
#define DIRECT_KV_TEMP_LEN 11

/* True when the last component of key[0..len) names a temporary file. */
bool direct_kv_is_temp(const char *key, size_t len);

/* True when the real path `path` is the folder or inside it. */
bool direct_kv_inside(const struct direct_kv *d, const char *path);

#endif
