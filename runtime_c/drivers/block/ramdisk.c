/* ramdisk: an in-memory disk of 512-byte sectors, zeroed at connect (calloc), gone at exit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/block.h>
#include <mirage/errors.h>

#define RAMDISK_SECTOR 512u

static int ramdisk_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len)
{
    memcpy(buf, (const unsigned char *)b->state + sector * RAMDISK_SECTOR, len);
    return MIRAGE_OK;
}

static int ramdisk_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    memcpy((unsigned char *)b->state + sector * RAMDISK_SECTOR, buf, len);
    return MIRAGE_OK;
}

static const struct mirage_block_ops ramdisk_ops = {
    .read = ramdisk_read,
    .write = ramdisk_write,
};

int ramdisk_connect(struct mirage_block *out, const char *name, int64_t sectors)
{
    if (sectors <= 0)
        return MIRAGE_EINVAL;
    if ((uint64_t)sectors > SIZE_MAX / RAMDISK_SECTOR)
        return MIRAGE_ENOMEM;
    void *mem = calloc((size_t)sectors, RAMDISK_SECTOR);
    if (mem == NULL)
        return MIRAGE_ENOMEM;
    *out = (struct mirage_block){
        .ops = &ramdisk_ops,
        .info = { .sector_size = RAMDISK_SECTOR, .sectors = (uint64_t)sectors, .read_write = true },
        .name = name,
        .state = mem,
    };
    return MIRAGE_OK;
}
