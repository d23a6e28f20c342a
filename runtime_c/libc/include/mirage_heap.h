/* The libc heap: the platform hands one memory region over at boot, before any
 * allocation. Calling mirage_heap_init again discards everything allocated. */
#ifndef MIRAGE_HEAP_H
#define MIRAGE_HEAP_H

#include <stddef.h>

void mirage_heap_init(void *base, size_t size);

/* total: bytes managed; used: bytes held by live blocks (headers included);
 * free_largest: the largest request malloc could satisfy right now.
 * Any pointer may be NULL. */
void mirage_heap_stats(size_t *total, size_t *used, size_t *free_largest);

/* Walks the whole heap and every free list, checking the invariants. Returns 0
 * when the heap is consistent, a negative code naming the first broken
 * invariant otherwise. Fills the block counts (any pointer may be NULL).
 * O(number of blocks): for tests and debugging only. */
int mirage_heap_check(size_t *blocks, size_t *free_blocks);

#endif
