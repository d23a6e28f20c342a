/* The block module type: a device of fixed-size sectors. I/O is synchronous (every
 * platform's block I/O is), whole sectors only.
 *
 * Durability, the promise: a write that returned 0 is visible to every later read, but
 * survives a power cut or host crash only once a later mirage_block_flush returned 0, or
 * at once on a device connected with durable (see block_of_file_connect). A write of one
 * sector is atomic against a crash of the unikernel (old or new sector, never a mix); a
 * write of several sectors is not: after a crash any subset of its sectors may be new.
 * Put the commit point of a multi-sector update in one sector, written last, after a
 * flush (examples/block does). */
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
    int (*flush)(struct mirage_block *b); /* NULL: nothing is ever pending (memory) */
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

/* A barrier: returns 0 once every write that returned before it is durable (on the
 * disk, not in a host cache). MIRAGE_ENOTSUP when the platform can promise no such thing:
 * under Solo5's own solo5-spt/solo5-hvt (the Solo5 ABI has no flush call), and under our
 * tenders without --block-sync:NAME. MIRAGE_EIO if the host reports a failed write-back
 * (data written since the previous flush may then be lost). A read-only or in-memory
 * device returns 0 (nothing can be lost that a flush would save). */
int mirage_block_flush(struct mirage_block *b);

/* Implementations (connect functions called by generated code). */
/* The platform's block device `name`. On unix the host file (or block device) `path`,
 * opened read-write, else read-only if the host allows only that (read_write false);
 * capacity: its size at connect rounded down to 512-byte sectors; MIRAGE_ENOENT if it does
 * not exist; MIRAGE_EBUSY if another process (a unikernel, a tender) holds it: the file is
 * locked (flock, exclusive) while the device lives. On spt and hvt the tender-attached
 * device of that manifest name, on virtio the virtio-blk device of that name (`path` is
 * for `run` to attach): sector_size is its block size, always read-write; MIRAGE_ENOENT if
 * there is none. Failures are also logged with the reason.
 * With `durable`, every write is durable when it returns (unix: O_DSYNC; virtio: a flush
 * after each write; spt/hvt: only under our tenders given --block-sync:NAME, which `scons
 * run` passes; connect fails with MIRAGE_ENOTSUP under a tender that does not sync). */
int block_of_file_connect(struct mirage_block *out, const char *name, const char *path, bool durable);
/* An in-memory disk of `sectors` sectors of 512 bytes, zeroed, allocated at connect
 * (MIRAGE_ENOMEM if it cannot be; MIRAGE_EINVAL if sectors <= 0). */
int ramdisk_connect(struct mirage_block *out, const char *name, int64_t sectors);

#endif
