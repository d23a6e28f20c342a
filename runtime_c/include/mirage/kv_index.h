/* Lookups over an array of entries sorted by key (strcmp order), shared by the stores that
 * keep their index in memory (archive, kv_rw_mem). Each entry starts with its `char *key`.
 * A value's key is "dir/file"; an explicit, possibly empty, folder (an archive's directory
 * entry) is "dir/sub/" with the trailing slash, so every key below a folder "d" starts with
 * "d/" and the keys of one folder are contiguous. A folder exists when a key starts with its
 * name and a slash; the root always exists. Keys given by callers lose one leading '/';
 * a folder may be named with trailing slashes. */
#ifndef MIRAGE_KV_INDEX_H
#define MIRAGE_KV_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include <mirage/kv_ro.h>

struct kv_index {
    const void *base;  /* the entries */
    size_t count;
    size_t stride;     /* sizeof one entry; its first member is its char *key */
};

/* A key a store can hold: one leading '/' dropped, then non-empty components separated
 * by single slashes, none "." or "..", no trailing slash. Returns the key without its
 * leading slash and *len its length (0 for the root, "" or "/"), or NULL if invalid. */
const char *kv_key_check(const char *key, size_t *len);

/* The key of entry i. */
const char *kv_index_key(const struct kv_index *ix, size_t i);
/* The first entry whose key is >= key. */
size_t kv_index_lower_bound(const struct kv_index *ix, const char *key);
/* The value at key: 0 and *i, MIRAGE_EINVAL when key is a folder, else MIRAGE_ENOENT. */
int kv_index_value(const struct kv_index *ix, const char *key, size_t *i);
/* Whether key names a folder (the root included). */
bool kv_index_is_dir(const struct kv_index *ix, const char *key);
/* What key is: 0 and *kind, or MIRAGE_ENOENT. */
int kv_index_exists(const struct kv_index *ix, const char *key, enum mirage_kv_kind *kind);
/* Report each child of the folder key once, in key order; MIRAGE_EINVAL for a value,
 * MIRAGE_ENOENT for nothing, MIRAGE_ENOMEM. fn must not change the index. */
int kv_index_list(const struct kv_index *ix, const char *key, mirage_kv_list_fn fn, void *ctx);

#endif
