/* The block module type: a device of fixed-size sectors. I/O is synchronous (every
 * platform's block I/O is), whole sectors only. */
#ifndef MIRAGE_BLOCK_H
#define MIRAGE_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mirage_block;

struct mirage_block_info {
    uint32_t sector_size; /* bytes, a power of two >= 512 */
    uint64_t sectors;     /* capacity in sectors */
    bool read_write;
};

struct mirage_block_ops {
    int (*read)(struct mirage_block *b, uint64_t sector, void *buf, size_t len);
    int (*write)(struct mirage_block *b, uint64_t sector, const void *buf, size_t len);
};

struct mirage_block {
    const struct mirage_block_ops *ops;
    struct mirage_block_info info;
    const char *name;
    void *state;   /* the implementation's */
    unsigned handle; /* platform handle, where the implementation has one */
};

/* The device's geometry. */
const struct mirage_block_info *mirage_block_info(const struct mirage_block *b);

/* Read or write len bytes at sector `sector`. Checked here for every implementation, in
 * this order: len a multiple of the sector size and the whole range inside the device
 * (computed without overflow), buf non-NULL unless len is 0, else MIRAGE_EINVAL; a write
 * to a device that is not read_write is MIRAGE_ENOTSUP. len 0 in range does nothing and
 * returns 0. Then MIRAGE_EIO (or MIRAGE_ENOSPC) on a device error. Implementations' ops
 * only ever see checked, non-empty requests. */
int mirage_block_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len);
int mirage_block_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len);

/* Implementations (connect functions called by generated code). */
/* The platform's block device `name`. On unix the host file (or block device) `path`,
 * opened read-write, else read-only if the host allows only that (read_write false);
 * capacity: its size at connect rounded down to 512-byte sectors; MIRAGE_ENOENT if it does
 * not exist. On spt and hvt the tender-attached device of that manifest name, on virtio
 * the virtio-blk device of that name (`path` is for `run` to attach): sector_size is its
 * block size, always read-write; MIRAGE_ENOENT if there is none. Failures are also logged
 * with the reason. */
int block_of_file_connect(struct mirage_block *out, const char *name, const char *path);
/* An in-memory disk of `sectors` sectors of 512 bytes, zeroed, allocated at connect
 * (MIRAGE_ENOMEM if it cannot be; MIRAGE_EINVAL if sectors <= 0). */
int ramdisk_connect(struct mirage_block *out, const char *name, int64_t sectors);

#endif
