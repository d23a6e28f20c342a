/* archive: a kv_ro store over a ustar archive on a block device (archive_of_files packs
 * a folder into one at build time). connect walks the headers once and keeps a sorted
 * index in memory (a key, data offset, size and mtime per entry, allocated with malloc);
 * reads go through mirage_block_read in whole sectors, via a bounce buffer (64 KiB,
 * allocated at connect) that also serves as a read-ahead cache for sequential reads.
 * Digests are computed on first use and kept. Later entries of one name replace earlier
 * ones, as tar extraction would; a name that is both a file and a folder is an error. */
#include <stdlib.h>
#include <string.h>

#include <mirage/block.h>
#include <mirage/errors.h>
#include <mirage/kv_ro.h>
#include <mirage/log.h>
#include <mirage/sha256.h>

#include <mirage/kv_index.h>
#include "tar.h"

#define BOUNCE (64u * 1024u)
#define NS 1000000000ull

struct entry {
    char *key;          /* first: kv_index reads it; folders end with '/' */
    uint64_t data;      /* byte offset on the device */
    uint64_t size;
    uint64_t mtime_ns;
    bool hashed;
    uint8_t sha256[MIRAGE_SHA256_LEN];
};

struct archive {
    struct mirage_block *block;
    uint32_t sector_size;
    uint64_t bytes;           /* the device's capacity */
    struct entry *entries;
    size_t count, cap;
    uint8_t *buf;             /* bounce buffer: sectors [buf_sector, buf_sector + buf_valid / ss) */
    size_t buf_len, buf_valid;
    uint64_t buf_sector;
};

static struct archive *state(struct mirage_kv_ro *kv)
{
    return kv->state;
}

static struct kv_index index_of(const struct archive *a)
{
    return (struct kv_index){a->entries, a->count, sizeof(struct entry)};
}

/* Copy len bytes at byte offset off of the device (inside it) to dst. */
static int read_bytes(struct archive *a, uint64_t off, void *dst, size_t len)
{
    uint8_t *out = dst;
    uint32_t ss = a->sector_size;
    while (len > 0) {
        uint64_t sector = off / ss;
        size_t within = (size_t)(off % ss);
        bool cached = a->buf_valid > 0 && sector >= a->buf_sector &&
                      sector - a->buf_sector < a->buf_valid / ss;
        if (!cached) {
            uint64_t sectors = a->bytes / ss - sector;
            size_t n = a->buf_len / ss;
            if (sectors < n)
                n = (size_t)sectors;
            if (n == 0)
                return MIRAGE_EIO;
            a->buf_valid = 0;
            int rc = mirage_block_read(a->block, sector, a->buf, n * ss);
            if (rc < 0)
                return rc;
            a->buf_sector = sector;
            a->buf_valid = n * ss;
        }
        size_t at = (size_t)(sector - a->buf_sector) * ss + within;
        size_t n = a->buf_valid - at < len ? a->buf_valid - at : len;
        memcpy(out, a->buf + at, n);
        out += n;
        off += n;
        len -= n;
    }
    return MIRAGE_OK;
}

static int read_header(void *ctx, uint64_t offset, uint8_t block[MIRAGE_TAR_BLOCK])
{
    return read_bytes(ctx, offset, block, MIRAGE_TAR_BLOCK);
}

static int add_entry(void *ctx, const struct mirage_tar_entry *e)
{
    struct archive *a = ctx;
    if (a->count == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        struct entry *grown = cap <= SIZE_MAX / sizeof *grown ? realloc(a->entries, cap * sizeof *grown) : NULL;
        if (grown == NULL)
            return MIRAGE_ENOMEM;
        a->entries = grown;
        a->cap = cap;
    }
    size_t len = strlen(e->name);
    bool dir = e->kind == MIRAGE_TAR_DIR;
    char *key = malloc(len + 2);
    if (key == NULL)
        return MIRAGE_ENOMEM;
    memcpy(key, e->name, len);
    if (dir)
        key[len++] = '/';
    key[len] = '\0';
    a->entries[a->count++] = (struct entry){
        .key = key, .data = e->data, .size = e->size,
        .mtime_ns = e->mtime < UINT64_MAX / NS ? e->mtime * NS : UINT64_MAX,
    };
    return MIRAGE_OK;
}

/* By key, then archive order (so the last of equal keys is the one tar would keep). */
static int by_key(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c != 0 ? c : (a->data > b->data) - (a->data < b->data);
}

static int build_index(struct archive *a, const char **why)
{
    if (a->count > 1)
        qsort(a->entries, a->count, sizeof *a->entries, by_key);
    size_t kept = 0;
    for (size_t i = 0; i < a->count; i++) {
        if (i + 1 < a->count && strcmp(a->entries[i].key, a->entries[i + 1].key) == 0) {
            free(a->entries[i].key); /* replaced by a later entry of the same name */
            continue;
        }
        a->entries[kept++] = a->entries[i];
    }
    a->count = kept;
    struct kv_index ix = index_of(a);
    for (size_t i = 0; i < a->count; i++) {
        const char *key = a->entries[i].key;
        if (key[strlen(key) - 1] != '/' && kv_index_is_dir(&ix, key)) {
            *why = "a name is both a file and a folder";
            return MIRAGE_EINVAL;
        }
    }
    return MIRAGE_OK;
}

static void release(struct archive *a)
{
    for (size_t i = 0; i < a->count; i++)
        free(a->entries[i].key);
    free(a->entries);
    free(a->buf);
    free(a);
}

static int a_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind)
{
    struct kv_index ix = index_of(state(kv));
    return kv_index_exists(&ix, key, kind);
}

static int lookup(struct mirage_kv_ro *kv, const char *key, struct entry **e)
{
    struct archive *a = state(kv);
    struct kv_index ix = index_of(a);
    size_t i;
    int rc = kv_index_value(&ix, key, &i);
    if (rc == MIRAGE_OK)
        *e = &a->entries[i];
    return rc;
}

static int a_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size)
{
    struct entry *e;
    int rc = lookup(kv, key, &e);
    if (rc == MIRAGE_OK)
        *size = e->size;
    return rc;
}

static int a_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf,
                         size_t len, size_t *read)
{
    struct entry *e;
    int rc = lookup(kv, key, &e);
    if (rc != MIRAGE_OK)
        return rc;
    *read = 0;
    if (offset >= e->size)
        return MIRAGE_OK;
    uint64_t left = e->size - offset;
    size_t n = left < len ? (size_t)left : len;
    rc = read_bytes(state(kv), e->data + offset, buf, n);
    if (rc == MIRAGE_OK)
        *read = n;
    return rc;
}

static int a_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx)
{
    struct kv_index ix = index_of(state(kv));
    return kv_index_list(&ix, key, fn, ctx);
}

static int a_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns)
{
    struct entry *e;
    int rc = lookup(kv, key, &e);
    if (rc == MIRAGE_OK)
        *ns = e->mtime_ns;
    return rc;
}

static int a_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32])
{
    struct archive *a = state(kv);
    struct entry *e;
    int rc = lookup(kv, key, &e);
    if (rc != MIRAGE_OK)
        return rc;
    if (!e->hashed) {
        struct mirage_sha256 s;
        uint8_t chunk[4096];
        mirage_sha256_init(&s);
        for (uint64_t done = 0; done < e->size;) {
            size_t n = e->size - done < sizeof chunk ? (size_t)(e->size - done) : sizeof chunk;
            if ((rc = read_bytes(a, e->data + done, chunk, n)) < 0)
                return rc;
            mirage_sha256_update(&s, chunk, n);
            done += n;
        }
        mirage_sha256_final(&s, e->sha256);
        e->hashed = true;
    }
    memcpy(sha256, e->sha256, 32);
    return MIRAGE_OK;
}

static const struct mirage_kv_ro_ops archive_ops = {
    .exists = a_exists,
    .size = a_size,
    .get_partial = a_get_partial,
    .list = a_list,
    .last_modified = a_last_modified,
    .digest = a_digest,
};

int archive_connect(struct mirage_kv_ro *out, struct mirage_block *block)
{
    const struct mirage_block_info *info = mirage_block_info(block);
    uint32_t ss = info->sector_size;
    if (ss == 0 || ss > BOUNCE) {
        MIRAGE_LOG_ERR("archive", "%s: unsupported sector size %u", block->name, (unsigned)ss);
        return MIRAGE_ENOTSUP;
    }
    struct archive *a = calloc(1, sizeof *a);
    if (a == NULL)
        return MIRAGE_ENOMEM;
    a->block = block;
    a->sector_size = ss;
    a->bytes = info->sectors <= UINT64_MAX / ss ? info->sectors * ss : UINT64_MAX / ss * ss;
    a->buf_len = BOUNCE / ss * ss;
    a->buf = malloc(a->buf_len);
    if (a->buf == NULL) {
        release(a);
        return MIRAGE_ENOMEM;
    }
    const char *why = "";
    uint64_t where = 0;
    int rc = mirage_tar_scan(a->bytes, read_header, a, add_entry, a, &why, &where);
    if (rc < 0)
        MIRAGE_LOG_ERR("archive", "%s: not a usable tar archive: %s (header at byte %llu)", block->name,
                       why, (unsigned long long)where);
    else if ((rc = build_index(a, &why)) < 0)
        MIRAGE_LOG_ERR("archive", "%s: not a usable tar archive: %s", block->name, why);
    if (rc < 0) {
        release(a);
        return rc;
    }
    out->ops = &archive_ops;
    out->name = block->name;
    out->state = a;
    return MIRAGE_OK;
}
