/* The Internet checksum for lwIP (LWIP_CHKSUM in include/arch/cc.h): every frame in
 * and out is summed, and lwIP's own routine (LWIP_CHKSUM_ALGORITHM 2) adds two bytes a
 * step; this one adds eight, in two chains. Plain C: no lwIP header needed. */
#include <stdint.h>

/* An unaligned load: the compiler's memcpy is one move, where freestanding builds
 * (-fno-builtin) would call our libc's, a rep movsb with its start-up cost per word. */
#define LOAD(dst, src, n) __builtin_memcpy((dst), (src), (n))

/* lwIP's checksum contract (its lwip_standard_chksum): the ones' complement sum of the
 * 16-bit words at dataptr as the host loads them, folded, not inverted; a last odd byte
 * counts as a word whose other byte is zero. Loads here need no alignment, so the words
 * are taken from dataptr itself whatever its address. The sum of native 16-bit words
 * equals the folded sum of native 64-bit words taken as 32-bit halves (RFC 1071: byte
 * order and grouping do not matter), and 32-bit halves added into 64 bits cannot overflow
 * for any length an int holds. */
uint16_t mirage_lwip_chksum(const void *dataptr, int len)
{
    const uint8_t *p = dataptr;
    uint64_t sum = 0, sum2 = 0;
    for (; len >= 16; len -= 16, p += 16) { /* two chains: the adds overlap */
        uint64_t a, b;
        LOAD(&a, p, 8);
        LOAD(&b, p + 8, 8);
        sum += (a & 0xffffffffu) + (a >> 32);
        sum2 += (b & 0xffffffffu) + (b >> 32);
    }
    sum += sum2;
    for (; len >= 2; len -= 2, p += 2) {
        uint16_t w;
        LOAD(&w, p, 2);
        sum += w;
    }
    if (len > 0) {
        const uint8_t last[2] = {p[0], 0};
        uint16_t w;
        LOAD(&w, last, 2);
        sum += w;
    }
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)sum;
}
