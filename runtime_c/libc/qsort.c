/* qsort: introsort with a three-way partition.
 *
 * Quicksort with a median-of-three (ninther for large ranges) pivot and a
 * Dijkstra three-way partition, so runs of equal keys cost nothing; recursion
 * only on the smaller side (stack depth O(log n)); heapsort once the depth
 * budget (2 log2 n) is spent, so the worst case stays O(n log n); insertion sort
 * for short ranges. Every index stays inside the array whatever the comparator
 * answers, so an inconsistent comparator yields some permutation, never a
 * crash. */
#include <stdint.h>
#include <stdlib.h>

typedef int (*cmp_fn)(const void *, const void *);
typedef uint64_t __attribute__((may_alias)) word; /* the elements' real type is unknown */

struct sorter {
    char *base;
    size_t size;
    cmp_fn cmp;
    int words; /* elements are whole, aligned uint64_t words */
};

static inline char *at(const struct sorter *s, size_t i) { return s->base + i * s->size; }

static inline int cmp_at(const struct sorter *s, size_t i, size_t j)
{
    return s->cmp(at(s, i), at(s, j));
}

static void swap(const struct sorter *s, size_t i, size_t j)
{
    if (i == j)
        return;
    if (s->words) {
        word *a = (word *)(void *)at(s, i), *b = (word *)(void *)at(s, j);
        for (size_t k = 0; k < s->size / 8; k++) {
            word t = a[k];
            a[k] = b[k];
            b[k] = t;
        }
    } else {
        unsigned char *a = (unsigned char *)at(s, i), *b = (unsigned char *)at(s, j);
        for (size_t k = 0; k < s->size; k++) {
            unsigned char t = a[k];
            a[k] = b[k];
            b[k] = t;
        }
    }
}

static void insertion_sort(const struct sorter *s, size_t lo, size_t hi)
{
    for (size_t i = lo + 1; i <= hi; i++)
        for (size_t j = i; j > lo && cmp_at(s, j - 1, j) > 0; j--)
            swap(s, j - 1, j);
}

static void sift_down(const struct sorter *s, size_t lo, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp_at(s, lo + child, lo + child + 1) < 0)
            child++;
        if (cmp_at(s, lo + root, lo + child) >= 0)
            return;
        swap(s, lo + root, lo + child);
        root = child;
    }
}

static void heap_sort(const struct sorter *s, size_t lo, size_t hi)
{
    size_t n = hi - lo + 1;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(s, lo, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        swap(s, lo, lo + end);
        sift_down(s, lo, 0, end);
    }
}

static size_t median3(const struct sorter *s, size_t a, size_t b, size_t c)
{
    if (cmp_at(s, a, b) < 0) {
        if (cmp_at(s, b, c) < 0)
            return b;
        return cmp_at(s, a, c) < 0 ? c : a;
    }
    if (cmp_at(s, a, c) < 0)
        return a;
    return cmp_at(s, b, c) < 0 ? c : b;
}

#define INSERTION_MAX 12

static void intro_sort(const struct sorter *s, size_t lo, size_t hi, unsigned depth)
{
    while (hi > lo) {
        size_t n = hi - lo + 1;
        if (n <= INSERTION_MAX) {
            insertion_sort(s, lo, hi);
            return;
        }
        if (depth == 0) {
            heap_sort(s, lo, hi);
            return;
        }
        depth--;

        size_t mid = lo + n / 2, p;
        if (n > 64) {
            size_t e = n / 8;
            p = median3(s, median3(s, lo, lo + e, lo + 2 * e), median3(s, mid - e, mid, mid + e),
                        median3(s, hi - 2 * e, hi - e, hi));
        } else {
            p = median3(s, lo, mid, hi);
        }
        swap(s, lo, p); /* the pivot stays at lo during the partition */

        /* [lo+1, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot */
        size_t lt = lo + 1, i = lo + 1, gt = hi;
        while (i <= gt) {
            int c = cmp_at(s, i, lo);
            if (c < 0) {
                swap(s, lt++, i++);
            } else if (c > 0) {
                swap(s, i, gt--); /* gt >= i > lo: no wrap-around */
            } else {
                i++;
            }
        }
        /* Move the pivot next to its equals: [lo, lt-1) < pivot <= [lt-1, gt]. */
        swap(s, lo, lt - 1);
        size_t left_hi = lt - 1; /* exclusive end of the left part */
        size_t right_lo = gt + 1;

        /* Recurse into the smaller side, loop on the larger. */
        if (left_hi - lo < hi + 1 - right_lo) {
            if (left_hi > lo + 1)
                intro_sort(s, lo, left_hi - 1, depth);
            lo = right_lo;
        } else {
            if (hi > right_lo)
                intro_sort(s, right_lo, hi, depth);
            if (left_hi == lo)
                return;
            hi = left_hi - 1;
        }
    }
}

void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))
{
    if (nmemb < 2 || size == 0)
        return;
    struct sorter s = {
        .base = base,
        .size = size,
        .cmp = compar,
        .words = size % 8 == 0 && (uintptr_t)base % 8 == 0,
    };
    unsigned depth = 0;
    for (size_t n = nmemb; n > 1; n >>= 1)
        depth += 2;
    intro_sort(&s, 0, nmemb - 1, depth);
}
