/* Split virtqueues in the legacy (virtio 0.9.5) memory layout, driver side.
 *
 * Pure C: no port I/O, no globals, no allocation. The transport hands over
 * zeroed, 4 KiB aligned ring memory and a notify callback; device addresses
 * are guest-physical, which the virtio bindings identity map, so a pointer is
 * its own device address. Host unit tests play the device on the same memory.
 *
 * Indices are free-running 16-bit counters (they wrap at 65536); a ring slot
 * is the index modulo the queue size, which is a power of two. */
#ifndef VIRTIO_VIRTQ_H
#define VIRTIO_VIRTQ_H

#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT 1u        /* chain continues in .next */
#define VIRTQ_DESC_F_WRITE 2u       /* device writes this buffer */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u /* driver polls: no interrupt wanted */
#define VIRTQ_USED_F_NO_NOTIFY 1u   /* device polls: no notify needed */

#define VIRTQ_ALIGN 4096u
#define VIRTQ_MAX_SIZE 32768u

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* size entries, then the (unused) used_event */
};

struct virtq_used_elem {
    uint32_t id;  /* head descriptor of the finished chain */
    uint32_t len; /* bytes the device wrote into the chain */
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[]; /* size entries, then the (unused) avail_event */
};

/* One buffer of a chain. Device-readable buffers come first, then the
 * device-writable ones (flag VIRTQ_DESC_F_WRITE), as virtio requires. */
struct virtq_buf {
    uint64_t addr;
    uint32_t len;
    uint16_t flags; /* 0 or VIRTQ_DESC_F_WRITE */
};

/* Driver bookkeeping per descriptor (only heads carry a chain). */
struct virtq_slot {
    void *cookie;   /* given to virtq_add, handed back by virtq_get_used */
    uint16_t ndesc; /* descriptors in the chain headed here, 0 if not a head */
};

typedef void virtq_notify_fn(void *ctx, uint16_t queue);

struct virtq {
    uint16_t size;  /* entries, a power of two */
    uint16_t index; /* the queue number, passed to notify */
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    struct virtq_slot *slots; /* size entries */
    uint16_t free_head;       /* first free descriptor, chained through .next */
    uint16_t num_free;
    uint16_t avail_idx;       /* our copy of avail->idx */
    uint16_t last_used;       /* next used->idx position to consume */
    uint16_t unkicked;        /* chains made available since the last kick */
    virtq_notify_fn *notify;
    void *notify_ctx;
};

/* Bytes of ring memory (descriptors, avail ring, used ring, legacy padding)
 * for a queue of `size` entries; 0 if size is not a power of two in
 * 1..VIRTQ_MAX_SIZE. */
size_t virtq_ring_bytes(uint32_t size);

/* Lay the queue over `ring` (virtq_ring_bytes(size) bytes, VIRTQ_ALIGN
 * aligned; zeroed here) with `slots` (size entries). Interrupts are switched
 * off (the bindings poll). 0, or MIRAGE_EINVAL for a bad size or alignment. */
int virtq_init(struct virtq *q, void *ring, uint32_t size, struct virtq_slot *slots,
               uint16_t index, virtq_notify_fn *notify, void *notify_ctx);

/* Move all three indices to `idx` on an idle queue (nothing outstanding);
 * what a device reset does with 0. Lets tests start near the 16-bit wrap.
 * 0, or MIRAGE_EINVAL if chains are outstanding. */
int virtq_set_index(struct virtq *q, uint16_t idx);

/* Make a chain of n buffers available to the device. 0 on success;
 * MIRAGE_EAGAIN if fewer than n descriptors are free (nothing is changed);
 * MIRAGE_EINVAL if n is 0 or larger than the queue, or a writable buffer
 * comes before a readable one. The device learns of it at the next kick. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie);

/* Tell the device about the chains added since the last kick, unless it
 * asked not to be notified. Returns 1 if notify was called, else 0. */
int virtq_kick(struct virtq *q);

/* Nonzero if the device has finished chains not yet taken. */
int virtq_has_used(const struct virtq *q);

/* Take one finished chain: 1 with *cookie and *len (bytes written by the
 * device) set and its descriptors freed; 0 if none is waiting; MIRAGE_EIO if
 * the device named a descriptor that heads no outstanding chain (the entry is
 * skipped). */
int virtq_get_used(struct virtq *q, void **cookie, uint32_t *len);

/* Free descriptors. */
static inline unsigned virtq_num_free(const struct virtq *q)
{
    return q->num_free;
}

#endif
