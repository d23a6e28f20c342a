/* Legacy virtio-pci: the register block in I/O BAR 0, queue set-up by page
 * frame number, notification by writing the queue number. */
#include "virtio_pci.h"

#include <mirage/errors.h>

#include "bindings.h"
#include "io.h"

#define REG_HOST_FEATURES 0  /* 32 bits, read-only */
#define REG_GUEST_FEATURES 4 /* 32 bits */
#define REG_QUEUE_PFN 8      /* 32 bits: ring address >> 12 */
#define REG_QUEUE_SIZE 12    /* 16 bits, read-only */
#define REG_QUEUE_SELECT 14  /* 16 bits */
#define REG_QUEUE_NOTIFY 16  /* 16 bits */
#define REG_STATUS 18        /* 8 bits */
#define REG_ISR 19           /* 8 bits */
#define REG_CONFIG 20        /* device-specific, when MSI-X is off */

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED 128

#define PCI_BAR_IO 0x1
#define LEGACY_DEVICE_FIRST 0x1000 /* transitional PCI device ids */
#define LEGACY_DEVICE_LAST 0x103F

unsigned vpci_device_type(const struct pci_dev *d)
{
    if (d->vendor != VIRTIO_PCI_VENDOR || d->device < LEGACY_DEVICE_FIRST ||
        d->device > LEGACY_DEVICE_LAST)
        return 0;
    return d->subsys_id;
}

int vpci_start(struct vpci *v, const struct pci_dev *d)
{
    if (!(d->bar0 & PCI_BAR_IO))
        return MIRAGE_ENOTSUP;
    v->io = (uint16_t)(d->bar0 & ~3u);
    pci_enable_io_and_dma(d);
    outb(v->io + REG_STATUS, 0); /* reset */
    outb(v->io + REG_STATUS, STATUS_ACKNOWLEDGE);
    outb(v->io + REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    return MIRAGE_OK;
}

uint32_t vpci_negotiate(struct vpci *v, uint32_t wanted)
{
    uint32_t accepted = inl(v->io + REG_HOST_FEATURES) & wanted;
    outl(v->io + REG_GUEST_FEATURES, accepted);
    return accepted;
}

static void notify(void *ctx, uint16_t queue)
{
    const struct vpci *v = ctx;
    outw(v->io + REG_QUEUE_NOTIFY, queue);
}

int vpci_queue_setup(struct vpci *v, uint16_t index, struct virtq *q)
{
    outw(v->io + REG_QUEUE_SELECT, index);
    uint16_t size = inw(v->io + REG_QUEUE_SIZE);
    size_t bytes = virtq_ring_bytes(size);
    if (size == 0 || bytes == 0)
        return MIRAGE_ENOENT;
    if (inl(v->io + REG_QUEUE_PFN) != 0)
        return MIRAGE_EIO; /* reset did not take */
    void *ring = pages_alloc(bytes);
    struct virtq_slot *slots = pages_alloc(sizeof(struct virtq_slot) * size);
    int rc = virtq_init(q, ring, size, slots, index, notify, v);
    if (rc != MIRAGE_OK)
        return rc;
    outl(v->io + REG_QUEUE_PFN, (uint32_t)((uintptr_t)ring >> 12));
    return MIRAGE_OK;
}

void vpci_ready(struct vpci *v)
{
    outb(v->io + REG_STATUS, inb(v->io + REG_STATUS) | STATUS_DRIVER_OK);
}

void vpci_failed(struct vpci *v)
{
    outb(v->io + REG_STATUS, inb(v->io + REG_STATUS) | STATUS_FAILED);
}

uint8_t vpci_config8(const struct vpci *v, unsigned off)
{
    return inb((uint16_t)(v->io + REG_CONFIG + off));
}

uint32_t vpci_config32(const struct vpci *v, unsigned off)
{
    return inl((uint16_t)(v->io + REG_CONFIG + off));
}
