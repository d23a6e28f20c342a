/* The kv_ro module type: a read-only key-value store of files addressed by path
 * ("/dir/file" or "dir/file"; keys are compared after dropping one leading '/'). */
#ifndef MIRAGE_KV_RO_H
#define MIRAGE_KV_RO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mirage_kv_ro;

enum mirage_kv_kind { MIRAGE_KV_VALUE, MIRAGE_KV_DICTIONARY };

/* One entry of a directory listing: its name (no slash) and kind. Every store in
 * runtime_c/drivers/kv lists in key order: by strcmp, a folder as its name and a '/'. */
typedef void (*mirage_kv_list_fn)(void *ctx, const char *name, enum mirage_kv_kind kind);

struct mirage_kv_ro_ops {
    int (*exists)(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind);
    int (*size)(struct mirage_kv_ro *kv, const char *key, uint64_t *size);
    int (*get_partial)(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf,
                       size_t len, size_t *read);
    int (*list)(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx);
    int (*last_modified)(struct mirage_kv_ro *kv, const char *key, uint64_t *ns_since_epoch);
    int (*digest)(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32]);
};

struct mirage_kv_ro {
    const struct mirage_kv_ro_ops *ops;
    const char *name;
    void *state;
};

/* Results: 0, MIRAGE_ENOENT (no such key), MIRAGE_EINVAL (a value where a dictionary
 * was expected or the reverse), MIRAGE_EIO, MIRAGE_ENOMEM. */
int mirage_kv_ro_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind);
int mirage_kv_ro_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size);
/* Read up to len bytes from offset; *read is how many (0 at or past the end). */
int mirage_kv_ro_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf,
                             size_t len, size_t *read);
/* The whole value into a buffer the caller frees with free(); *len is its size. */
int mirage_kv_ro_get(struct mirage_kv_ro *kv, const char *key, uint8_t **value, size_t *len);
int mirage_kv_ro_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx);
int mirage_kv_ro_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns_since_epoch);
int mirage_kv_ro_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32]);

/* Implementations (connect functions called by generated code; crunch's is in kv_crunch.h). */
struct mirage_block;
/* unix: the host folder `folder` (relative to the working directory) read at every
 * access; keys with "." or ".." components, or leading outside the folder through a
 * symlink, do not exist. */
int direct_kv_ro_connect(struct mirage_kv_ro *out, const char *folder);
/* The ustar archive on `block`, indexed at connect (the index is allocated with malloc). */
int archive_connect(struct mirage_kv_ro *out, struct mirage_block *block);

#endif
