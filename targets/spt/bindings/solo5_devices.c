/* Block and network devices on spt (mirage/solo5.h): the manifest copy in the
 * boot info names each device and holds its host descriptor; I/O is one
 * pread64/pwrite64 (block) or read/write (net) on that descriptor. */
#include <stddef.h>
#include <stdint.h>

#include <mirage/solo5.h>

#include "bindings.h"
#include "sys.h"

static int same_name(const char *a, const char *b)
{
    for (size_t i = 0; i < SOLO5_MFT_NAME_SIZE; i++) {
        if (a[i] != b[i])
            return 0;
        if (a[i] == '\0')
            return 1;
    }
    return 0;
}

static const struct solo5_mft_entry *by_name(const char *name, uint32_t type, unsigned *handle)
{
    const struct solo5_mft *mft = spt_mft();
    for (unsigned i = 1; i < mft->entries; i++) {
        const struct solo5_mft_entry *e = &mft->e[i];
        if (e->type == type && e->attached && same_name(e->name, name)) {
            *handle = i;
            return e;
        }
    }
    return NULL;
}

static const struct solo5_mft_entry *by_handle(unsigned handle, uint32_t type)
{
    const struct solo5_mft *mft = spt_mft();
    if (handle == 0 || handle >= mft->entries)
        return NULL;
    const struct solo5_mft_entry *e = &mft->e[handle];
    return e->type == type && e->attached ? e : NULL;
}

int mirage_solo5_block_info(const char *name, unsigned *handle, uint64_t *capacity,
                            uint16_t *block_size)
{
    const struct solo5_mft_entry *e = by_name(name, SOLO5_MFT_BLOCK_BASIC, handle);
    if (e == NULL)
        return MIRAGE_ENOENT;
    *capacity = e->u.block.capacity;
    *block_size = e->u.block.block_size;
    return MIRAGE_OK;
}

/* The checks the seccomp filter would otherwise enforce by killing us. */
static const struct solo5_mft_entry *block_check(unsigned handle, uint64_t offset, size_t len)
{
    const struct solo5_mft_entry *e = by_handle(handle, SOLO5_MFT_BLOCK_BASIC);
    if (e == NULL)
        return NULL;
    uint64_t bs = e->u.block.block_size;
    if (len != bs || offset % bs != 0 || offset > e->u.block.capacity - bs)
        return NULL;
    return e;
}

int mirage_solo5_block_read(unsigned handle, uint64_t offset, void *buf, size_t len)
{
    const struct solo5_mft_entry *e = block_check(handle, offset, len);
    if (e == NULL)
        return MIRAGE_EINVAL;
    long n;
    do
        n = sys_pread64(e->b.hostfd, buf, len, offset);
    while (n == -SYS_EINTR);
    return n == (long)len ? MIRAGE_OK : MIRAGE_EIO;
}

int mirage_solo5_block_write(unsigned handle, uint64_t offset, const void *buf, size_t len)
{
    const struct solo5_mft_entry *e = block_check(handle, offset, len);
    if (e == NULL)
        return MIRAGE_EINVAL;
    long n;
    do
        n = sys_pwrite64(e->b.hostfd, buf, len, offset);
    while (n == -SYS_EINTR);
    return n == (long)len ? MIRAGE_OK : MIRAGE_EIO;
}

int mirage_solo5_net_info(const char *name, unsigned *handle, uint8_t mac[6], uint16_t *mtu)
{
    const struct solo5_mft_entry *e = by_name(name, SOLO5_MFT_NET_BASIC, handle);
    if (e == NULL)
        return MIRAGE_ENOENT;
    for (int i = 0; i < 6; i++)
        mac[i] = e->u.net.mac[i];
    *mtu = e->u.net.mtu;
    return MIRAGE_OK;
}

int mirage_solo5_net_read(unsigned handle, void *buf, size_t size, size_t *read_size)
{
    const struct solo5_mft_entry *e = by_handle(handle, SOLO5_MFT_NET_BASIC);
    if (e == NULL)
        return MIRAGE_EINVAL;
    long n;
    do
        n = sys_read(e->b.hostfd, buf, size);
    while (n == -SYS_EINTR);
    if (n == -SYS_EAGAIN)
        return MIRAGE_EAGAIN;
    if (n < 0)
        return MIRAGE_EIO;
    *read_size = (size_t)n;
    return MIRAGE_OK;
}

int mirage_solo5_net_write(unsigned handle, const void *buf, size_t size)
{
    const struct solo5_mft_entry *e = by_handle(handle, SOLO5_MFT_NET_BASIC);
    if (e == NULL)
        return MIRAGE_EINVAL;
    long n;
    do
        n = sys_write(e->b.hostfd, buf, size);
    while (n == -SYS_EINTR);
    return n == (long)size ? MIRAGE_OK : MIRAGE_EIO;
}
