/* kv_rw_mem: a read-write store in memory. The values live in one array sorted by key
 * (binary searches through kv_index; an insertion moves the tail), each value and key
 * allocated with malloc. Folders are implicit: they exist while a value below them does.
 * last_modified is the wall clock (mirage_pclock_ns) of the last write; a rename keeps it.
 * Digests are computed on first use after a write and kept. */
#include <stdlib.h>
#include <string.h>

#include <mirage/clock.h>
#include <mirage/errors.h>
#include <mirage/kv_rw.h>
#include <mirage/sha256.h>

#include <mirage/kv_index.h>

struct value {
    char *key;          /* first: kv_index reads it */
    uint8_t *data;      /* never NULL */
    size_t size;
    uint64_t mtime_ns;
    bool hashed;
    uint8_t sha256[MIRAGE_SHA256_LEN];
};

struct mem {
    struct value *values;
    size_t count, cap;
};

static struct mem *ro_state(struct mirage_kv_ro *kv)
{
    return kv->state;
}

static struct mem *rw_state(struct mirage_kv_rw *kv)
{
    return kv->ro.state;
}

static struct kv_index index_of(const struct mem *m)
{
    return (struct kv_index){m->values, m->count, sizeof(struct value)};
}

static char *copy_of(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* 1 if one of the folders above key[0..n) is a value, 0 if not, or MIRAGE_ENOMEM. */
static int below_value(const struct mem *m, const char *key, size_t n)
{
    struct kv_index ix = index_of(m);
    char *copy = copy_of(key, n);
    int found = 0;
    if (copy == NULL)
        return MIRAGE_ENOMEM;
    for (size_t j = 0; j < n && !found; j++) {
        if (copy[j] != '/')
            continue;
        size_t i;
        copy[j] = '\0';
        found = kv_index_value(&ix, copy, &i) == MIRAGE_OK;
        copy[j] = '/';
    }
    free(copy);
    return found;
}

static int grow(struct mem *m)
{
    if (m->count < m->cap)
        return MIRAGE_OK;
    size_t cap = m->cap ? 2 * m->cap : 16;
    struct value *v = cap <= SIZE_MAX / sizeof *v ? realloc(m->values, cap * sizeof *v) : NULL;
    if (v == NULL)
        return MIRAGE_ENOMEM;
    m->values = v;
    m->cap = cap;
    return MIRAGE_OK;
}

static void drop(struct mem *m, size_t i, size_t n)
{
    for (size_t j = i; j < i + n; j++) {
        free(m->values[j].key);
        free(m->values[j].data);
    }
    memmove(&m->values[i], &m->values[i + n], (m->count - i - n) * sizeof *m->values);
    m->count -= n;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct value *)a)->key, ((const struct value *)b)->key);
}

/* The range [*first, *first + *n) of values below the folder key[0..len). */
static int folder_range(const struct mem *m, const char *key, size_t len, size_t *first, size_t *n)
{
    char *prefix = malloc(len + 2);
    if (prefix == NULL)
        return MIRAGE_ENOMEM;
    memcpy(prefix, key, len);
    prefix[len] = '/';
    prefix[len + 1] = '\0';
    struct kv_index ix = index_of(m);
    size_t i = kv_index_lower_bound(&ix, prefix), j = i;
    while (j < m->count && strncmp(m->values[j].key, prefix, len + 1) == 0)
        j++;
    free(prefix);
    *first = i;
    *n = j - i;
    return MIRAGE_OK;
}

static int m_set(struct mirage_kv_rw *kv, const char *key, const void *data, size_t len)
{
    struct mem *m = rw_state(kv);
    struct kv_index ix = index_of(m);
    size_t n, i;
    const char *k = kv_key_check(key, &n);
    if (k == NULL || n == 0 || kv_index_is_dir(&ix, k))
        return MIRAGE_EINVAL;
    int below = below_value(m, k, n);
    if (below != 0)
        return below < 0 ? below : MIRAGE_EINVAL;
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        return MIRAGE_ENOMEM;
    if (len > 0)
        memcpy(copy, data, len);
    if (kv_index_value(&ix, k, &i) == MIRAGE_OK) {
        free(m->values[i].data);
    } else {
        char *name = copy_of(k, n);
        if (name != NULL)
            i = kv_index_lower_bound(&ix, name); /* before grow() moves the array */
        if (name == NULL || grow(m) < 0) {
            free(name);
            free(copy);
            return MIRAGE_ENOMEM;
        }
        memmove(&m->values[i + 1], &m->values[i], (m->count - i) * sizeof *m->values);
        m->count++;
        m->values[i].key = name;
    }
    struct value *v = &m->values[i];
    v->data = copy;
    v->size = len;
    v->mtime_ns = mirage_pclock_ns();
    v->hashed = false;
    return MIRAGE_OK;
}

static int m_set_partial(struct mirage_kv_rw *kv, const char *key, uint64_t offset, const void *data, size_t len)
{
    struct mem *m = rw_state(kv);
    struct kv_index ix = index_of(m);
    size_t i;
    int rc = kv_index_value(&ix, key, &i);
    if (rc < 0)
        return rc;
    struct value *v = &m->values[i];
    if (len == 0)
        return MIRAGE_OK;
    if (offset > SIZE_MAX || len > SIZE_MAX - offset)
        return MIRAGE_ENOMEM;
    size_t end = (size_t)offset + len;
    if (end > v->size) {
        uint8_t *grown = realloc(v->data, end);
        if (grown == NULL)
            return MIRAGE_ENOMEM;
        if (offset > v->size)
            memset(grown + v->size, 0, (size_t)offset - v->size);
        v->data = grown;
        v->size = end;
    }
    memcpy(v->data + offset, data, len);
    v->mtime_ns = mirage_pclock_ns();
    v->hashed = false;
    return MIRAGE_OK;
}

static int m_remove(struct mirage_kv_rw *kv, const char *key)
{
    struct mem *m = rw_state(kv);
    struct kv_index ix = index_of(m);
    size_t n, i, count;
    const char *k = kv_key_check(key, &n);
    if (k == NULL || n == 0)
        return MIRAGE_EINVAL;
    if (kv_index_value(&ix, k, &i) == MIRAGE_OK) {
        drop(m, i, 1);
        return MIRAGE_OK;
    }
    int rc = folder_range(m, k, n, &i, &count);
    if (rc < 0)
        return rc;
    if (count == 0)
        return MIRAGE_ENOENT;
    drop(m, i, count);
    return MIRAGE_OK;
}

static int m_rename(struct mirage_kv_rw *kv, const char *source, const char *dest)
{
    struct mem *m = rw_state(kv);
    struct kv_index ix = index_of(m);
    size_t sn, dn, si, di;
    const char *s = kv_key_check(source, &sn);
    const char *d = kv_key_check(dest, &dn);
    if (s == NULL || d == NULL || sn == 0 || dn == 0)
        return MIRAGE_EINVAL;
    bool value = kv_index_value(&ix, s, &si) == MIRAGE_OK;
    if (!value && !kv_index_is_dir(&ix, s))
        return MIRAGE_ENOENT;
    if (sn == dn && memcmp(s, d, sn) == 0)
        return MIRAGE_OK;
    if (dn > sn && memcmp(s, d, sn) == 0 && d[sn] == '/')
        return MIRAGE_EINVAL; /* into itself */
    bool dest_value = kv_index_value(&ix, d, &di) == MIRAGE_OK;
    if (kv_index_is_dir(&ix, d) || (dest_value && !value))
        return MIRAGE_EEXIST;
    int below = below_value(m, d, dn);
    if (below != 0)
        return below < 0 ? below : MIRAGE_EINVAL;

    if (value) {
        char *name = copy_of(d, dn);
        if (name == NULL)
            return MIRAGE_ENOMEM;
        free(m->values[si].key);
        m->values[si].key = name;
        if (dest_value)
            drop(m, di, 1);
    } else {
        size_t first, count;
        int rc = folder_range(m, s, sn, &first, &count);
        if (rc < 0)
            return rc;
        char **names = malloc(count * sizeof *names);
        if (names == NULL)
            return MIRAGE_ENOMEM;
        for (size_t j = 0; j < count; j++) { /* every new key first: fail before changing anything */
            const char *rest = m->values[first + j].key + sn; /* "/..." */
            size_t rlen = strlen(rest);
            names[j] = malloc(dn + rlen + 1);
            if (names[j] == NULL) {
                while (j-- > 0)
                    free(names[j]);
                free(names);
                return MIRAGE_ENOMEM;
            }
            memcpy(names[j], d, dn);
            memcpy(names[j] + dn, rest, rlen + 1);
        }
        for (size_t j = 0; j < count; j++) {
            free(m->values[first + j].key);
            m->values[first + j].key = names[j];
        }
        free(names);
    }
    qsort(m->values, m->count, sizeof *m->values, by_key);
    return MIRAGE_OK;
}

static int m_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind)
{
    struct kv_index ix = index_of(ro_state(kv));
    return kv_index_exists(&ix, key, kind);
}

static int lookup(struct mirage_kv_ro *kv, const char *key, struct value **v)
{
    struct mem *m = ro_state(kv);
    struct kv_index ix = index_of(m);
    size_t i;
    int rc = kv_index_value(&ix, key, &i);
    if (rc == MIRAGE_OK)
        *v = &m->values[i];
    return rc;
}

static int m_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size)
{
    struct value *v;
    int rc = lookup(kv, key, &v);
    if (rc == MIRAGE_OK)
        *size = v->size;
    return rc;
}

static int m_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf, size_t len,
                         size_t *read)
{
    struct value *v;
    int rc = lookup(kv, key, &v);
    if (rc != MIRAGE_OK)
        return rc;
    *read = 0;
    if (offset >= v->size)
        return MIRAGE_OK;
    size_t n = v->size - (size_t)offset < len ? v->size - (size_t)offset : len;
    memcpy(buf, v->data + offset, n);
    *read = n;
    return MIRAGE_OK;
}

static int m_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx)
{
    struct kv_index ix = index_of(ro_state(kv));
    return kv_index_list(&ix, key, fn, ctx);
}

static int m_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns)
{
    struct value *v;
    int rc = lookup(kv, key, &v);
    if (rc == MIRAGE_OK)
        *ns = v->mtime_ns;
    return rc;
}

static int m_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32])
{
    struct value *v;
    int rc = lookup(kv, key, &v);
    if (rc != MIRAGE_OK)
        return rc;
    if (!v->hashed) {
        mirage_sha256(v->data, v->size, v->sha256);
        v->hashed = true;
    }
    memcpy(sha256, v->sha256, MIRAGE_SHA256_LEN);
    return MIRAGE_OK;
}

static const struct mirage_kv_ro_ops mem_ro_ops = {
    .exists = m_exists,
    .size = m_size,
    .get_partial = m_get_partial,
    .list = m_list,
    .last_modified = m_last_modified,
    .digest = m_digest,
};

static const struct mirage_kv_rw_ops mem_rw_ops = {
    .set = m_set,
    .set_partial = m_set_partial,
    .remove = m_remove,
    .rename = m_rename,
};

int kv_rw_mem_connect(struct mirage_kv_rw *out, const char *name)
{
    struct mem *m = calloc(1, sizeof *m);
    if (m == NULL)
        return MIRAGE_ENOMEM;
    out->ro.ops = &mem_ro_ops;
    out->ro.name = name;
    out->ro.state = m;
    out->rw_ops = &mem_rw_ops;
    return MIRAGE_OK;
}
