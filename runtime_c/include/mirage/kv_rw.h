/* The kv_rw module type: a key-value store that can also be written. A kv_rw device is a
 * kv_ro device too: its first member is a struct mirage_kv_ro, so `&rw->ro` works with
 * every mirage_kv_ro_* function (exists, size, get, get_partial, list, last_modified,
 * digest).
 *
 * Keys: one leading '/' is dropped; a key that is written is non-empty components joined
 * by single slashes, none "." or "..", no trailing slash (else MIRAGE_EINVAL). Folders
 * are implicit: writing "a/b/c" makes the folders "a" and "a/b", and a folder the store
 * made disappears with its last value (direct_kv_rw also shows the empty folders the host
 * folder had to begin with). */
#ifndef MIRAGE_KV_RW_H
#define MIRAGE_KV_RW_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/kv_ro.h>

struct mirage_kv_rw;

struct mirage_kv_rw_ops {
    int (*set)(struct mirage_kv_rw *kv, const char *key, const void *data, size_t len);
    int (*set_partial)(struct mirage_kv_rw *kv, const char *key, uint64_t offset, const void *data,
                       size_t len);
    int (*remove)(struct mirage_kv_rw *kv, const char *key);
    int (*rename)(struct mirage_kv_rw *kv, const char *source, const char *dest);
};

struct mirage_kv_rw {
    struct mirage_kv_ro ro; /* first: the store read through the kv_ro functions */
    const struct mirage_kv_rw_ops *rw_ops;
};

/* Bind key to data[0..len) (a copy), replacing its value, making the missing folders.
 * MIRAGE_EINVAL if key is invalid, a folder, or below a value; MIRAGE_ENOMEM, MIRAGE_ENOSPC,
 * MIRAGE_EIO. */
int mirage_kv_rw_set(struct mirage_kv_rw *kv, const char *key, const void *data, size_t len);
/* Write data[0..len) at `offset` of key's existing value, growing it as needed (a gap
 * past the old end reads as zeros; len 0 changes nothing). MIRAGE_ENOENT if there is no such key, MIRAGE_EINVAL
 * for a folder or an offset + len past 2^63. NOT atomic: a crash during it may leave any
 * mix of old and new bytes in that range (durable once it returned, as the others). Use
 * set for a value that must change all at once. */
int mirage_kv_rw_set_partial(struct mirage_kv_rw *kv, const char *key, uint64_t offset, const void *data,
                             size_t len);
/* Remove a value, or a folder and everything below it. MIRAGE_ENOENT if there is none,
 * MIRAGE_EINVAL for the root or an invalid key. */
int mirage_kv_rw_remove(struct mirage_kv_rw *kv, const char *key);
/* Move source (a value or a folder) to dest, making dest's missing folders. A value
 * replaces a value at dest; MIRAGE_EEXIST if dest is a folder, or a value while source is
 * a folder; MIRAGE_ENOENT if source does not exist; MIRAGE_EINVAL for the root, an invalid
 * key, dest inside source, or dest below a value. source == dest does nothing. */
int mirage_kv_rw_rename(struct mirage_kv_rw *kv, const char *source, const char *dest);

/* Durability, the promise for stores kept outside memory (direct_kv_rw): when set,
 * set_partial, remove or rename returned 0, the change survives a crash of the unikernel
 * and a power cut of the host; set is atomic (after a crash the key holds the old value
 * or the new one, whole), remove and rename too. Temporary files of a set cut short by a
 * crash are never listed nor read as keys, and are removed at connect. */

/* Implementations (connect functions called by generated code). */
/* An empty store in memory (every value allocated with malloc); `name` tells stores apart. */
int kv_rw_mem_connect(struct mirage_kv_rw *out, const char *name);
/* unix: the host folder `folder` (relative to the working directory), read and written at
 * every call; set writes a temporary file (".mirage-kv-*", a name no key may take: those
 * are MIRAGE_EINVAL to write), fsyncs it, renames it over the old value and fsyncs the
 * folder. */
int direct_kv_rw_connect(struct mirage_kv_rw *out, const char *folder);

#endif
