/* Solo5 devices as the Solo5 bindings (spt, hvt) expose them to drivers: block and network
 * devices declared in the image's manifest, found by name, used by handle
 * (the device's manifest index, also its bit in the set returned by
 * mirage_platform_yield). Results: 0 or a negative enum mirage_error. */
#ifndef MIRAGE_SOLO5_H
#define MIRAGE_SOLO5_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/errors.h>

/* Block device `name`: its handle, capacity in bytes and block size.
 * MIRAGE_ENOENT if the manifest declares no block device of that name. */
int mirage_solo5_block_info(const char *name, unsigned *handle, uint64_t *capacity,
                            uint16_t *block_size);

/* Read or write exactly one block: len == block size, offset a multiple of it
 * and offset + len <= capacity (else MIRAGE_EINVAL); MIRAGE_EIO if the host
 * fails. */
int mirage_solo5_block_read(unsigned handle, uint64_t offset, void *buf, size_t len);
int mirage_solo5_block_write(unsigned handle, uint64_t offset, const void *buf, size_t len);

/* A barrier: 0 once every write acknowledged so far is durable; MIRAGE_ENOTSUP when the
 * host cannot promise that (spt, hvt: the Solo5 ABI has no flush call, so only a tender
 * that syncs every write can, see mirage_solo5_block_synced); MIRAGE_EIO. */
int mirage_solo5_block_flush(unsigned handle);

/* 1 when the host makes each write durable before acknowledging it (our tenders given
 * --block-sync:NAME mark the manifest entry so), else 0. */
int mirage_solo5_block_synced(unsigned handle);

/* Network device `name`: its handle, MAC address and MTU.
 * MIRAGE_ENOENT if the manifest declares no network device of that name. */
int mirage_solo5_net_info(const char *name, unsigned *handle, uint8_t mac[6], uint16_t *mtu);

/* Read one Ethernet frame into buf (size >= MTU + 14 to never truncate):
 * 0 with *read_size set, MIRAGE_EAGAIN if no frame waits, MIRAGE_EIO. */
int mirage_solo5_net_read(unsigned handle, void *buf, size_t size, size_t *read_size);

/* Send one Ethernet frame: 0, or MIRAGE_EIO if it was not sent whole. */
int mirage_solo5_net_write(unsigned handle, const void *buf, size_t size);

#endif
