/* block_of_file on Solo5 targets: the manifest's block device of that name, attached by
 * the tender (the host path is the tender's business, not ours). The platform moves
 * exactly one block per call, so a request of several sectors is split here.
 * Durability: spt and hvt have no flush call, so a device is durable only when our
 * tender syncs every write (--block-sync:NAME); virtio asks the device to flush. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mirage/block.h>
#include <mirage/errors.h>
#include <mirage/log.h>
#include <solo5_platform.h>

/* b->state: non-NULL when each write must be followed by a flush (durable, and the
 * host does not sync by itself). */
#define FLUSH_EACH_WRITE ((void *)1)

static int solo5_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len)
{
    uint32_t bs = b->info.sector_size;
    unsigned char *p = buf;
    for (size_t done = 0; done < len; done += bs, sector++) {
        int rc = mirage_solo5_block_read(b->handle, sector * bs, p + done, bs);
        if (rc < 0)
            return rc;
    }
    return MIRAGE_OK;
}

static int solo5_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    uint32_t bs = b->info.sector_size;
    const unsigned char *p = buf;
    for (size_t done = 0; done < len; done += bs, sector++) {
        int rc = mirage_solo5_block_write(b->handle, sector * bs, p + done, bs);
        if (rc < 0)
            return rc;
    }
    return b->state == FLUSH_EACH_WRITE ? mirage_solo5_block_flush(b->handle) : MIRAGE_OK;
}

static int solo5_flush(struct mirage_block *b)
{
    return mirage_solo5_block_flush(b->handle);
}

static const struct mirage_block_ops solo5_ops = {
    .read = solo5_read,
    .write = solo5_write,
    .flush = solo5_flush,
};

int block_of_file_connect(struct mirage_block *out, const char *name, const char *path, bool durable)
{
    (void)path;
    unsigned handle;
    uint64_t capacity;
    uint16_t block_size;
    int rc = mirage_solo5_block_info(name, &handle, &capacity, &block_size);
    if (rc < 0) {
        MIRAGE_LOG_ERR("block", "%s: no block device of that name is attached (%s)", name,
                       mirage_strerror(rc));
        return rc;
    }
    if (block_size < 512 || (block_size & (block_size - 1)) != 0) {
        MIRAGE_LOG_ERR("block", "%s: unusable block size %u", name, (unsigned)block_size);
        return MIRAGE_EINVAL;
    }
    void *state = NULL;
    if (durable && !mirage_solo5_block_synced(handle)) {
        /* A flush now tells whether the host can flush at all. */
        if ((rc = mirage_solo5_block_flush(handle)) < 0) {
            MIRAGE_LOG_ERR("block", "%s: durable, but the host cannot make writes durable (%s): "
                           "under spt and hvt only our tenders can, given --block-sync:%s",
                           name, mirage_strerror(rc), name);
            return rc;
        }
        state = FLUSH_EACH_WRITE;
    }
    *out = (struct mirage_block){
        .ops = &solo5_ops,
        /* Solo5 attaches block devices read-write (the tender fails if it cannot). */
        .info = { .sector_size = block_size, .sectors = capacity / block_size, .read_write = true },
        .name = name,
        .state = state,
        .handle = handle,
    };
    return MIRAGE_OK;
}
