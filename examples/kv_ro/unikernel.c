/* kv_ro: walk a read-only store.
 *
 * Lists every folder (sorted by name), reads every file through get_partial in chunks of
 * 3000 bytes (not a multiple of any sector size), and prints one line per file:
 * "<sha256 of what was read> <size> <key>". The read bytes must match the size the store
 * reports and the digest it reports, and a read at the end must return nothing; the last
 * line sums up. Exit 0 when everything agrees, 1 otherwise. */
#include <stdlib.h>
#include <string.h>

#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/kv_ro.h>
#include <mirage/sha256.h>

#include "mirage_app.h"

#define CHUNK 3000

struct child {
    char *name;
    enum mirage_kv_kind kind;
};

struct listing {
    struct child *items;
    size_t count, cap;
    int failed;
};

static unsigned char chunk[CHUNK];
static unsigned long long files, bytes;

static char *join(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    char *key = malloc(d + n + 2);
    if (key == NULL)
        return NULL;
    memcpy(key, dir, d);
    if (d > 0)
        key[d++] = '/';
    memcpy(key + d, name, n + 1);
    return key;
}

static void collect(void *ctx, const char *name, enum mirage_kv_kind kind)
{
    struct listing *l = ctx;
    if (l->count == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        struct child *items = realloc(l->items, cap * sizeof *items);
        if (items == NULL) {
            l->failed = 1;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    char *copy = join("", name);
    if (copy == NULL) {
        l->failed = 1;
        return;
    }
    l->items[l->count].name = copy;
    l->items[l->count++].kind = kind;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct child *)a)->name, ((const struct child *)b)->name);
}

static int fail(struct mirage_console *c, const char *key, const char *what, int rc)
{
    mirage_console_printf(c, "kv_ro: %s: %s (%s)\n", key[0] ? key : "/", what, mirage_strerror(rc));
    return 1;
}

static int check_file(struct mirage_console *c, struct mirage_kv_ro *kv, const char *key)
{
    uint64_t size, offset = 0;
    size_t n;
    int rc;
    enum mirage_kv_kind kind;
    if ((rc = mirage_kv_ro_exists(kv, key, &kind)) < 0 || kind != MIRAGE_KV_VALUE)
        return fail(c, key, "exists does not say it is a value", rc);
    if ((rc = mirage_kv_ro_size(kv, key, &size)) < 0)
        return fail(c, key, "size failed", rc);
    struct mirage_sha256 s;
    mirage_sha256_init(&s);
    do {
        if ((rc = mirage_kv_ro_get_partial(kv, key, offset, chunk, CHUNK, &n)) < 0)
            return fail(c, key, "get_partial failed", rc);
        mirage_sha256_update(&s, chunk, n);
        offset += n;
    } while (n == CHUNK);
    if (offset != size)
        return fail(c, key, "read a different number of bytes than its size", MIRAGE_EIO);
    uint8_t read_digest[MIRAGE_SHA256_LEN], store_digest[MIRAGE_SHA256_LEN];
    char hex[2 * MIRAGE_SHA256_LEN + 1];
    mirage_sha256_final(&s, read_digest);
    if ((rc = mirage_kv_ro_digest(kv, key, store_digest)) < 0)
        return fail(c, key, "digest failed", rc);
    if (memcmp(read_digest, store_digest, sizeof read_digest) != 0)
        return fail(c, key, "the store's digest differs from the digest of what was read", MIRAGE_EIO);
    mirage_sha256_hex(read_digest, hex);
    mirage_console_printf(c, "%s %llu %s\n", hex, (unsigned long long)size, key);
    files++;
    bytes += size;
    return 0;
}

/* Every file below the folder `dir` ("" for the root), depth first in name order. */
static int walk(struct mirage_console *c, struct mirage_kv_ro *kv, const char *dir)
{
    struct listing l = {0};
    int rc = mirage_kv_ro_list(kv, dir, collect, &l);
    int status = rc < 0 ? fail(c, dir, "list failed", rc) : l.failed ? fail(c, dir, "out of memory", 0) : 0;
    if (l.count > 1)
        qsort(l.items, l.count, sizeof *l.items, by_name);
    for (size_t i = 0; i < l.count; i++) {
        char *key = status == 0 ? join(dir, l.items[i].name) : NULL;
        if (key == NULL)
            status = status ? status : fail(c, dir, "out of memory", 0);
        else if (l.items[i].kind == MIRAGE_KV_DICTIONARY)
            status = walk(c, kv, key);
        else
            status = check_file(c, kv, key);
        free(key);
        free(l.items[i].name);
    }
    free(l.items);
    return status;
}

int unikernel_start(struct mirage_console *console, struct mirage_kv_ro *store)
{
    int status = walk(console, store, "");
    if (status == 0)
        mirage_console_printf(console, "kv_ro: %llu files, %llu bytes: OK\n", files, bytes);
    return status;
}
