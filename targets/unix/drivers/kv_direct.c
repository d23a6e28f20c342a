/* direct_kv_ro on unix: a host folder read at every access (open/pread/readdir/stat),
 * so the store shows the folder as it is now. A key is served only if every component is
 * a plain name (no "." or "..", no empty one) and its real path (symlinks resolved) stays
 * inside the folder: a key can never reach outside it. Regular files are values and
 * folders dictionaries (empty ones too); anything else does not exist. Digests are
 * computed by reading the file each time (it may have changed). */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mirage/errors.h>
#include <mirage/kv_ro.h>
#include <mirage/log.h>
#include <mirage/sha256.h>
#include <mirage/kv_index.h>

#include "kv_direct.h"

int direct_kv_error(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ELOOP:
    case ENAMETOOLONG:
        return MIRAGE_ENOENT;
    case ENOMEM:
        return MIRAGE_ENOMEM;
    case ENOSPC:
    case EDQUOT:
        return MIRAGE_ENOSPC;
    case EEXIST:
    case ENOTEMPTY:
        return MIRAGE_EEXIST;
    case EROFS:
    case EPERM:
    case EACCES:
        return MIRAGE_ENOTSUP;
    default:
        return MIRAGE_EIO;
    }
}

bool direct_kv_inside(const struct direct_kv *d, const char *path)
{
    return strncmp(path, d->root, d->root_len) == 0 &&
           (path[d->root_len] == '\0' || path[d->root_len] == '/' || d->root_len == 1);
}

static char *join(const char *a, size_t alen, const char *b, size_t blen)
{
    char *p = malloc(alen + blen + 2);
    if (p != NULL) {
        memcpy(p, a, alen);
        p[alen] = '/';
        memcpy(p + alen + 1, b, blen);
        p[alen + 1 + blen] = '\0';
    }
    return p;
}

int direct_kv_resolve(const struct direct_kv *d, const char *key, size_t len, char **path, bool *exists)
{
    char *full = len > 0 ? join(d->root, d->root_len, key, len) : strdup(d->root);
    if (full == NULL)
        return MIRAGE_ENOMEM;
    size_t cut = d->root_len + (len > 0 ? 1 + len : 0); /* full[0..cut) is being resolved */
    for (;;) {
        char saved = full[cut];
        full[cut] = '\0';
        char *real = realpath(full, NULL);
        full[cut] = saved;
        if (real != NULL) {
            int rc = MIRAGE_OK;
            struct stat st;
            if (!direct_kv_inside(d, real))
                rc = MIRAGE_ENOENT;
            else if (full[cut] != '\0' && (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)))
                rc = MIRAGE_EINVAL; /* an ancestor is not a folder */
            if (rc == MIRAGE_OK) {
                *exists = full[cut] == '\0';
                size_t rlen = strlen(real);
                /* full + cut is "" or "/missing/..." */
                char *p = *exists ? real : join(real, rlen, full + cut + 1, strlen(full + cut + 1));
                if (p != real)
                    free(real);
                *path = p;
                if (p == NULL)
                    rc = MIRAGE_ENOMEM;
            } else {
                free(real);
            }
            free(full);
            return rc;
        }
        if (errno != ENOENT || cut <= d->root_len) {
            int err = errno;
            free(full);
            return err == ENOTDIR ? MIRAGE_EINVAL : direct_kv_error(err);
        }
        while (cut > d->root_len && full[cut - 1] != '/')
            cut--;
        cut--; /* drop the last component and its slash */
    }
}

bool direct_kv_is_temp(const char *key, size_t len)
{
    size_t start = len;
    while (start > 0 && key[start - 1] != '/')
        start--;
    return len - start >= DIRECT_KV_TEMP_LEN && memcmp(key + start, DIRECT_KV_TEMP, DIRECT_KV_TEMP_LEN) == 0;
}

static struct direct_kv *state(struct mirage_kv_ro *kv)
{
    return kv->state;
}

/* The real path and status of an existing key that the store serves (a regular file or
 * a folder inside the folder). */
static int find(struct mirage_kv_ro *kv, const char *key, char **path, struct stat *st)
{
    size_t len;
    bool exists;
    const char *k = kv_key_check(key, &len);
    if (k == NULL) { /* a folder may be named with a trailing slash: retry without */
        size_t n = strlen(key);
        while (n > 1 && key[n - 1] == '/')
            n--;
        if (n == strlen(key))
            return MIRAGE_ENOENT;
        char *copy = malloc(n + 1);
        if (copy == NULL)
            return MIRAGE_ENOMEM;
        memcpy(copy, key, n);
        copy[n] = '\0';
        int rc = find(kv, copy, path, st);
        free(copy);
        if (rc == MIRAGE_OK && !S_ISDIR(st->st_mode)) {
            free(*path);
            rc = MIRAGE_ENOENT;
        }
        return rc;
    }
    if (direct_kv_is_temp(k, len))
        return MIRAGE_ENOENT; /* a set under way, or left by a crash */
    int rc = direct_kv_resolve(state(kv), k, len, path, &exists);
    if (rc == MIRAGE_EINVAL)
        rc = MIRAGE_ENOENT; /* below a file: nothing there */
    if (rc < 0)
        return rc;
    if (!exists) {
        free(*path);
        return MIRAGE_ENOENT;
    }
    if (stat(*path, st) < 0)
        rc = direct_kv_error(errno);
    else if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
        rc = MIRAGE_ENOENT; /* not served: a device, a fifo, a socket */
    if (rc < 0)
        free(*path);
    return rc;
}

/* A value: its open descriptor and status. */
static int open_value(struct mirage_kv_ro *kv, const char *key, int *fd, struct stat *st)
{
    char *path;
    int rc = find(kv, key, &path, st);
    if (rc < 0)
        return rc;
    if (S_ISDIR(st->st_mode)) {
        free(path);
        return MIRAGE_EINVAL;
    }
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    int err = errno;
    free(path);
    if (*fd < 0)
        return direct_kv_error(err);
    if (fstat(*fd, st) < 0 || !S_ISREG(st->st_mode)) { /* replaced since */
        close(*fd);
        return MIRAGE_ENOENT;
    }
    return MIRAGE_OK;
}

static int d_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind)
{
    char *path;
    struct stat st;
    int rc = find(kv, key, &path, &st);
    if (rc < 0)
        return rc;
    free(path);
    *kind = S_ISDIR(st.st_mode) ? MIRAGE_KV_DICTIONARY : MIRAGE_KV_VALUE;
    return MIRAGE_OK;
}

static int d_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size)
{
    char *path;
    struct stat st;
    int rc = find(kv, key, &path, &st);
    if (rc < 0)
        return rc;
    free(path);
    if (S_ISDIR(st.st_mode))
        return MIRAGE_EINVAL;
    *size = (uint64_t)st.st_size;
    return MIRAGE_OK;
}

/* pread until len bytes or the end of the file; *got is how many. */
static int read_at(int fd, uint64_t offset, void *buf, size_t len, size_t *got)
{
    uint8_t *p = buf;
    *got = 0;
    if (offset > (uint64_t)INT64_MAX)
        return MIRAGE_OK; /* past any end */
    while (len > 0) {
        size_t want = len < (size_t)SSIZE_MAX ? len : (size_t)SSIZE_MAX;
        ssize_t n = pread(fd, p, want, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return direct_kv_error(errno);
        if (n == 0)
            break;
        p += n;
        *got += (size_t)n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return MIRAGE_OK;
}

static int d_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf, size_t len,
                         size_t *read)
{
    int fd;
    struct stat st;
    int rc = open_value(kv, key, &fd, &st);
    if (rc < 0)
        return rc;
    rc = read_at(fd, offset, buf, len, read);
    close(fd);
    return rc;
}

struct child {
    char *name;
    enum mirage_kv_kind kind;
};

struct children {
    struct child *items;
    size_t count, cap;
};

static int add_child(struct children *c, const char *name, enum mirage_kv_kind kind)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct child *items = realloc(c->items, cap * sizeof *items);
        if (items == NULL)
            return MIRAGE_ENOMEM;
        c->items = items;
        c->cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return MIRAGE_ENOMEM;
    c->items[c->count++] = (struct child){copy, kind};
    return MIRAGE_OK;
}

/* The i-th character of the child's key: its name, then '/' for a folder. */
static int key_char(const struct child *c, size_t i, size_t len)
{
    if (i < len)
        return (unsigned char)c->name[i];
    return i == len && c->kind == MIRAGE_KV_DICTIONARY ? '/' : 0;
}

/* Key order, as the other stores list: a folder sorts as its name followed by '/'. */
static int by_key(const void *a, const void *b)
{
    const struct child *x = a, *y = b;
    size_t xl = strlen(x->name), yl = strlen(y->name);
    for (size_t i = 0;; i++) {
        int c = key_char(x, i, xl), d = key_char(y, i, yl);
        if (c != d || c == 0)
            return c - d;
    }
}

/* The entries of the folder at `path` that the store serves, sorted by name. */
static int read_folder(struct mirage_kv_ro *kv, const char *path, struct children *out)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return direct_kv_error(errno);
    size_t plen = strlen(path);
    int rc = MIRAGE_OK;
    struct dirent *de;
    while (rc == MIRAGE_OK && (errno = 0, de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || direct_kv_is_temp(name, strlen(name)))
            continue;
        char *child = join(path, plen, name, strlen(name));
        if (child == NULL) {
            rc = MIRAGE_ENOMEM;
            break;
        }
        struct stat st;
        char *real = NULL;
        if (lstat(child, &st) == 0 && S_ISLNK(st.st_mode)) { /* only links that stay inside */
            real = realpath(child, NULL);
            if (real == NULL || !direct_kv_inside(state(kv), real) || stat(real, &st) < 0)
                st.st_mode = 0;
        }
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
            rc = add_child(out, name, S_ISDIR(st.st_mode) ? MIRAGE_KV_DICTIONARY : MIRAGE_KV_VALUE);
        free(real);
        free(child);
    }
    if (rc == MIRAGE_OK && errno != 0)
        rc = direct_kv_error(errno);
    closedir(dir);
    return rc;
}

static int d_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx)
{
    char *path;
    struct stat st;
    int rc = find(kv, key, &path, &st);
    if (rc < 0)
        return rc;
    if (!S_ISDIR(st.st_mode)) {
        free(path);
        return MIRAGE_EINVAL;
    }
    struct children c = {0};
    rc = read_folder(kv, path, &c);
    free(path);
    if (rc == MIRAGE_OK) {
        if (c.count > 1) /* the same order as the other stores */
            qsort(c.items, c.count, sizeof *c.items, by_key);
        for (size_t i = 0; i < c.count; i++)
            fn(ctx, c.items[i].name, c.items[i].kind);
    }
    for (size_t i = 0; i < c.count; i++)
        free(c.items[i].name);
    free(c.items);
    return rc;
}

static int d_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns)
{
    char *path;
    struct stat st;
    int rc = find(kv, key, &path, &st);
    if (rc < 0)
        return rc;
    free(path);
    if (S_ISDIR(st.st_mode))
        return MIRAGE_EINVAL;
    *ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
    return MIRAGE_OK;
}

static int d_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32])
{
    int fd;
    struct stat st;
    int rc = open_value(kv, key, &fd, &st);
    if (rc < 0)
        return rc;
    struct mirage_sha256 s;
    uint8_t chunk[16384];
    uint64_t offset = 0;
    size_t got;
    mirage_sha256_init(&s);
    while ((rc = read_at(fd, offset, chunk, sizeof chunk, &got)) == MIRAGE_OK && got > 0) {
        mirage_sha256_update(&s, chunk, got);
        offset += got;
    }
    close(fd);
    if (rc == MIRAGE_OK)
        mirage_sha256_final(&s, sha256);
    return rc;
}

static const struct mirage_kv_ro_ops direct_ops = {
    .exists = d_exists,
    .size = d_size,
    .get_partial = d_get_partial,
    .list = d_list,
    .last_modified = d_last_modified,
    .digest = d_digest,
};

int direct_kv_ro_connect(struct mirage_kv_ro *out, const char *folder)
{
    struct stat st;
    char *root = realpath(folder, NULL);
    if (root == NULL || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
        int rc = root == NULL ? direct_kv_error(errno) : MIRAGE_EINVAL;
        MIRAGE_LOG_ERR("direct_kv_ro", "%s: not a folder: %s", folder,
                       root == NULL ? strerror(errno) : "not a directory");
        free(root);
        return rc;
    }
    struct direct_kv *d = malloc(sizeof *d);
    if (d == NULL) {
        free(root);
        return MIRAGE_ENOMEM;
    }
    d->root = root;
    d->root_len = strlen(root);
    out->ops = &direct_ops;
    out->name = folder;
    out->state = d;
    return MIRAGE_OK;
}
