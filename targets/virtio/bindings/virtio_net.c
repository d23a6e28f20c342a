/* virtio-net over legacy virtio-pci. Queue 0 receives, queue 1 transmits.
 *
 * Only VIRTIO_NET_F_MAC is negotiated: no offloads, no mergeable receive
 * buffers, no control queue, so every frame carries the 10-byte legacy
 * virtio_net_hdr (all zero on transmit) and the MTU is 1500. Without
 * VIRTIO_F_ANY_LAYOUT the header must sit in its own descriptor, so each
 * buffer is a chain of two: header, then frame.
 *
 * Receive: every slot of a 2 KiB buffer pool is posted at start; a frame is
 * copied out to the caller and its slot posted again. Transmit: the frame is
 * copied into a free slot and queued; slots come back as the device reports
 * them used (reclaimed on every write and poll), and a write waits (polling,
 * 1 s at most) only when all are in flight. */
#include "virtio_dev.h"

#include <mirage/errors.h>

#include "bindings.h"
#include "io.h"
#include "virtio_pci.h"

#define VIRTIO_NET_F_MAC (1u << 5)
#define QUEUE_RX 0
#define QUEUE_TX 1

#define HDR_LEN 10      /* legacy struct virtio_net_hdr, no mergeable buffers */
#define SLOT_SIZE 2048  /* header area, then frame */
#define SLOT_DATA 16
#define FRAME_MAX (SLOT_SIZE - SLOT_DATA)
#define MAX_SLOTS 256
#define TX_WAIT_NS 1000000000ULL

struct vnet {
    struct vpci pci;
    struct virtq rx, tx;
    uint8_t mac[6];
    uint8_t *rx_slots, *tx_slots;
    unsigned n_rx, n_tx;
    uint16_t tx_free[MAX_SLOTS]; /* stack of free transmit slots */
    unsigned n_tx_free;
};

/* Cookies are slot numbers plus one, so that none is NULL. */
static void *cookie_of(unsigned slot)
{
    return (void *)(uintptr_t)(slot + 1);
}

static unsigned slot_of(void *cookie)
{
    return (unsigned)((uintptr_t)cookie - 1);
}

static int post_rx(struct vnet *n, unsigned slot)
{
    uint8_t *p = n->rx_slots + (size_t)slot * SLOT_SIZE;
    struct virtq_buf bufs[2] = {
        {(uint64_t)(uintptr_t)p, HDR_LEN, VIRTQ_DESC_F_WRITE},
        {(uint64_t)(uintptr_t)(p + SLOT_DATA), FRAME_MAX, VIRTQ_DESC_F_WRITE},
    };
    return virtq_add(&n->rx, bufs, 2, cookie_of(slot));
}

static unsigned pool_size(const struct virtq *q)
{
    unsigned slots = q->size / 2u; /* two descriptors each */
    return slots > MAX_SLOTS ? MAX_SLOTS : slots;
}

struct vnet *vnet_attach(const struct pci_dev *d, const char **why)
{
    struct vnet *n = pages_alloc(sizeof *n);
    if (vpci_start(&n->pci, d) != MIRAGE_OK) {
        *why = "BAR 0 is not an I/O BAR";
        return NULL;
    }
    uint32_t features = vpci_negotiate(&n->pci, VIRTIO_NET_F_MAC);
    if (vpci_queue_setup(&n->pci, QUEUE_RX, &n->rx) != MIRAGE_OK ||
        vpci_queue_setup(&n->pci, QUEUE_TX, &n->tx) != MIRAGE_OK || n->rx.size < 2 ||
        n->tx.size < 2) {
        vpci_failed(&n->pci);
        *why = "cannot set up its queues";
        return NULL;
    }
    if (features & VIRTIO_NET_F_MAC) {
        for (unsigned i = 0; i < 6; i++)
            n->mac[i] = vpci_config8(&n->pci, i);
    } else {
        /* A locally administered unicast address from the TSC. */
        uint64_t r = rdtsc() * 0x9E3779B97F4A7C15ULL;
        for (unsigned i = 0; i < 6; i++)
            n->mac[i] = (uint8_t)(r >> (8 * i));
        n->mac[0] = (uint8_t)((n->mac[0] & 0xFE) | 0x02);
    }

    n->n_rx = pool_size(&n->rx);
    n->n_tx = pool_size(&n->tx);
    n->rx_slots = pages_alloc((size_t)n->n_rx * SLOT_SIZE);
    n->tx_slots = pages_alloc((size_t)n->n_tx * SLOT_SIZE);
    for (unsigned i = 0; i < n->n_tx; i++)
        n->tx_free[i] = (uint16_t)(n->n_tx - 1 - i);
    n->n_tx_free = n->n_tx;

    vpci_ready(&n->pci);
    for (unsigned i = 0; i < n->n_rx; i++)
        post_rx(n, i);
    virtq_kick(&n->rx);
    return n;
}

void vnet_mac(const struct vnet *n, uint8_t mac[6])
{
    for (unsigned i = 0; i < 6; i++)
        mac[i] = n->mac[i];
}

static void reclaim_tx(struct vnet *n)
{
    void *cookie;
    uint32_t len;
    int rc;
    while ((rc = virtq_get_used(&n->tx, &cookie, &len)) != 0) {
        if (rc == 1 && slot_of(cookie) < n->n_tx)
            n->tx_free[n->n_tx_free++] = (uint16_t)slot_of(cookie);
    }
}

int vnet_poll(struct vnet *n)
{
    reclaim_tx(n);
    return virtq_has_used(&n->rx);
}

int vnet_read(struct vnet *n, void *buf, size_t size, size_t *len)
{
    void *cookie;
    uint32_t written;
    int rc = virtq_get_used(&n->rx, &cookie, &written);
    if (rc == 0)
        return MIRAGE_EAGAIN;
    if (rc < 0)
        return MIRAGE_EIO;
    unsigned slot = slot_of(cookie);
    size_t frame = written > HDR_LEN ? written - HDR_LEN : 0;
    if (frame > FRAME_MAX)
        frame = FRAME_MAX;
    if (frame > size)
        frame = size; /* truncated, as a short read() of a tap would */
    __builtin_memcpy(buf, n->rx_slots + (size_t)slot * SLOT_SIZE + SLOT_DATA, frame);
    *len = frame;
    post_rx(n, slot);
    virtq_kick(&n->rx);
    return MIRAGE_OK;
}

int vnet_write(struct vnet *n, const void *buf, size_t len)
{
    if (len == 0 || len > FRAME_MAX)
        return MIRAGE_EIO;
    reclaim_tx(n);
    if (n->n_tx_free == 0) {
        uint64_t give_up = clock_monotonic_ns() + TX_WAIT_NS;
        do {
            cpu_relax();
            reclaim_tx(n);
        } while (n->n_tx_free == 0 && clock_monotonic_ns() < give_up);
        if (n->n_tx_free == 0)
            return MIRAGE_EIO;
    }
    unsigned slot = n->tx_free[--n->n_tx_free];
    uint8_t *p = n->tx_slots + (size_t)slot * SLOT_SIZE;
    __builtin_memset(p, 0, HDR_LEN);
    __builtin_memcpy(p + SLOT_DATA, buf, len);
    struct virtq_buf bufs[2] = {
        {(uint64_t)(uintptr_t)p, HDR_LEN, 0},
        {(uint64_t)(uintptr_t)(p + SLOT_DATA), (uint32_t)len, 0},
    };
    if (virtq_add(&n->tx, bufs, 2, cookie_of(slot)) != MIRAGE_OK) {
        n->tx_free[n->n_tx_free++] = (uint16_t)slot;
        return MIRAGE_EIO;
    }
    virtq_kick(&n->tx);
    return MIRAGE_OK;
}
