/* Helpers for the Solo5 test guests (spt, hvt, virtio), which link the mirage
 * libc. put*() write as they go; say() formats a whole line first and writes
 * it once (on hvt every console write is a hypercall, slow under nested
 * virtualisation). */
#ifndef TEST_GUEST_SUPPORT_H
#define TEST_GUEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/platform.h>

void put(const char *s);
void put_u64(uint64_t v);
void put_hex(uint64_t v);
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);
size_t str_len(const char *s);
int str_eq(const char *a, const char *b);
int str_prefix(const char *s, const char *prefix);
uint64_t parse_u64(const char *s);

/* What the bindings handed to mirage_heap_init (the image is linked with
 * --wrap=mirage_heap_init). */
extern void *test_heap_base;
extern size_t test_heap_size;

#endif
