/* block_of_file on unix: a host file (or block device) opened read-write, or read-only
 * when the host allows only that. The descriptor is the device's handle; capacity is
 * the size at connect, which must be a whole number of 512-byte sectors (as the Solo5
 * tenders require), so no byte of the file is silently left out. flush is fdatasync;
 * durable opens with O_DSYNC. An exclusive flock keeps a second user (a tender, another
 * unikernel) from writing the same file at the same time. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/types.h>
#include <unistd.h>

#include <mirage/block.h>
#include <mirage/errors.h>
#include <mirage/log.h>
#include <unix_platform.h>

#define FILE_SECTOR 512u

static int file_fd(const struct mirage_block *b)
{
    return (int)b->handle;
}

static int file_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len)
{
    unsigned char *p = buf;
    off_t off = (off_t)(sector * FILE_SECTOR);
    while (len > 0) {
        ssize_t n = pread(file_fd(b), p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* an error, or the file shrank under us */
            MIRAGE_LOG_ERR("block", "%s: read at byte %lld failed: %s", b->name, (long long)off,
                           n < 0 ? strerror(errno) : "end of file");
            return MIRAGE_EIO;
        }
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return MIRAGE_OK;
}

static int file_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    off_t off = (off_t)(sector * FILE_SECTOR);
    while (len > 0) {
        ssize_t n = pwrite(file_fd(b), p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            MIRAGE_LOG_ERR("block", "%s: write at byte %lld failed: %s", b->name, (long long)off,
                           n < 0 ? strerror(errno) : "nothing written");
            return n < 0 && errno == ENOSPC ? MIRAGE_ENOSPC : MIRAGE_EIO;
        }
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return MIRAGE_OK;
}

static int file_flush(struct mirage_block *b)
{
    while (fdatasync(file_fd(b)) < 0) {
        if (errno == EINTR)
            continue;
        MIRAGE_LOG_ERR("block", "%s: flush failed: %s", b->name, strerror(errno));
        return MIRAGE_EIO;
    }
    return MIRAGE_OK;
}

static const struct mirage_block_ops file_ops = {
    .read = file_read,
    .write = file_write,
    .flush = file_flush,
};

static int from_errno(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR: return MIRAGE_ENOENT;
    case ENOMEM: return MIRAGE_ENOMEM;
    case EINVAL: return MIRAGE_EINVAL;
    default: return MIRAGE_EIO;
    }
}

int block_of_file_connect(struct mirage_block *out, const char *name, const char *path, bool durable)
{
    const char *attached = mirage_unix_attached("block", name);
    if (attached != NULL)
        path = attached;
    bool read_write = true;
    int fd = open(path, O_RDWR | O_CLOEXEC | (durable ? O_DSYNC : 0));
    if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        read_write = false;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        int err = errno;
        MIRAGE_LOG_ERR("block", "%s: cannot open %s: %s", name, path, strerror(err));
        return from_errno(err);
    }
    /* Shared for a read-only user: readers may share, no one writes under a writer. */
    if (flock(fd, (read_write ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
        int err = errno;
        MIRAGE_LOG_ERR("block", "%s: %s is in use by another process (%s)", name, path,
                       err == EWOULDBLOCK ? "locked" : strerror(err));
        close(fd);
        return err == EWOULDBLOCK ? MIRAGE_EBUSY : from_errno(err);
    }
    /* lseek rather than fstat: st_size is 0 for a block device. */
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0) {
        int err = errno;
        MIRAGE_LOG_ERR("block", "%s: cannot size %s: %s", name, path, strerror(err));
        close(fd);
        return from_errno(err);
    }
    if (size % FILE_SECTOR != 0) {
        MIRAGE_LOG_ERR("block", "%s: %s is %lld bytes, not a whole number of %d-byte sectors", name, path,
                       (long long)size, FILE_SECTOR);
        close(fd);
        return MIRAGE_EINVAL;
    }
    *out = (struct mirage_block){
        .ops = &file_ops,
        .info = { .sector_size = FILE_SECTOR, .sectors = (uint64_t)size / FILE_SECTOR,
                  .read_write = read_write },
        .name = name,
        .handle = (unsigned)fd,
    };
    return MIRAGE_OK;
}
