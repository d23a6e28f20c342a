/* Seed material on the unix target: the host kernel's getrandom(2), which blocks
 * only until the kernel's pool is first initialised. */
#define _DEFAULT_SOURCE /* getrandom under -std=c11 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

#include <mirage/errors.h>
#include <mirage/random_seed.h>

int mirage_random_seed(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return MIRAGE_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return MIRAGE_SEED_GETRANDOM;
}
