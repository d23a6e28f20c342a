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

/* Read or write len bytes at sector `sector`: len a multiple of the sector size and
 * the range inside the device (else MIRAGE_EINVAL); MIRAGE_EIO on a device error;
 * MIRAGE_EROFS-like refusals of writes are MIRAGE_ENOTSUP. */
int mirage_block_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len);
int mirage_block_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len);

/* Implementations (connect functions called by generated code). */
/* The platform's block device `name`: the host file `path` on unix, the tender-attached
 * device of that manifest name on Solo5 targets, virtio-blk on virtio. */
int block_of_file_connect(struct mirage_block *out, const char *name, const char *path);
/* An in-memory disk of `sectors` sectors of 512 bytes (allocated at connect). */
int ramdisk_connect(struct mirage_block *out, const char *name, int64_t sectors);

#endif
