#ifndef MIRAGE_LIBC_STDLIB_H
#define MIRAGE_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

#ifdef __cplusplus
extern "C" {
#endif

/* Number parsing with the exact C semantics (errno=ERANGE and clamping on
 * overflow, errno=EINVAL for an unsupported base, *endptr = nptr when no
 * digits were found). No "0b" prefix (that is C23). */
long strtol(const char *restrict nptr, char **restrict endptr, int base);
unsigned long strtoul(const char *restrict nptr, char **restrict endptr, int base);
long long strtoll(const char *restrict nptr, char **restrict endptr, int base);
unsigned long long strtoull(const char *restrict nptr, char **restrict endptr, int base);
int atoi(const char *nptr);
long atol(const char *nptr);
long long atoll(const char *nptr);

int abs(int x);
long labs(long x);
long long llabs(long long x);

/* Introsort: O(n log n) worst case, no recursion deeper than O(log n), safe
 * (stays in bounds) with any comparator. Not stable. */
void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
              int (*compar)(const void *, const void *));

/* Calls mirage_platform_abort(). */
_Noreturn void abort(void);

/* The heap (see <mirage_heap.h>): 16-byte aligned blocks. malloc(0) returns a
 * unique minimal block; realloc(p, 0) frees p and returns NULL. On exhaustion
 * these return NULL with errno=ENOMEM. */
void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
void *aligned_alloc(size_t alignment, size_t size);
int posix_memalign(void **memptr, size_t alignment, size_t size);

#ifdef __cplusplus
}
#endif

#endif
