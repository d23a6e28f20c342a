/* block: round trip through a block device.
 *
 * Writes a pattern over the first 64 and the last 64 sectors (one multi-sector write for
 * the head, one write per sector for the tail), reads both back the other way round and
 * compares. The pattern changes at every run (its generation is one more than the one
 * found on the disk), so stale data from an earlier run cannot pass for a fresh write.
 * Before writing, a disk that is not blank must still hold the previous run's pattern at
 * both ends: data written by one boot is read back by the next.
 * Also checks that a read past the end is refused.
 *
 * Exit 0 when everything matches. A read-only device is not an error: the unikernel
 * checks that a write is refused with MIRAGE_ENOTSUP, reads the same sectors, reports
 * and exits 0. Any I/O error, mismatch or a device under 128 sectors: a message, exit 1. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/block.h>
#include <mirage/console.h>
#include <mirage/errors.h>

#include "mirage_app.h"

#define REGION 64 /* sectors at each end of the disk */

/* The pattern's byte at disk offset `off` before the generation is added: a hash of the
 * offset, so a sector written at the wrong place does not match. */
static uint8_t pattern_base(uint64_t off)
{
    uint32_t x = (uint32_t)(off >> 2) * 2654435761u ^ (uint32_t)(off >> 32);
    x ^= x >> 15;
    return (uint8_t)(x >> (8 * (off & 3)));
}

static void fill(uint8_t *buf, uint64_t off, size_t len, uint8_t gen)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(pattern_base(off + i) + gen);
}

/* The first byte offset in [off, off + len) where buf differs from the pattern, or -1. */
static long long mismatch(const uint8_t *buf, uint64_t off, size_t len, uint8_t gen)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != (uint8_t)(pattern_base(off + i) + gen))
            return (long long)(off + i);
    return -1;
}

static int fail(struct mirage_console *c, const char *what, uint64_t sector, int rc)
{
    mirage_console_printf(c, "block: %s at sector %llu failed: %s\n", what,
                          (unsigned long long)sector, mirage_strerror(rc));
    return 1;
}

static int read_only(struct mirage_console *c, struct mirage_block *disk, uint8_t *buf,
                     size_t region)
{
    const struct mirage_block_info *info = mirage_block_info(disk);
    int rc = mirage_block_write(disk, 0, buf, info->sector_size);
    if (rc != MIRAGE_ENOTSUP) {
        mirage_console_printf(c, "block: a write to a read-only device returned %d (%s)\n", rc,
                              mirage_strerror(rc));
        return 1;
    }
    uint64_t tail = info->sectors - REGION;
    if ((rc = mirage_block_read(disk, 0, buf, region)) < 0)
        return fail(c, "read", 0, rc);
    if ((rc = mirage_block_read(disk, tail, buf, region)) < 0)
        return fail(c, "read", tail, rc);
    mirage_console_printf(c, "block: read-only, read %zu KiB, wrote nothing: OK\n", 2 * region / 1024);
    return 0;
}

int unikernel_start(struct mirage_console *console, struct mirage_block *disk)
{
    const struct mirage_block_info *info = mirage_block_info(disk);
    uint32_t ss = info->sector_size;
    mirage_console_printf(console, "block: %llu sectors of %u bytes, %s\n",
                          (unsigned long long)info->sectors, (unsigned)ss,
                          info->read_write ? "read-write" : "read-only");
    if (info->sectors < 2 * REGION) {
        mirage_console_printf(console, "block: the disk is too small: at least %d sectors are needed\n",
                              2 * REGION);
        return 1;
    }
    size_t region = (size_t)REGION * ss;
    uint8_t *buf = malloc(region);
    if (buf == NULL) {
        mirage_console_printf(console, "block: out of memory\n");
        return 1;
    }
    int status;
    if (!info->read_write) {
        status = read_only(console, disk, buf, region);
        free(buf);
        return status;
    }
    status = 1;
    uint64_t tail = info->sectors - REGION;
    uint64_t tail_off = tail * ss;
    int rc;

    /* This run's generation: one more than the one sector 0 holds. */
    if ((rc = mirage_block_read(disk, 0, buf, ss)) < 0) {
        fail(console, "read", 0, rc);
        goto out;
    }
    uint8_t gen = (uint8_t)(buf[0] - pattern_base(0) + 1);
    mirage_console_printf(console, "block: pattern generation %u\n", (unsigned)gen);
    size_t used = 0;
    while (used < ss && buf[used] == 0)
        used++;
    if (used < ss) { /* not blank: the previous boot's pattern must be intact at both ends */
        uint8_t prev = (uint8_t)(gen - 1);
        long long old = -1;
        uint64_t starts[2] = {0, tail};
        for (int e = 0; e < 2 && old < 0; e++) {
            if ((rc = mirage_block_read(disk, starts[e], buf, region)) < 0) {
                fail(console, "read", starts[e], rc);
                goto out;
            }
            old = mismatch(buf, starts[e] * ss, region, prev);
        }
        if (old >= 0) {
            mirage_console_printf(console, "block: previous run's data damaged at byte %lld\n", old);
            goto out;
        }
        mirage_console_printf(console, "block: previous run's pattern (generation %u) read back: OK\n",
                              (unsigned)prev);
    }

    fill(buf, 0, region, gen);
    if ((rc = mirage_block_write(disk, 0, buf, region)) < 0) {
        fail(console, "write", 0, rc);
        goto out;
    }
    for (uint64_t s = 0; s < REGION; s++) {
        fill(buf, tail_off + s * ss, ss, gen);
        if ((rc = mirage_block_write(disk, tail + s, buf, ss)) < 0) {
            fail(console, "write", tail + s, rc);
            goto out;
        }
    }

    memset(buf, 0, region);
    if ((rc = mirage_block_read(disk, tail, buf, region)) < 0) {
        fail(console, "read", tail, rc);
        goto out;
    }
    long long bad = mismatch(buf, tail_off, region, gen);
    for (uint64_t s = 0; s < REGION && bad < 0; s++) {
        memset(buf, 0, ss);
        if ((rc = mirage_block_read(disk, s, buf, ss)) < 0) {
            fail(console, "read", s, rc);
            goto out;
        }
        bad = mismatch(buf, s * ss, ss, gen);
    }
    if (bad >= 0) {
        mirage_console_printf(console, "block: MISMATCH at byte %lld\n", bad);
        goto out;
    }

    rc = mirage_block_read(disk, info->sectors, buf, ss);
    int rc2 = mirage_block_read(disk, info->sectors - 1, buf, 2 * (size_t)ss);
    if (rc != MIRAGE_EINVAL || rc2 != MIRAGE_EINVAL) {
        mirage_console_printf(console, "block: a read past the end returned %d and %d, not %d\n",
                              rc, rc2, MIRAGE_EINVAL);
        goto out;
    }
    mirage_console_printf(console, "block: wrote and read back %zu KiB: OK\n", 2 * region / 1024);
    status = 0;
out:
    free(buf);
    return status;
}
