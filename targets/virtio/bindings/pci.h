/* PCI configuration space through configuration mechanism #1 (ports
 * 0xCF8/0xCFC), and a scan of bus 0. */
#ifndef VIRTIO_PCI_H
#define VIRTIO_PCI_H

#include <stdint.h>

struct pci_dev {
    uint8_t bus, slot, fn;
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_id;
    uint32_t bar0;
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);

/* Call fn for every function present on bus 0, in slot then function order. */
typedef void pci_found_fn(const struct pci_dev *d, void *ctx);
void pci_scan_bus0(pci_found_fn *fn, void *ctx);

/* Let the device decode its I/O BARs and master the bus (DMA). */
void pci_enable_io_and_dma(const struct pci_dev *d);

#endif
