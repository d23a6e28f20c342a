/* Block and network devices on hvt (solo5_platform.h): found by name in the
 * manifest copy the tender put in the boot info (the shared
 * solo5_bindings.c), used through the BLOCK_* and NET_* hypercalls with the
 * device's manifest index as handle. Requests the tender would refuse are
 * refused here first, without a hypercall. */
#include <stddef.h>
#include <stdint.h>

#include <solo5_platform.h>

#include "solo5_bindings.h"
#include "bindings.h"

static int result(int32_t ret)
{
    switch (ret) {
    case SOLO5_R_OK: return MIRAGE_OK;
    case SOLO5_R_AGAIN: return MIRAGE_EAGAIN;
    case SOLO5_R_EINVAL: return MIRAGE_EINVAL;
    default: return MIRAGE_EIO;
    }
}

const struct solo5_mft *solo5_bindings_mft(void)
{
    return hvt_mft();
}

static int block_io(enum solo5_hvt_hypercall call, unsigned handle, uint64_t offset,
                    const void *buf, size_t len)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(hvt_mft(), handle, SOLO5_MFT_BLOCK_BASIC);
    if (e == NULL || !solo5_block_request_ok(e, offset, len))
        return MIRAGE_EINVAL;
    volatile struct solo5_hvt_block_io a = {
        .handle = handle, .offset = offset, .data = (uint64_t)(uintptr_t)buf, .len = len,
        .ret = SOLO5_R_EUNSPEC,
    };
    hvt_hypercall(call, &a);
    return result(a.ret);
}

int mirage_solo5_block_read(unsigned handle, uint64_t offset, void *buf, size_t len)
{
    return block_io(SOLO5_HVT_HC_BLOCK_READ, handle, offset, buf, len);
}

int mirage_solo5_block_write(unsigned handle, uint64_t offset, const void *buf, size_t len)
{
    return block_io(SOLO5_HVT_HC_BLOCK_WRITE, handle, offset, buf, len);
}

/* No flush call in the Solo5 ABI: durable only if the tender syncs every write. */
int mirage_solo5_block_flush(unsigned handle)
{
    return mirage_solo5_block_synced(handle) ? MIRAGE_OK : MIRAGE_ENOTSUP;
}

int mirage_solo5_net_read(unsigned handle, void *buf, size_t size, size_t *read_size)
{
    if (solo5_mft_by_handle(hvt_mft(), handle, SOLO5_MFT_NET_BASIC) == NULL)
        return MIRAGE_EINVAL;
    volatile struct solo5_hvt_net_io a = {
        .handle = handle, .data = (uint64_t)(uintptr_t)buf, .len = size, .ret = SOLO5_R_EUNSPEC,
    };
    hvt_hypercall(SOLO5_HVT_HC_NET_READ, &a);
    int rc = result(a.ret);
    if (rc == MIRAGE_OK) {
        if (a.len > size) /* a tender bug; never claim more than the buffer */
            return MIRAGE_EIO;
        *read_size = (size_t)a.len;
    }
    return rc;
}

int mirage_solo5_net_write(unsigned handle, const void *buf, size_t size)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(hvt_mft(), handle, SOLO5_MFT_NET_BASIC);
    if (e == NULL || !solo5_net_frame_ok(e, size))
        return MIRAGE_EINVAL;
    volatile struct solo5_hvt_net_io a = {
        .handle = handle, .data = (uint64_t)(uintptr_t)buf, .len = size, .ret = SOLO5_R_EUNSPEC,
    };
    hvt_hypercall(SOLO5_HVT_HC_NET_WRITE, &a);
    int rc = result(a.ret);
    return rc == MIRAGE_OK || rc == MIRAGE_EINVAL ? rc : MIRAGE_EIO;
}
