/* PCI enumeration with configuration mechanism #1: write the address of a
 * 32-bit configuration register (enable bit, bus, slot, function, offset) to
 * 0xCF8, then move the data through 0xCFC. Only bus 0 is scanned: QEMU's pc
 * machine puts every -device there unless bridges are configured. */
#include "pci.h"
#include "io.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC
#define PCI_ENABLE 0x80000000u

#define PCI_VENDOR_ID 0x00  /* vendor (low 16), device (high 16) */
#define PCI_COMMAND 0x04
#define PCI_HEADER 0x0C     /* header type in bits 16..23 */
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM 0x2C  /* subsystem vendor (low 16), subsystem id (high 16) */
#define CMD_IO 0x1
#define CMD_MASTER 0x4
#define HEADER_MULTIFUNCTION 0x80

static uint32_t address(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
    return PCI_ENABLE | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (uint32_t)fn << 8 |
           (off & 0xFCu);
}

static uint32_t read_at(uint8_t bus, uint8_t slot, uint8_t fn, uint8_t off)
{
    outl(PCI_ADDR, address(bus, slot, fn, off));
    return inl(PCI_DATA);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
    return read_at(d->bus, d->slot, d->fn, off);
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
    outl(PCI_ADDR, address(d->bus, d->slot, d->fn, off));
    outl(PCI_DATA, v);
}

static int probe(uint8_t slot, uint8_t fn, pci_found_fn *found, void *ctx)
{
    uint32_t id = read_at(0, slot, fn, PCI_VENDOR_ID);
    if ((id & 0xFFFF) == 0xFFFF)
        return 0;
    struct pci_dev d = {
        .bus = 0, .slot = slot, .fn = fn,
        .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
    };
    uint32_t sub = read_at(0, slot, fn, PCI_SUBSYSTEM);
    d.subsys_vendor = (uint16_t)sub;
    d.subsys_id = (uint16_t)(sub >> 16);
    d.bar0 = read_at(0, slot, fn, PCI_BAR0);
    found(&d, ctx);
    return 1;
}

void pci_scan_bus0(pci_found_fn *found, void *ctx)
{
    for (uint8_t slot = 0; slot < 32; slot++) {
        if (!probe(slot, 0, found, ctx))
            continue;
        if (!((read_at(0, slot, 0, PCI_HEADER) >> 16) & HEADER_MULTIFUNCTION))
            continue;
        for (uint8_t fn = 1; fn < 8; fn++)
            probe(slot, fn, found, ctx);
    }
}

void pci_enable_io_and_dma(const struct pci_dev *d)
{
    uint32_t cmd = pci_read32(d, PCI_COMMAND);
    /* The upper half is the status register, whose bits clear when written
     * with 1: write zeros there. */
    pci_write32(d, PCI_COMMAND, (cmd & 0xFFFF) | CMD_IO | CMD_MASTER);
}
