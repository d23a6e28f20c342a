/* Lookups over a sorted array of keys (see kv_index.h): binary searches for a value, for
 * the first key of a folder, and a walk over a folder's contiguous keys to list it. Keys
 * are compared against (name, length, optional '/') so no lookup copies or limits a key. */
#include <stdlib.h>
#include <string.h>

#include <mirage/errors.h>

#include <mirage/kv_index.h>

#define NAME_BUF 256 /* child names shorter than this are listed without allocating */

const char *kv_key_check(const char *key, size_t *len)
{
    if (key[0] == '/')
        key++;
    size_t n = strlen(key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && key[j] != '/')
            j++;
        size_t c = j - i;
        if (c == 0 || (c == 1 && key[i] == '.') || (c == 2 && key[i] == '.' && key[i + 1] == '.'))
            return NULL;
        if (j == n - 1)
            return NULL; /* a trailing slash */
        i = j + 1;
    }
    *len = n;
    return key;
}

const char *kv_index_key(const struct kv_index *ix, size_t i)
{
    return *(char *const *)(const void *)((const char *)ix->base + i * ix->stride);
}

static const char *normalise(const char *key)
{
    return key[0] == '/' ? key + 1 : key;
}

/* strcmp(e, s) for s = p[0..n) followed by '/' when slash (p has no NUL below n). */
static int compare(const char *e, const char *p, size_t n, bool slash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)e[i], b = (unsigned char)p[i];
        if (a != b)
            return a < b ? -1 : 1; /* e ending early is less */
    }
    if (slash) {
        unsigned char a = (unsigned char)e[n];
        if (a != '/')
            return a < '/' ? -1 : 1;
        n++;
    }
    return e[n] != '\0';
}

static bool has_prefix(const char *e, const char *p, size_t n, bool slash)
{
    return strncmp(e, p, n) == 0 && (!slash || e[n] == '/');
}

static size_t lower_bound(const struct kv_index *ix, const char *p, size_t n, bool slash)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compare(kv_index_key(ix, mid), p, n, slash) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t kv_index_lower_bound(const struct kv_index *ix, const char *key)
{
    return lower_bound(ix, key, strlen(key), false);
}

static bool find_value(const struct kv_index *ix, const char *key, size_t *i)
{
    key = normalise(key);
    size_t n = strlen(key);
    if (n == 0 || key[n - 1] == '/')
        return false;
    size_t at = lower_bound(ix, key, n, false);
    if (at < ix->count && compare(kv_index_key(ix, at), key, n, false) == 0) {
        *i = at;
        return true;
    }
    return false;
}

/* The folder name in key without its trailing slashes; its length. */
static size_t dir_name(const char **key)
{
    *key = normalise(*key);
    size_t n = strlen(*key);
    while (n > 0 && (*key)[n - 1] == '/')
        n--;
    return n;
}

bool kv_index_is_dir(const struct kv_index *ix, const char *key)
{
    size_t n = dir_name(&key);
    if (n == 0)
        return true;
    size_t at = lower_bound(ix, key, n, true);
    return at < ix->count && has_prefix(kv_index_key(ix, at), key, n, true);
}

int kv_index_value(const struct kv_index *ix, const char *key, size_t *i)
{
    if (find_value(ix, key, i))
        return MIRAGE_OK;
    return kv_index_is_dir(ix, key) ? MIRAGE_EINVAL : MIRAGE_ENOENT;
}

int kv_index_exists(const struct kv_index *ix, const char *key, enum mirage_kv_kind *kind)
{
    size_t i;
    if (find_value(ix, key, &i))
        *kind = MIRAGE_KV_VALUE;
    else if (kv_index_is_dir(ix, key))
        *kind = MIRAGE_KV_DICTIONARY;
    else
        return MIRAGE_ENOENT;
    return MIRAGE_OK;
}

/* Call fn with rest[0..n) as a NUL-terminated name. */
static int report(mirage_kv_list_fn fn, void *ctx, const char *rest, size_t n, enum mirage_kv_kind kind)
{
    if (rest[n] == '\0') { /* the end of the key: already terminated */
        fn(ctx, rest, kind);
        return MIRAGE_OK;
    }
    char small[NAME_BUF];
    char *name = n < sizeof small ? small : malloc(n + 1);
    if (name == NULL)
        return MIRAGE_ENOMEM;
    memcpy(name, rest, n);
    name[n] = '\0';
    fn(ctx, name, kind);
    if (name != small)
        free(name);
    return MIRAGE_OK;
}

int kv_index_list(const struct kv_index *ix, const char *key, mirage_kv_list_fn fn, void *ctx)
{
    size_t i;
    if (find_value(ix, key, &i))
        return MIRAGE_EINVAL;
    if (!kv_index_is_dir(ix, key))
        return MIRAGE_ENOENT;
    size_t n = dir_name(&key);
    size_t plen = n > 0 ? n + 1 : 0; /* "dir/", or "" for the root */
    const char *prev = NULL;         /* the last child reported, and its length */
    size_t prev_len = 0;
    for (i = lower_bound(ix, key, n, n > 0); i < ix->count; i++) {
        const char *k = kv_index_key(ix, i);
        if (!has_prefix(k, key, n, n > 0))
            break;
        const char *rest = k + plen;
        if (rest[0] == '\0')
            continue; /* the folder's own entry */
        const char *slash = strchr(rest, '/');
        size_t len = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
        /* The keys below one child folder are contiguous: report each child once. */
        if (prev != NULL && prev_len == len && memcmp(prev, rest, len) == 0)
            continue;
        prev = rest;
        prev_len = len;
        int rc = report(fn, ctx, rest, len, slash != NULL ? MIRAGE_KV_DICTIONARY : MIRAGE_KV_VALUE);
        if (rc < 0)
            return rc;
    }
    return MIRAGE_OK;
}
