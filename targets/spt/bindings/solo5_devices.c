/* Block and network devices on spt (solo5_platform.h): the manifest copy in the
 * boot info names each device (looked up by the shared solo5_bindings.c) and
 * holds its host descriptor; I/O is one pread64/pwrite64 (block) or
 * read/write (net) on that descriptor. */
#include <stddef.h>
#include <stdint.h>

#include <solo5_platform.h>

#include "solo5_bindings.h"
#include "bindings.h"
#include "sys.h"

const struct solo5_mft *solo5_bindings_mft(void)
{
    return spt_mft();
}

/* One whole block, refused here first where the seccomp filter would
 * otherwise enforce it by killing us. */
static int block_io(int write, unsigned handle, uint64_t offset, const void *buf, size_t len)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(spt_mft(), handle, SOLO5_MFT_BLOCK_BASIC);
    if (e == NULL || !solo5_block_request_ok(e, offset, len))
        return MIRAGE_EINVAL;
    long n;
    do
        n = write ? sys_pwrite64(e->b.hostfd, buf, len, offset)
                  : sys_pread64(e->b.hostfd, (void *)(uintptr_t)buf, len, offset);
    while (n == -SYS_EINTR);
    return n == (long)len ? MIRAGE_OK : MIRAGE_EIO;
}

int mirage_solo5_block_read(unsigned handle, uint64_t offset, void *buf, size_t len)
{
    return block_io(0, handle, offset, buf, len);
}

int mirage_solo5_block_write(unsigned handle, uint64_t offset, const void *buf, size_t len)
{
    return block_io(1, handle, offset, buf, len);
}

/* No flush call in the Solo5 ABI: durable only if the tender syncs every write. */
int mirage_solo5_block_flush(unsigned handle)
{
    return mirage_solo5_block_synced(handle) ? MIRAGE_OK : MIRAGE_ENOTSUP;
}

int mirage_solo5_net_read(unsigned handle, void *buf, size_t size, size_t *read_size)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(spt_mft(), handle, SOLO5_MFT_NET_BASIC);
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
    const struct solo5_mft_entry *e = solo5_mft_by_handle(spt_mft(), handle, SOLO5_MFT_NET_BASIC);
    if (e == NULL || !solo5_net_frame_ok(e, size)) /* the filter would kill us */
        return MIRAGE_EINVAL;
    long n;
    do
        n = sys_write(e->b.hostfd, buf, size);
    while (n == -SYS_EINTR);
    return n == (long)size ? MIRAGE_OK : MIRAGE_EIO;
}
