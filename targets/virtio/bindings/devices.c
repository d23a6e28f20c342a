/* The image's Solo5 devices on virtio (solo5_platform.h).
 *
 * The manifest is read from the image's own note (virtio.ld marks it) and
 * copied at boot into device memory, where this file fills in what a tender
 * would: attached, capacity and block size, MAC and MTU, and in .b.data the
 * driver object.
 *
 * Binding rule: PCI bus 0 is scanned in slot, then function, order; the k-th
 * virtio-net device found serves the k-th NET_BASIC entry of the manifest
 * (in manifest order), the k-th virtio-blk device the k-th BLOCK_BASIC entry.
 * So with QEMU the order of the -device options (which take increasing
 * slots) decides. Devices beyond the manifest's are left untouched; a
 * manifest entry without a device fails the boot, as the Solo5 tenders do. */
#include <stddef.h>
#include <stdint.h>

#include <solo5_platform.h>

#include "solo5_bindings.h"
#include "bindings.h"
#include "virtio_dev.h"
#include "virtio_pci.h"

#define SECTOR_SIZE 512

extern const uint8_t __solo5_manifest_note[]; /* virtio.ld: start of .note.solo5.manifest */

static struct solo5_mft *mft;
static uint64_t net_handles; /* bit i: manifest entry i is an attached net device */

static void read_manifest(void)
{
    struct solo5_note_header h;
    struct solo5_mft head;
    __builtin_memcpy(&h, __solo5_manifest_note, sizeof h);
    __builtin_memcpy(&head, __solo5_manifest_note + SOLO5_MFT_NOTE_DESC_OFFSET, sizeof head);
    if (h.namesz != SOLO5_NOTE_NAMESZ || h.type != SOLO5_NOTE_TYPE_MFT ||
        head.version != SOLO5_MFT_VERSION || head.entries < 1 ||
        head.entries > SOLO5_MFT_MAX_ENTRIES || h.descsz != SOLO5_MFT_NOTE_DESCSZ(head.entries))
        virtio_fail("the image's Solo5 manifest note is invalid");
    size_t size = SOLO5_MFT_SIZE(head.entries);
    mft = pages_alloc(size);
    __builtin_memcpy(mft, __solo5_manifest_note + SOLO5_MFT_NOTE_DESC_OFFSET, size);
    if (mft->e[0].type != SOLO5_MFT_RESERVED_FIRST)
        virtio_fail("the image's Solo5 manifest does not start with the reserved entry");
    for (unsigned i = 1; i < mft->entries; i++) {
        struct solo5_mft_entry *e = &mft->e[i];
        e->name[SOLO5_MFT_NAME_SIZE - 1] = '\0';
        e->attached = 0;
        e->b.data = 0;
    }
}

static _Noreturn void fail_entry(const struct solo5_mft_entry *e, const char *what)
{
    serial_puts("virtio: manifest device '");
    serial_puts(e->name);
    serial_puts("': ");
    serial_puts(what);
    serial_puts("\n");
    virtio_halt(VIRTIO_EXIT_FAILURE);
}

static struct solo5_mft_entry *next_unattached(uint32_t type)
{
    for (unsigned i = 1; i < mft->entries; i++)
        if (mft->e[i].type == type && !mft->e[i].attached)
            return &mft->e[i];
    return NULL;
}

static void found(const struct pci_dev *d, void *ctx)
{
    (void)ctx;
    unsigned kind = vpci_device_type(d);
    uint32_t type = kind == VIRTIO_ID_NET     ? SOLO5_MFT_NET_BASIC
                    : kind == VIRTIO_ID_BLOCK ? SOLO5_MFT_BLOCK_BASIC
                                              : 0;
    struct solo5_mft_entry *e = type ? next_unattached(type) : NULL;
    if (e == NULL)
        return;
    const char *why = "cannot drive its device";
    if (type == SOLO5_MFT_NET_BASIC) {
        struct vnet *n = vnet_attach(d, &why);
        if (n == NULL)
            fail_entry(e, why);
        vnet_mac(n, e->u.net.mac);
        e->u.net.mtu = VNET_MTU;
        e->b.data = (uint64_t)(uintptr_t)n;
        net_handles |= 1ULL << (e - mft->e);
    } else {
        struct vblk *b = vblk_attach(d, &why);
        if (b == NULL)
            fail_entry(e, why);
        e->u.block.capacity = vblk_capacity(b);
        e->u.block.block_size = SECTOR_SIZE;
        e->b.data = (uint64_t)(uintptr_t)b;
    }
    e->attached = 1;
}

void devices_init(void)
{
    read_manifest();
    if (mft->entries > 1)
        pci_scan_bus0(found, NULL);
    for (unsigned i = 1; i < mft->entries; i++) {
        const struct solo5_mft_entry *e = &mft->e[i];
        if (e->attached)
            continue;
        if (e->type == SOLO5_MFT_NET_BASIC)
            fail_entry(e, "no virtio-net device for it (QEMU: -device virtio-net,netdev=...)");
        else if (e->type == SOLO5_MFT_BLOCK_BASIC)
            fail_entry(e, "no virtio-blk device for it (QEMU: -device virtio-blk,drive=...)");
        else
            fail_entry(e, "unknown device type");
    }
}

uint64_t devices_ready(void)
{
    uint64_t ready = 0;
    for (uint64_t left = net_handles; left; left &= left - 1) {
        unsigned i = (unsigned)__builtin_ctzll(left);
        if (vnet_poll((struct vnet *)(uintptr_t)mft->e[i].b.data))
            ready |= 1ULL << i;
    }
    return ready;
}

/* ---- solo5_platform.h ----------------------------------------------------- */

const struct solo5_mft *solo5_bindings_mft(void)
{
    return mft;
}

static struct vblk *block_check(unsigned handle, uint64_t offset, size_t len)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(mft, handle, SOLO5_MFT_BLOCK_BASIC);
    if (e == NULL || !solo5_block_request_ok(e, offset, len))
        return NULL;
    return (struct vblk *)(uintptr_t)e->b.data;
}

int mirage_solo5_block_read(unsigned handle, uint64_t offset, void *buf, size_t len)
{
    struct vblk *b = block_check(handle, offset, len);
    if (b == NULL)
        return MIRAGE_EINVAL;
    return vblk_rw(b, 0, offset, buf, len) == MIRAGE_OK ? MIRAGE_OK : MIRAGE_EIO;
}

int mirage_solo5_block_write(unsigned handle, uint64_t offset, const void *buf, size_t len)
{
    struct vblk *b = block_check(handle, offset, len);
    if (b == NULL)
        return MIRAGE_EINVAL;
    /* The device only reads the buffer of a write request. */
    return vblk_rw(b, 1, offset, (void *)(uintptr_t)buf, len) == MIRAGE_OK ? MIRAGE_OK
                                                                            : MIRAGE_EIO;
}

int mirage_solo5_block_flush(unsigned handle)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(mft, handle, SOLO5_MFT_BLOCK_BASIC);
    if (e == NULL)
        return MIRAGE_EINVAL;
    int rc = vblk_flush((struct vblk *)(uintptr_t)e->b.data);
    return rc == MIRAGE_OK || rc == MIRAGE_ENOTSUP ? rc : MIRAGE_EIO;
}

static struct vnet *net_of(unsigned handle)
{
    const struct solo5_mft_entry *e = solo5_mft_by_handle(mft, handle, SOLO5_MFT_NET_BASIC);
    return e == NULL ? NULL : (struct vnet *)(uintptr_t)e->b.data;
}

int mirage_solo5_net_read(unsigned handle, void *buf, size_t size, size_t *read_size)
{
    struct vnet *n = net_of(handle);
    return n == NULL ? MIRAGE_EINVAL : vnet_read(n, buf, size, read_size);
}

int mirage_solo5_net_write(unsigned handle, const void *buf, size_t size)
{
    struct vnet *n = net_of(handle);
    return n == NULL ? MIRAGE_EINVAL : vnet_write(n, buf, size);
}
