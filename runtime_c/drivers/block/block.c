/* The block module type: argument checks shared by every implementation, then
 * dispatch through the ops table. Implementations only ever see whole sectors
 * inside the device, with a non-empty request. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/block.h>
#include <mirage/errors.h>

const struct mirage_block_info *mirage_block_info(const struct mirage_block *b)
{
    return &b->info;
}

/* len whole sectors starting at `sector`, all inside the device. Written so that no
 * sum can wrap: sector + len / sector_size is never computed. */
static int check(const struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    uint32_t ss = b->info.sector_size;
    if (ss == 0 || len % ss != 0)
        return MIRAGE_EINVAL;
    if (sector > b->info.sectors || (uint64_t)(len / ss) > b->info.sectors - sector)
        return MIRAGE_EINVAL;
    if (buf == NULL && len != 0)
        return MIRAGE_EINVAL;
    return MIRAGE_OK;
}

int mirage_block_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len)
{
    int rc = check(b, sector, buf, len);
    if (rc < 0 || len == 0)
        return rc;
    return b->ops->read(b, sector, buf, len);
}

int mirage_block_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    int rc = check(b, sector, buf, len);
    if (rc < 0)
        return rc;
    if (!b->info.read_write || b->ops->write == NULL)
        return MIRAGE_ENOTSUP;
    if (len == 0)
        return MIRAGE_OK;
    return b->ops->write(b, sector, buf, len);
}

int mirage_block_flush(struct mirage_block *b)
{
    if (!b->info.read_write || b->ops->flush == NULL)
        return MIRAGE_OK;
    return b->ops->flush(b);
}
