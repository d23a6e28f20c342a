/* Split virtqueues, driver side (see virtq.h). */
#include "virtq.h"

#include <mirage/errors.h>

/* Ordering between our ring writes and the device's reads (and back). On x86
 * the release and acquire fences only stop the compiler; the full fence is an
 * mfence, needed where a store must be visible before a later load. */
#define fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define fence_full() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static int size_ok(uint32_t size)
{
    return size != 0 && size <= VIRTQ_MAX_SIZE && (size & (size - 1)) == 0;
}

/* Legacy layout: descriptors, then the avail ring (flags, idx, ring,
 * used_event), padding to VIRTQ_ALIGN, then the used ring (flags, idx, ring,
 * avail_event). */
static size_t used_offset(uint32_t size)
{
    return align_up(sizeof(struct virtq_desc) * size + 2 * (3 + (size_t)size), VIRTQ_ALIGN);
}

size_t virtq_ring_bytes(uint32_t size)
{
    if (!size_ok(size))
        return 0;
    return used_offset(size) + align_up(2 * 3 + sizeof(struct virtq_used_elem) * size, VIRTQ_ALIGN);
}

int virtq_init(struct virtq *q, void *ring, uint32_t size, struct virtq_slot *slots,
               uint16_t index, virtq_notify_fn *notify, void *notify_ctx)
{
    if (!size_ok(size) || ring == NULL || slots == NULL ||
        ((uintptr_t)ring & (VIRTQ_ALIGN - 1)) != 0)
        return MIRAGE_EINVAL;
    volatile uint8_t *mem = ring;
    size_t bytes = virtq_ring_bytes(size);
    for (size_t i = 0; i < bytes; i++)
        mem[i] = 0;

    q->size = (uint16_t)size; /* at most VIRTQ_MAX_SIZE, so it fits */
    q->index = index;
    q->desc = (volatile struct virtq_desc *)mem;
    q->avail = (volatile struct virtq_avail *)(mem + sizeof(struct virtq_desc) * size);
    q->used = (volatile struct virtq_used *)(mem + used_offset(size));
    q->slots = slots;
    q->notify = notify;
    q->notify_ctx = notify_ctx;

    /* Every descriptor starts free, chained in order. */
    for (uint32_t i = 0; i < size; i++) {
        q->desc[i].next = (uint16_t)(i + 1 < size ? i + 1 : 0);
        slots[i].cookie = NULL;
        slots[i].ndesc = 0;
    }
    q->free_head = 0;
    q->num_free = (uint16_t)size;
    q->avail_idx = 0;
    q->last_used = 0;
    q->unkicked = 0;
    q->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    return MIRAGE_OK;
}

int virtq_set_index(struct virtq *q, uint16_t idx)
{
    if (q->num_free != q->size)
        return MIRAGE_EINVAL;
    q->avail_idx = idx;
    q->last_used = idx;
    q->unkicked = 0;
    q->avail->idx = idx;
    q->used->idx = idx;
    return MIRAGE_OK;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n, void *cookie)
{
    if (n == 0 || n > q->size)
        return MIRAGE_EINVAL;
    for (unsigned i = 1; i < n; i++)
        if ((bufs[i - 1].flags & VIRTQ_DESC_F_WRITE) && !(bufs[i].flags & VIRTQ_DESC_F_WRITE))
            return MIRAGE_EINVAL;
    if (n > q->num_free)
        return MIRAGE_EAGAIN;

    uint16_t head = q->free_head;
    uint16_t d = head;
    for (unsigned i = 0; i < n; i++) {
        q->desc[d].addr = bufs[i].addr;
        q->desc[d].len = bufs[i].len;
        q->desc[d].flags = (uint16_t)((bufs[i].flags & VIRTQ_DESC_F_WRITE) |
                                      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        d = q->desc[d].next; /* the free list's link doubles as the chain's */
    }
    q->free_head = d;
    q->num_free = (uint16_t)(q->num_free - n);
    q->slots[head].cookie = cookie;
    q->slots[head].ndesc = (uint16_t)n;

    /* The descriptors must be written before the device can see the head. */
    q->avail->ring[q->avail_idx & (q->size - 1)] = head;
    fence_release();
    q->avail_idx++;
    q->avail->idx = q->avail_idx;
    q->unkicked++;
    return MIRAGE_OK;
}

int virtq_kick(struct virtq *q)
{
    if (q->unkicked == 0)
        return 0;
    q->unkicked = 0;
    /* The new avail->idx must be visible before we read the device's flag,
     * or it might go idle without seeing our chains. */
    fence_full();
    if (q->used->flags & VIRTQ_USED_F_NO_NOTIFY)
        return 0;
    q->notify(q->notify_ctx, q->index);
    return 1;
}

int virtq_has_used(const struct virtq *q)
{
    return q->used->idx != q->last_used;
}

int virtq_get_used(struct virtq *q, void **cookie, uint32_t *len)
{
    if (q->used->idx == q->last_used)
        return 0;
    fence_acquire(); /* read the element only after seeing the index move */
    volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
    uint32_t id = e->id, written = e->len;
    q->last_used++;
    if (id >= q->size || q->slots[id].ndesc == 0)
        return MIRAGE_EIO;

    /* Give the chain back: walk ndesc descriptors (not the flags, which the
     * device must not change but might) and put them in front of the free list. */
    uint16_t n = q->slots[id].ndesc, tail = (uint16_t)id;
    for (uint16_t i = 1; i < n; i++)
        tail = q->desc[tail].next;
    q->desc[tail].next = q->free_head;
    q->free_head = (uint16_t)id;
    q->num_free = (uint16_t)(q->num_free + n);

    *cookie = q->slots[id].cookie;
    *len = written;
    q->slots[id].cookie = NULL;
    q->slots[id].ndesc = 0;
    return 1;
}
