/* Memory for the devices (virtqueue rings, packet buffers, request headers):
 * page-aligned, zeroed, handed out at boot from just after the image and
 * never given back. The heap starts where this stops. */
#include "bindings.h"

#define PAGE 4096u

static uintptr_t next, limit;

void pages_init(uintptr_t start, uintptr_t end)
{
    next = (start + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    limit = end;
}

void *pages_alloc(size_t bytes)
{
    size_t size = (bytes + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (next > limit || limit - next < size)
        virtio_fail("out of memory for device rings and buffers");
    void *p = (void *)next;
    __builtin_memset(p, 0, size);
    next += size;
    return p;
}

uintptr_t pages_next(void)
{
    return next;
}
