/* direct_kv_rw on unix: direct_kv_ro's host folder, also written. set writes a temporary
 * file next to the value, fsyncs it, renames it over the old one and fsyncs the folder: a
 * reader, or a boot after a crash, sees the old value or the new one, and the new one once
 * set returned. set_partial writes in place and fdatasyncs (durable, not atomic); remove
 * deletes a file, or a folder and everything below it, without following symlinks, then
 * fsyncs the folder; rename is rename(2) and fsyncs both folders. Folders above a new
 * value are made as needed (and fsynced up to the store's folder), and folders that remove
 * or rename leave empty are removed, so folders behave as in kv_rw_mem. Keys are confined
 * to the folder exactly as for reads. Temporary files a crash left are removed at connect. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mirage/errors.h>
#include <mirage/kv_rw.h>
#include <mirage/kv_index.h>

#include "kv_direct.h"

static struct direct_kv *state(struct mirage_kv_rw *kv)
{
    return kv->ro.state;
}

static char *join(const char *dir, const char *name, size_t nlen)
{
    size_t dlen = strlen(dir);
    char *p = malloc(dlen + nlen + 2);
    if (p != NULL) {
        memcpy(p, dir, dlen);
        p[dlen] = '/';
        memcpy(p + dlen + 1, name, nlen);
        p[dlen + 1 + nlen] = '\0';
    }
    return p;
}

/* fsync the folder `dir`: a rename, unlink or mkdir in it then survives a crash. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return direct_kv_error(errno);
    int rc = fsync(fd) < 0 ? direct_kv_error(errno) : MIRAGE_OK;
    close(fd);
    return rc;
}

/* fsync `dir` and each folder above it up to the store's folder (after a mkdir -p). */
static int sync_up(const struct direct_kv *d, const char *dir)
{
    size_t len = strlen(dir);
    char *p = malloc(len + 1);
    if (p == NULL)
        return MIRAGE_ENOMEM;
    memcpy(p, dir, len + 1);
    int rc = MIRAGE_OK;
    while (rc == MIRAGE_OK) {
        rc = sync_dir(p);
        if (len <= d->root_len)
            break;
        while (len > d->root_len && p[len - 1] != '/')
            len--;
        p[--len] = '\0';
    }
    free(p);
    return rc;
}

/* The host path of the valid, non-root key k[0..n) as a real parent folder and the last
 * component (*entry, freed by the caller); with `create`, missing folders are made (and
 * made durable). *parent (freed by the caller too) is the parent's real path. */
static int entry_of(struct mirage_kv_rw *kv, const char *k, size_t n, bool create, char **parent,
                    char **entry)
{
    const struct direct_kv *d = state(kv);
    if (direct_kv_is_temp(k, n))
        return MIRAGE_EINVAL; /* reserved for our temporary files */
    size_t plen = n;
    while (plen > 0 && k[plen - 1] != '/')
        plen--;
    const char *name = k + plen;
    plen = plen > 0 ? plen - 1 : 0; /* without the slash */
    bool exists;
    char *dir;
    int rc = direct_kv_resolve(d, k, plen, &dir, &exists);
    if (rc < 0)
        return rc;
    struct stat st;
    if (exists && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
        free(dir);
        return MIRAGE_EINVAL; /* the parent is a value */
    }
    if (!exists && !create) {
        free(dir);
        return MIRAGE_ENOENT;
    }
    bool made = !exists;
    for (size_t i = d->root_len + 1; !exists; i++) { /* mkdir -p: the ancestors exist already */
        if (dir[i] != '/' && dir[i] != '\0')
            continue;
        char saved = dir[i];
        dir[i] = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
            rc = direct_kv_error(errno);
            free(dir);
            return rc;
        }
        dir[i] = saved;
        exists = saved == '\0';
    }
    if (made && (rc = sync_up(d, dir)) < 0) {
        free(dir);
        return rc;
    }
    *entry = join(dir, name, n - (size_t)(name - k));
    if (*entry == NULL) {
        free(dir);
        return MIRAGE_ENOMEM;
    }
    *parent = dir;
    return MIRAGE_OK;
}

/* Remove the folders from `dir` up that are empty, stopping at the store's folder. */
static void prune(const struct direct_kv *d, char *dir)
{
    size_t len = strlen(dir);
    while (len > d->root_len && direct_kv_inside(d, dir) && rmdir(dir) == 0) {
        while (len > d->root_len && dir[len - 1] != '/')
            len--;
        dir[--len] = '\0';
    }
}

static int write_all(int fd, const void *data, size_t len, uint64_t offset)
{
    const uint8_t *p = data;
    while (len > 0) {
        size_t want = len < (size_t)SSIZE_MAX ? len : (size_t)SSIZE_MAX;
        ssize_t n = pwrite(fd, p, want, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? direct_kv_error(errno) : MIRAGE_EIO;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return MIRAGE_OK;
}

static int w_set(struct mirage_kv_rw *kv, const char *key, const void *data, size_t len)
{
    size_t n;
    const char *k = kv_key_check(key, &n);
    if (k == NULL || n == 0)
        return MIRAGE_EINVAL;
    char *dir, *entry;
    int rc = entry_of(kv, k, n, true, &dir, &entry);
    if (rc < 0)
        return rc;
    struct stat st;
    char *tmp = NULL;
    if (stat(entry, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = MIRAGE_EINVAL;
    } else if ((tmp = join(dir, DIRECT_KV_TEMP "XXXXXX", DIRECT_KV_TEMP_LEN + 6)) == NULL) {
        rc = MIRAGE_ENOMEM;
    } else {
        int fd = mkstemp(tmp);
        if (fd < 0) {
            rc = direct_kv_error(errno);
        } else {
            rc = write_all(fd, data, len, 0);
            if (rc == MIRAGE_OK && fchmod(fd, 0644) < 0)
                rc = direct_kv_error(errno);
            if (rc == MIRAGE_OK && fsync(fd) < 0) /* the bytes before the name points at them */
                rc = direct_kv_error(errno);
            if (close(fd) < 0 && rc == MIRAGE_OK)
                rc = direct_kv_error(errno);
            if (rc == MIRAGE_OK && rename(tmp, entry) < 0)
                rc = direct_kv_error(errno);
            if (rc < 0)
                unlink(tmp);
            else
                rc = sync_dir(dir); /* the rename itself */
        }
    }
    free(tmp);
    free(entry);
    free(dir);
    return rc;
}

static int w_set_partial(struct mirage_kv_rw *kv, const char *key, uint64_t offset, const void *data,
                         size_t len)
{
    enum mirage_kv_kind kind;
    int rc = mirage_kv_ro_exists(&kv->ro, key, &kind);
    if (rc < 0)
        return rc;
    if (kind == MIRAGE_KV_DICTIONARY)
        return MIRAGE_EINVAL;
    if (len == 0)
        return MIRAGE_OK;
    size_t n;
    bool exists;
    char *path;
    const char *k = kv_key_check(key, &n); /* a value's key is valid */
    if (k == NULL || (rc = direct_kv_resolve(state(kv), k, n, &path, &exists)) < 0)
        return k == NULL ? MIRAGE_ENOENT : rc;
    int fd = exists ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    rc = fd < 0 ? (exists ? direct_kv_error(errno) : MIRAGE_ENOENT) : MIRAGE_OK;
    free(path);
    if (fd >= 0) {
        rc = write_all(fd, data, len, offset);
        if (rc == MIRAGE_OK && fdatasync(fd) < 0)
            rc = direct_kv_error(errno);
        if (close(fd) < 0 && rc == MIRAGE_OK)
            rc = direct_kv_error(errno);
    }
    return rc;
}

/* Remove the folder `name` (relative to the open folder `parent`) and everything in it,
 * never following a symlink. Passes repeat until a pass removes nothing, since readdir may
 * miss entries removed while it runs. */
static int remove_tree(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return direct_kv_error(errno);
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        int err = errno;
        close(fd);
        return direct_kv_error(err);
    }
    int rc = MIRAGE_OK;
    size_t removed;
    do {
        removed = 0;
        rewinddir(dir);
        struct dirent *de;
        while (rc == MIRAGE_OK && (de = readdir(dir)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            struct stat st;
            if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                rc = direct_kv_error(errno);
            else if (S_ISDIR(st.st_mode))
                rc = remove_tree(fd, de->d_name);
            else if (unlinkat(fd, de->d_name, 0) < 0)
                rc = direct_kv_error(errno);
            removed++;
        }
    } while (rc == MIRAGE_OK && removed > 0);
    closedir(dir);
    if (rc == MIRAGE_OK && unlinkat(parent, name, AT_REMOVEDIR) < 0)
        rc = direct_kv_error(errno);
    return rc;
}

static int w_remove(struct mirage_kv_rw *kv, const char *key)
{
    size_t n;
    const char *k = kv_key_check(key, &n);
    if (k == NULL || n == 0)
        return MIRAGE_EINVAL;
    enum mirage_kv_kind kind;
    int rc = mirage_kv_ro_exists(&kv->ro, k, &kind);
    if (rc < 0)
        return rc;
    char *dir, *entry;
    if ((rc = entry_of(kv, k, n, false, &dir, &entry)) < 0)
        return rc;
    struct stat st;
    if (lstat(entry, &st) < 0)
        rc = direct_kv_error(errno);
    else if (S_ISDIR(st.st_mode))
        rc = remove_tree(AT_FDCWD, entry);
    else if (unlink(entry) < 0) /* a file, or a symlink (not what it points to) */
        rc = direct_kv_error(errno);
    if (rc == MIRAGE_OK && (rc = sync_dir(dir)) == MIRAGE_OK) {
        prune(state(kv), dir);
        rc = sync_dir(dir); /* where pruning stopped: the removed folders' parent */
    }
    free(entry);
    free(dir);
    return rc;
}

static int w_rename(struct mirage_kv_rw *kv, const char *source, const char *dest)
{
    size_t sn, dn;
    const char *s = kv_key_check(source, &sn);
    const char *d = kv_key_check(dest, &dn);
    if (s == NULL || d == NULL || sn == 0 || dn == 0)
        return MIRAGE_EINVAL;
    enum mirage_kv_kind skind, dkind;
    int rc = mirage_kv_ro_exists(&kv->ro, s, &skind);
    if (rc < 0)
        return rc;
    if (sn == dn && memcmp(s, d, sn) == 0)
        return MIRAGE_OK;
    if (dn > sn && memcmp(s, d, sn) == 0 && d[sn] == '/')
        return MIRAGE_EINVAL; /* into itself */
    rc = mirage_kv_ro_exists(&kv->ro, d, &dkind);
    if (rc == MIRAGE_OK && (dkind == MIRAGE_KV_DICTIONARY || skind == MIRAGE_KV_DICTIONARY))
        return MIRAGE_EEXIST;
    if (rc < 0 && rc != MIRAGE_ENOENT)
        return rc;
    char *sdir, *sentry, *ddir, *dentry;
    if ((rc = entry_of(kv, s, sn, false, &sdir, &sentry)) < 0)
        return rc;
    if ((rc = entry_of(kv, d, dn, true, &ddir, &dentry)) == MIRAGE_OK) {
        if (rename(sentry, dentry) < 0)
            rc = direct_kv_error(errno);
        else if ((rc = sync_dir(ddir)) == MIRAGE_OK && (rc = sync_dir(sdir)) == MIRAGE_OK) {
            prune(state(kv), sdir);
            rc = sync_dir(sdir);
        }
        free(ddir);
        free(dentry);
    }
    free(sdir);
    free(sentry);
    return rc;
}

static const struct mirage_kv_rw_ops direct_rw_ops = {
    .set = w_set,
    .set_partial = w_set_partial,
    .remove = w_remove,
    .rename = w_rename,
};

/* nftw callback: unlink a temporary file a crash left behind (never a folder). */
static int drop_temp(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    if (type == FTW_F && direct_kv_is_temp(path + ftw->base, strlen(path + ftw->base)))
        unlink(path);
    return 0;
}

int direct_kv_rw_connect(struct mirage_kv_rw *out, const char *folder)
{
    int rc = direct_kv_ro_connect(&out->ro, folder);
    if (rc != MIRAGE_OK)
        return rc;
    /* Before any set: a temporary file now can only be a crashed set's. */
    if (nftw(state(out)->root, drop_temp, 16, FTW_PHYS) != 0)
        return direct_kv_error(errno);
    out->rw_ops = &direct_rw_ops;
    return MIRAGE_OK;
}
