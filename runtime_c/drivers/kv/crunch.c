/* crunch: a kv_ro store over files embedded in the image at build time. The generated
 * index is sorted by key, so lookups are binary searches and the entries of a folder
 * are contiguous. */
#include <string.h>

#include <mirage/errors.h>
#include <mirage/kv_crunch.h>

#define MAX_KEY 1024 /* keys up to 1023 bytes: mirage_tools.embed.MAX_KEY */

static const struct mirage_crunch_index *index_of(struct mirage_kv_ro *kv)
{
    return kv->state;
}

/* Keys are compared without one leading '/'. */
static const char *normalise(const char *key)
{
    return key[0] == '/' ? key + 1 : key;
}

/* The first entry whose key is >= key. */
static size_t lower_bound(const struct mirage_crunch_index *ix, const char *key)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->files[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct mirage_crunch_file *find_file(struct mirage_kv_ro *kv, const char *key)
{
    const struct mirage_crunch_index *ix = index_of(kv);
    key = normalise(key);
    size_t i = lower_bound(ix, key);
    return i < ix->count && strcmp(ix->files[i].key, key) == 0 ? &ix->files[i] : NULL;
}

/* "dir" as a prefix "dir/" (the root is ""); 0 if it does not fit. */
static size_t dir_prefix(const char *key, char *prefix)
{
    key = normalise(key);
    size_t len = strlen(key);
    while (len > 0 && key[len - 1] == '/')
        len--;
    if (len + 2 > MAX_KEY)
        return 0;
    memcpy(prefix, key, len);
    if (len > 0)
        prefix[len++] = '/';
    prefix[len] = '\0';
    return len + 1;
}

static int is_dir(struct mirage_kv_ro *kv, const char *key)
{
    char prefix[MAX_KEY];
    if (dir_prefix(key, prefix) == 0)
        return 0;
    if (prefix[0] == '\0')
        return 1;
    const struct mirage_crunch_index *ix = index_of(kv);
    size_t i = lower_bound(ix, prefix);
    return i < ix->count && strncmp(ix->files[i].key, prefix, strlen(prefix)) == 0;
}

static int c_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind)
{
    if (find_file(kv, key) != NULL)
        *kind = MIRAGE_KV_VALUE;
    else if (is_dir(kv, key))
        *kind = MIRAGE_KV_DICTIONARY;
    else
        return MIRAGE_ENOENT;
    return MIRAGE_OK;
}

/* The file at key, or the error that says why there is none. */
static int lookup(struct mirage_kv_ro *kv, const char *key, const struct mirage_crunch_file **f)
{
    *f = find_file(kv, key);
    if (*f != NULL)
        return MIRAGE_OK;
    return is_dir(kv, key) ? MIRAGE_EINVAL : MIRAGE_ENOENT;
}

static int c_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size)
{
    const struct mirage_crunch_file *f;
    int rc = lookup(kv, key, &f);
    if (rc == MIRAGE_OK)
        *size = f->size;
    return rc;
}

static int c_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf,
                         size_t len, size_t *read)
{
    const struct mirage_crunch_file *f;
    int rc = lookup(kv, key, &f);
    if (rc != MIRAGE_OK)
        return rc;
    *read = 0;
    if (offset >= f->size)
        return MIRAGE_OK;
    uint64_t left = f->size - offset;
    size_t n = left < len ? (size_t)left : len;
    memcpy(buf, f->data + offset, n);
    *read = n;
    return MIRAGE_OK;
}

static int c_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx)
{
    char prefix[MAX_KEY], name[MAX_KEY];
    if (find_file(kv, key) != NULL)
        return MIRAGE_EINVAL;
    if (!is_dir(kv, key) || dir_prefix(key, prefix) == 0)
        return MIRAGE_ENOENT;
    const struct mirage_crunch_index *ix = index_of(kv);
    size_t plen = strlen(prefix);
    name[0] = '\0';
    for (size_t i = lower_bound(ix, prefix); i < ix->count; i++) {
        const char *k = ix->files[i].key;
        if (strncmp(k, prefix, plen) != 0)
            break;
        const char *rest = k + plen;
        const char *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        if (n >= MAX_KEY)
            return MIRAGE_ERANGE;
        /* Entries below one child folder are contiguous: report each child once. */
        if (strncmp(name, rest, n) == 0 && name[n] == '\0')
            continue;
        memcpy(name, rest, n);
        name[n] = '\0';
        fn(ctx, name, slash ? MIRAGE_KV_DICTIONARY : MIRAGE_KV_VALUE);
    }
    return MIRAGE_OK;
}

static int c_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns)
{
    const struct mirage_crunch_file *f;
    int rc = lookup(kv, key, &f);
    if (rc == MIRAGE_OK)
        *ns = f->mtime_ns;
    return rc;
}

static int c_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32])
{
    const struct mirage_crunch_file *f;
    int rc = lookup(kv, key, &f);
    if (rc == MIRAGE_OK)
        memcpy(sha256, f->sha256, 32);
    return rc;
}

static const struct mirage_kv_ro_ops crunch_ops = {
    .exists = c_exists,
    .size = c_size,
    .get_partial = c_get_partial,
    .list = c_list,
    .last_modified = c_last_modified,
    .digest = c_digest,
};

int crunch_connect(struct mirage_kv_ro *out, const char *name, const struct mirage_crunch_index *index)
{
    out->ops = &crunch_ops;
    out->name = name;
    out->state = (void *)index; /* read-only: the ops never write through it */
    return MIRAGE_OK;
}
