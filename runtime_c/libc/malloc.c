/* The heap: a two-level segregated-fit allocator with boundary tags.
 *
 * Blocks are laid end to end over the region handed to mirage_heap_init, closed
 * by a zero-sized "used" sentinel. Every block starts with a 16-byte header:
 *
 *     prev_size  size of the previous block, valid only while it is free
 *                (a free block writes its size there: its footer)
 *     head       this block's size (a multiple of 16) | FREE | PREV_FREE
 *
 * and the payload follows, 16-byte aligned. A free block keeps its free-list
 * links in its payload. Free blocks never touch (they are merged on free), so
 * freeing everything leaves one block.
 *
 * Free blocks sit in FL x SL lists: the first level is the power of two of the
 * size, the second splits each power of two into 16 equal ranges (sizes below
 * 256 go by 16-byte steps). Two bitmaps say which lists are non-empty, so
 * finding a list whose every block fits a request is a couple of bit scans:
 * malloc and free are O(1), and rounding the request up to its list's upper
 * bound bounds the waste to 1/16 of the block. */
#include <errno.h>
#include <mirage_heap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct block {
    size_t prev_size;
    size_t head;
    struct block *next_free; /* payload of a free block */
    struct block *prev_free;
} block;

#define ALIGN ((size_t)16)
#define HDR ((size_t)16)
#define MIN_BLOCK ((size_t)32) /* header + the two links */
#define F_FREE ((size_t)1)
#define F_PREV_FREE ((size_t)2)
#define F_MASK ((size_t)15)

#define SL_BITS 4
#define SL_COUNT (1 << SL_BITS)
#define SMALL_LIMIT (SL_COUNT * ALIGN) /* 256: below it, one list per 16 bytes */
#define SMALL_SHIFT 8                  /* log2(SMALL_LIMIT) */
#define FL_COUNT (64 - SMALL_SHIFT + 1)

static struct {
    char *start, *end; /* blocks live in [start, end); the sentinel header sits at end */
    size_t total;      /* end - start */
    size_t used;       /* sum of the sizes of the used blocks */
    uint64_t fl_map;
    uint32_t sl_map[FL_COUNT];
    block *lists[FL_COUNT][SL_COUNT];
    int warned;
} heap;

static inline size_t bsize(const block *b) { return b->head & ~F_MASK; }
static inline block *next_block(const block *b) { return (block *)((char *)b + bsize(b)); }
static inline block *prev_block(const block *b) { return (block *)((char *)b - b->prev_size); }
static inline void *payload(block *b) { return (char *)b + HDR; }
static inline block *from_payload(void *p) { return (block *)((char *)p - HDR); }

static inline unsigned log2_floor(size_t x) { return 63u - (unsigned)__builtin_clzll(x); }

static void mapping(size_t size, unsigned *fl, unsigned *sl)
{
    if (size < SMALL_LIMIT) {
        *fl = 0;
        *sl = (unsigned)(size / ALIGN);
    } else {
        unsigned f = log2_floor(size);
        *fl = f - SMALL_SHIFT + 1;
        *sl = (unsigned)(size >> (f - SL_BITS)) & (SL_COUNT - 1);
    }
}

static void list_insert(block *b)
{
    size_t size = bsize(b);
    unsigned fl, sl;
    mapping(size, &fl, &sl);
    b->head |= F_FREE;
    b->prev_free = NULL;
    b->next_free = heap.lists[fl][sl];
    if (b->next_free)
        b->next_free->prev_free = b;
    heap.lists[fl][sl] = b;
    heap.fl_map |= (uint64_t)1 << fl;
    heap.sl_map[fl] |= 1u << sl;
    block *next = next_block(b);
    next->prev_size = size;
    next->head |= F_PREV_FREE;
}

static void list_remove(block *b)
{
    unsigned fl, sl;
    mapping(bsize(b), &fl, &sl);
    if (b->prev_free)
        b->prev_free->next_free = b->next_free;
    else
        heap.lists[fl][sl] = b->next_free;
    if (b->next_free)
        b->next_free->prev_free = b->prev_free;
    if (heap.lists[fl][sl] == NULL) {
        heap.sl_map[fl] &= ~(1u << sl);
        if (heap.sl_map[fl] == 0)
            heap.fl_map &= ~((uint64_t)1 << fl);
    }
    b->head &= ~F_FREE;
    next_block(b)->head &= ~F_PREV_FREE;
}

/* A free block of at least `size` bytes (removed from its list), or NULL. */
static block *take_free(size_t size)
{
    unsigned fl, sl;
    size_t rounded = size;
    if (size >= SMALL_LIMIT)
        rounded += ((size_t)1 << (log2_floor(size) - SL_BITS)) - 1;
    mapping(rounded, &fl, &sl);
    block *b = NULL;
    if (fl < FL_COUNT) {
        uint32_t slm = heap.sl_map[fl] & (~0u << sl);
        if (slm == 0) {
            uint64_t flm = fl + 1 < FL_COUNT ? heap.fl_map & (~(uint64_t)0 << (fl + 1)) : 0;
            if (flm) {
                fl = (unsigned)__builtin_ctzll(flm);
                slm = heap.sl_map[fl];
            }
        }
        if (slm)
            b = heap.lists[fl][__builtin_ctz(slm)];
    }
    if (b == NULL) {
        /* Every list that surely fits is empty; the request's own list may
         * still hold a block big enough (worth a scan before giving up). */
        mapping(size, &fl, &sl);
        for (block *c = heap.lists[fl][sl]; c; c = c->next_free)
            if (bsize(c) >= size) {
                b = c;
                break;
            }
    }
    if (b)
        list_remove(b);
    return b;
}

/* Keeps the first `size` bytes of the used block b and frees the rest, if it is
 * big enough to be a block (merging it with a free successor). */
static void trim(block *b, size_t size)
{
    size_t have = bsize(b);
    if (have - size < MIN_BLOCK)
        return;
    block *rest = (block *)((char *)b + size);
    b->head = size | (b->head & F_MASK);
    rest->head = have - size;
    heap.used -= have - size;
    block *next = next_block(rest);
    if (next->head & F_FREE) {
        list_remove(next);
        rest->head += bsize(next);
    }
    list_insert(rest);
}

/* The block size serving a request of n bytes, or 0 if it cannot exist. */
static size_t block_size_for(size_t n)
{
    if (n > heap.total)
        return 0;
    size_t size = (n + HDR + ALIGN - 1) & ~(ALIGN - 1);
    return size < MIN_BLOCK ? MIN_BLOCK : size;
}

static void print_size(char *buf, size_t cap, size_t bytes)
{
    const char *unit = "MiB";
    unsigned shift = 20;
    if (bytes < ((size_t)1 << 20)) {
        unit = "KiB";
        shift = 10;
    }
    if (bytes < 1024) {
        snprintf(buf, cap, "%zu B", bytes);
        return;
    }
    size_t whole = bytes >> shift;
    size_t tenths = (((bytes & (((size_t)1 << shift) - 1)) * 10) + ((size_t)1 << (shift - 1))) >> shift;
    if (tenths == 10) {
        whole++;
        tenths = 0;
    }
    if (tenths)
        snprintf(buf, cap, "%zu.%zu %s", whole, tenths, unit);
    else
        snprintf(buf, cap, "%zu %s", whole, unit);
}

static void *exhausted(const char *what)
{
    if (!heap.warned) {
        heap.warned = 1;
        char total[32], used[32], line[192];
        print_size(total, sizeof total, heap.total);
        print_size(used, sizeof used, heap.used);
        snprintf(line, sizeof line, "mirage: heap exhausted: %s failed (heap %s, %s in use)\n", what,
                 total, used);
        __mirage_libc_puts(line);
    }
    errno = ENOMEM;
    return NULL;
}

static void *alloc(size_t n, const char *fn)
{
    size_t size = block_size_for(n);
    block *b = size ? take_free(size) : NULL;
    if (b == NULL) {
        char what[48];
        snprintf(what, sizeof what, "%s(%zu)", fn, n);
        return exhausted(what);
    }
    heap.used += bsize(b);
    trim(b, size);
    return payload(b);
}

static _Noreturn void bad_pointer(const char *fn, void *p)
{
    char line[96];
    snprintf(line, sizeof line, "mirage: %s(%p): invalid pointer or double free\n", fn, p);
    __mirage_libc_puts(line);
    abort();
}

/* The used block behind p, after sanity checks. */
static block *used_block(void *p, const char *fn)
{
    block *b = from_payload(p);
    if ((uintptr_t)p % ALIGN != 0 || (char *)b < heap.start || (char *)b >= heap.end ||
        (b->head & F_FREE) || bsize(b) < MIN_BLOCK || bsize(b) > (size_t)(heap.end - (char *)b))
        bad_pointer(fn, p);
    return b;
}

void *malloc(size_t n)
{
    return alloc(n, "malloc");
}

void *calloc(size_t nmemb, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(nmemb, size, &n)) {
        char what[64];
        snprintf(what, sizeof what, "calloc(%zu, %zu)", nmemb, size);
        return exhausted(what);
    }
    void *p = alloc(n, "calloc");
    if (p)
        memset(p, 0, n);
    return p;
}

void free(void *p)
{
    if (p == NULL)
        return;
    block *b = used_block(p, "free");
    heap.used -= bsize(b);
    if (b->head & F_PREV_FREE) {
        block *prev = prev_block(b);
        list_remove(prev);
        prev->head += bsize(b);
        b = prev;
    }
    block *next = next_block(b);
    if (next->head & F_FREE) {
        list_remove(next);
        b->head += bsize(next);
    }
    list_insert(b);
}

void *realloc(void *p, size_t n)
{
    if (p == NULL)
        return alloc(n, "realloc");
    block *b = used_block(p, "realloc");
    if (n == 0) {
        free(p);
        return NULL;
    }
    size_t size = block_size_for(n);
    size_t have = bsize(b);
    if (size && size <= have) {
        trim(b, size);
        return p;
    }
    if (size) {
        /* Grow in place into a free successor. */
        block *next = next_block(b);
        if ((next->head & F_FREE) && have + bsize(next) >= size) {
            list_remove(next);
            b->head += bsize(next);
            heap.used += bsize(next);
            trim(b, size);
            return p;
        }
        /* Or slide down into a free predecessor (plus the successor). */
        if (b->head & F_PREV_FREE) {
            block *prev = prev_block(b);
            size_t avail = bsize(prev) + have + ((next->head & F_FREE) ? bsize(next) : 0);
            if (avail >= size) {
                list_remove(prev);
                if (next->head & F_FREE)
                    list_remove(next);
                heap.used += avail - have;
                prev->head = avail | (prev->head & F_PREV_FREE);
                memmove(payload(prev), p, have - HDR);
                trim(prev, size);
                return payload(prev);
            }
        }
    }
    void *q = alloc(n, "realloc");
    if (q) {
        memcpy(q, p, have - HDR);
        free(p);
    }
    return q;
}

void *aligned_alloc(size_t alignment, size_t n)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    if (alignment <= ALIGN)
        return alloc(n, "aligned_alloc");
    size_t size = block_size_for(n);
    char what[64];
    snprintf(what, sizeof what, "aligned_alloc(%zu, %zu)", alignment, n);
    if (size == 0 || alignment > heap.total)
        return exhausted(what);
    /* Room for the worst misalignment plus a free block in front of it. */
    block *b = take_free(size + alignment + MIN_BLOCK);
    if (b == NULL)
        return exhausted(what);
    uintptr_t p = (uintptr_t)payload(b);
    uintptr_t q = (p + alignment - 1) & ~(uintptr_t)(alignment - 1);
    if (q != p && q - p < MIN_BLOCK)
        q = (p + MIN_BLOCK + alignment - 1) & ~(uintptr_t)(alignment - 1);
    if (q != p) {
        /* b was free, so its predecessor is used and the gap can stand alone. */
        size_t gap = q - p;
        block *a = from_payload((void *)q);
        a->head = bsize(b) - gap;
        b->head = gap | (b->head & F_PREV_FREE);
        list_insert(b);
        b = a;
    }
    heap.used += bsize(b);
    trim(b, size);
    return payload(b);
}

int posix_memalign(void **memptr, size_t alignment, size_t n)
{
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
        return EINVAL;
    int saved = errno;
    void *p = aligned_alloc(alignment, n);
    errno = saved;
    if (p == NULL)
        return ENOMEM;
    *memptr = p;
    return 0;
}

void mirage_heap_init(void *base, size_t size)
{
    memset(&heap, 0, sizeof heap);
    uintptr_t lo = ((uintptr_t)base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    uintptr_t hi = ((uintptr_t)base + size) & ~(uintptr_t)(ALIGN - 1);
    if (base == NULL || hi < lo || hi - lo < MIN_BLOCK + HDR)
        return; /* no heap: every allocation fails */
    heap.start = (char *)lo;
    heap.end = (char *)hi - HDR;
    heap.total = (size_t)(heap.end - heap.start);
    block *sentinel = (block *)heap.end;
    sentinel->prev_size = 0;
    sentinel->head = 0; /* size 0, used */
    block *first = (block *)heap.start;
    first->prev_size = 0;
    first->head = heap.total;
    list_insert(first);
}

void mirage_heap_stats(size_t *total, size_t *used, size_t *free_largest)
{
    if (total)
        *total = heap.total;
    if (used)
        *used = heap.used;
    if (free_largest) {
        size_t largest = 0;
        if (heap.fl_map) {
            unsigned fl = log2_floor(heap.fl_map);
            unsigned sl = log2_floor(heap.sl_map[fl]);
            for (block *b = heap.lists[fl][sl]; b; b = b->next_free)
                if (bsize(b) > largest)
                    largest = bsize(b);
        }
        *free_largest = largest ? largest - HDR : 0;
    }
}

int mirage_heap_check(size_t *blocks, size_t *free_blocks)
{
    size_t nblocks = 0, nfree = 0, used = 0;
    int prev_free = 0;
    size_t prev_size = 0;
    int err = 0;
    if (heap.start) {
        block *b = (block *)heap.start;
        while ((char *)b < heap.end) {
            size_t size = bsize(b);
            if (size < MIN_BLOCK || size % ALIGN || size > (size_t)(heap.end - (char *)b)) {
                err = -1; /* corrupt size */
                break;
            }
            if (!!(b->head & F_PREV_FREE) != prev_free) {
                err = -2; /* PREV_FREE flag disagrees with the predecessor */
                break;
            }
            if (prev_free && b->prev_size != prev_size) {
                err = -3; /* stale footer */
                break;
            }
            int is_free = !!(b->head & F_FREE);
            if (is_free && prev_free) {
                err = -4; /* two free blocks side by side */
                break;
            }
            nblocks++;
            if (is_free)
                nfree++;
            else
                used += size;
            prev_free = is_free;
            prev_size = size;
            b = next_block(b);
        }
        if (!err && (char *)b != heap.end)
            err = -5; /* blocks overrun the sentinel */
        if (!err && (!!(b->head & F_PREV_FREE) != prev_free || bsize(b) != 0 || (b->head & F_FREE)))
            err = -6; /* sentinel damaged */
        if (!err && used != heap.used)
            err = -7; /* used counter drifted */
    }
    /* Every list: members free, in the right class, doubly linked, bitmaps right. */
    size_t listed = 0;
    for (unsigned fl = 0; !err && fl < FL_COUNT; fl++) {
        if (!!(heap.fl_map & ((uint64_t)1 << fl)) != (heap.sl_map[fl] != 0))
            err = -8;
        for (unsigned sl = 0; !err && sl < SL_COUNT; sl++) {
            block *prev = NULL;
            if (!!(heap.sl_map[fl] & (1u << sl)) != (heap.lists[fl][sl] != NULL))
                err = -8; /* bitmap disagrees with the list */
            for (block *b = heap.lists[fl][sl]; !err && b; b = b->next_free) {
                unsigned f, s;
                mapping(bsize(b), &f, &s);
                if (!(b->head & F_FREE) || f != fl || s != sl || b->prev_free != prev)
                    err = -9; /* wrong list or broken links */
                if (++listed > nfree)
                    err = -10; /* more listed than free blocks on the heap (or a loop) */
                prev = b;
            }
        }
    }
    if (!err && listed != nfree)
        err = -10;
    if (blocks)
        *blocks = nblocks;
    if (free_blocks)
        *free_blocks = nfree;
    return err;
}
