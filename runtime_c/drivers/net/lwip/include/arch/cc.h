/* lwIP's port header: how lwIP meets our runtime (freestanding or hosted alike). */
#ifndef MIRAGE_LWIP_ARCH_CC_H
#define MIRAGE_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
/* lwIP declares ssize_t itself unless SSIZE_MAX says it exists (strict C hides it). */
#ifndef SSIZE_MAX
#define SSIZE_MAX __PTRDIFF_MAX__
#endif

#include <mirage/log.h>
#include <mirage/random.h>

/* Our libc has no ctype locale tables to avoid, and no unistd.h on freestanding targets. */
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1

/* Diagnostics and assertions through our log and abort (lwIP's default uses stdio). */
void mirage_lwip_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_DIAG(x) do { mirage_lwip_diag x; } while (0)
void mirage_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define LWIP_PLATFORM_ASSERT(x) mirage_lwip_assert((x), __FILE__, __LINE__)

/* The Internet checksum of every frame in and out: eight bytes a step (port.c), where
 * lwIP's own (LWIP_CHKSUM_ALGORITHM 2) adds two. */
uint16_t mirage_lwip_chksum(const void *dataptr, int len);
#define LWIP_CHKSUM mirage_lwip_chksum

/* Ports, DHCP transaction ids, IPv6 temporary values: from our DRBG. */
#define LWIP_RAND() ((u32_t)mirage_random_u64())

#endif
