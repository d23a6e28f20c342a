/* Tiny helpers for the tender test guests (freestanding: no libc). */
#ifndef TEST_GUEST_SUPPORT_H
#define TEST_GUEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>

void put(const char *s);
void put_u64(uint64_t v);
void put_hex(uint64_t v);
size_t str_len(const char *s);
int str_eq(const char *a, const char *b);
int str_prefix(const char *s, const char *prefix);
uint64_t parse_u64(const char *s);

/* What the bindings handed to mirage_heap_init. */
extern void *test_heap_base;
extern size_t test_heap_size;

#endif
