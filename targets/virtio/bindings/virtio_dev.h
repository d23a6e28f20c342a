/* The virtio-net and virtio-blk drivers, as devices.c uses them. */
#ifndef VIRTIO_DEV_H
#define VIRTIO_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "pci.h"

#define VNET_MTU 1500

struct vnet;
struct vblk;

/* Bring the device up (memory from pages.c). NULL if it cannot be driven;
 * the reason goes to *why. */
struct vnet *vnet_attach(const struct pci_dev *d, const char **why);
void vnet_mac(const struct vnet *n, uint8_t mac[6]);
/* 0 with *len, MIRAGE_EAGAIN, or MIRAGE_EIO (see solo5_platform.h). */
int vnet_read(struct vnet *n, void *buf, size_t size, size_t *len);
int vnet_write(struct vnet *n, const void *buf, size_t len);
/* Nonzero if a received frame waits; also reclaims sent buffers. */
int vnet_poll(struct vnet *n);

struct vblk *vblk_attach(const struct pci_dev *d, const char **why);
uint64_t vblk_capacity(const struct vblk *b); /* bytes */
/* One request of len bytes (a multiple of 512) at byte offset off (also a
 * multiple of 512), waited for: 0 or MIRAGE_EIO. */
int vblk_rw(struct vblk *b, int write, uint64_t off, void *buf, size_t len);
/* A VIRTIO_BLK_T_FLUSH: 0 once the host has made earlier writes durable; MIRAGE_ENOTSUP
 * if the device offers no flush (writes are then durable only by the host's say). */
int vblk_flush(struct vblk *b);

#endif
