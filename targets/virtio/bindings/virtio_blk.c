/* virtio-blk over legacy virtio-pci: one queue, one request in flight at a
 * time, waited for by polling. A request is a chain of three descriptors:
 * the 16-byte header (type, sector), the data, and the status byte the
 * device writes. Sectors are 512 bytes whatever the device's preferred block
 * size; the capacity comes from the device configuration (in sectors). Two
 * features are negotiated: VIRTIO_BLK_F_RO, which only tells us that writes
 * will fail, and VIRTIO_BLK_F_FLUSH, without which a write may sit in the
 * host's cache with no way to push it out (flush then says ENOTSUP). */
#include "virtio_dev.h"

#include <mirage/errors.h>

#include "bindings.h"
#include "io.h"
#include "virtio_pci.h"

#define VIRTIO_BLK_F_RO (1u << 5)
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_F_FLUSH (1u << 9)
#define VIRTIO_BLK_S_OK 0
#define SECTOR 512u
#define CONFIG_CAPACITY 0 /* u64, sectors */
#define REQUEST_WAIT_NS 30000000000ULL

struct blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct vblk {
    struct vpci pci;
    struct virtq q;
    uint64_t sectors;
    int read_only;
    int can_flush;
    struct blk_req_hdr *hdr; /* in device memory, with the status byte after it */
    volatile uint8_t *status;
};

struct vblk *vblk_attach(const struct pci_dev *d, const char **why)
{
    struct vblk *b = pages_alloc(sizeof *b);
    if (vpci_start(&b->pci, d) != MIRAGE_OK) {
        *why = "BAR 0 is not an I/O BAR";
        return NULL;
    }
    uint32_t features = vpci_negotiate(&b->pci, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_FLUSH);
    if (vpci_queue_setup(&b->pci, 0, &b->q) != MIRAGE_OK || b->q.size < 3) {
        vpci_failed(&b->pci);
        *why = "cannot set up its queue";
        return NULL;
    }
    b->read_only = (features & VIRTIO_BLK_F_RO) != 0;
    b->can_flush = (features & VIRTIO_BLK_F_FLUSH) != 0;
    b->sectors = (uint64_t)vpci_config32(&b->pci, CONFIG_CAPACITY) |
                 (uint64_t)vpci_config32(&b->pci, CONFIG_CAPACITY + 4) << 32;
    uint8_t *mem = pages_alloc(sizeof *b->hdr + 1);
    b->hdr = (struct blk_req_hdr *)mem;
    b->status = mem + sizeof *b->hdr;
    vpci_ready(&b->pci);
    return b;
}

uint64_t vblk_capacity(const struct vblk *b)
{
    return b->sectors * SECTOR;
}

/* One request of `type` (data: buf[0..len), none when len is 0), waited for. */
static int submit(struct vblk *b, uint32_t type, uint64_t sector, void *buf, size_t len)
{
    b->hdr->type = type;
    b->hdr->reserved = 0;
    b->hdr->sector = sector;
    *b->status = 0xFF;
    struct virtq_buf bufs[3] = {{(uint64_t)(uintptr_t)b->hdr, sizeof *b->hdr, 0}};
    unsigned n = 1;
    if (len > 0)
        bufs[n++] = (struct virtq_buf){(uint64_t)(uintptr_t)buf, (uint32_t)len,
                                       type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0};
    bufs[n++] = (struct virtq_buf){(uint64_t)(uintptr_t)b->status, 1, VIRTQ_DESC_F_WRITE};
    if (virtq_add(&b->q, bufs, n, b) != MIRAGE_OK)
        return MIRAGE_EIO;
    virtq_kick(&b->q);

    uint64_t give_up = clock_monotonic_ns() + REQUEST_WAIT_NS;
    void *cookie;
    uint32_t written;
    int rc;
    while ((rc = virtq_get_used(&b->q, &cookie, &written)) == 0) {
        if (clock_monotonic_ns() > give_up) {
            /* The chain stays outstanding: the queue is wedged for good. */
            return MIRAGE_EIO;
        }
        cpu_relax();
    }
    return rc == 1 && cookie == b && *b->status == VIRTIO_BLK_S_OK ? MIRAGE_OK : MIRAGE_EIO;
}

int vblk_rw(struct vblk *b, int write, uint64_t off, void *buf, size_t len)
{
    if (len == 0 || len % SECTOR || off % SECTOR || len > 0xFFFFFFFFu ||
        off / SECTOR > b->sectors || len / SECTOR > b->sectors - off / SECTOR)
        return MIRAGE_EINVAL;
    if (write && b->read_only)
        return MIRAGE_EIO;
    return submit(b, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, off / SECTOR, buf, len);
}

int vblk_flush(struct vblk *b)
{
    if (b->read_only)
        return MIRAGE_OK;
    return b->can_flush ? submit(b, VIRTIO_BLK_T_FLUSH, 0, NULL, 0) : MIRAGE_ENOTSUP;
}
