/* The legacy virtio-pci transport (virtio 0.9.5 / "transitional" devices):
 * every register sits in I/O BAR 0. Device memory comes from pages.c. */
#ifndef VIRTIO_PCI_TRANSPORT_H
#define VIRTIO_PCI_TRANSPORT_H

#include <stdint.h>

#include "pci.h"
#include "virtq.h"

#define VIRTIO_PCI_VENDOR 0x1AF4
#define VIRTIO_ID_NET 1   /* PCI subsystem id of a legacy device */
#define VIRTIO_ID_BLOCK 2

struct vpci {
    uint16_t io; /* base of BAR 0 */
};

/* Does this PCI function speak legacy virtio, and as which device type
 * (VIRTIO_ID_*)? 0 if not. */
unsigned vpci_device_type(const struct pci_dev *d);

/* Reset the device and announce a driver: 0, or MIRAGE_ENOTSUP if BAR 0 is
 * not an I/O BAR. */
int vpci_start(struct vpci *v, const struct pci_dev *d);

/* Accept the features in `wanted` that the device offers; returns them. */
uint32_t vpci_negotiate(struct vpci *v, uint32_t wanted);

/* Set up queue `index` at the size the device dictates, memory from pages.c.
 * MIRAGE_ENOENT if the device has no such queue. */
int vpci_queue_setup(struct vpci *v, uint16_t index, struct virtq *q);

/* The driver is ready (DRIVER_OK), or gave up (FAILED). */
void vpci_ready(struct vpci *v);
void vpci_failed(struct vpci *v);

/* Device-specific configuration, from offset 20 of BAR 0 (no MSI-X). */
uint8_t vpci_config8(const struct vpci *v, unsigned off);
uint32_t vpci_config32(const struct vpci *v, unsigned off);

#endif
