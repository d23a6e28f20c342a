/* block: round trip through a block device, safe against a crash at any point.
 *
 * Writes a pattern over the first 64 and the last 64 sectors (one multi-sector write for
 * the head, one write per sector for the tail), reads both back the other way round and
 * compares. The pattern changes at every run (its generation is one more than the one
 * committed on the disk), so stale data from an earlier run cannot pass for a fresh write.
 *
 * Crash safety, the part to copy: a multi-sector write is not atomic, so the generation
 * lives in a commit sector (sector 64) that is written last, after a flush of the data,
 * and flushed itself. At boot every data sector must hold the committed generation's
 * pattern or the next one's (a run that crashed before its commit); anything else is
 * damage. So a kill or power cut at any point leaves a disk the next boot accepts.
 * Also checks that a read past the end is refused.
 *
 * Exit 0 when everything matches. A read-only device is not an error: the unikernel
 * checks that a write is refused with MIRAGE_ENOTSUP, reads the same sectors, reports
 * and exits 0. Any I/O error, mismatch or a device under 129 sectors: a message, exit 1.
 * A platform that cannot flush (Solo5's tenders, ours without --block-sync) is reported
 * once: the data then survives a crash of the unikernel, not of the host. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/block.h>
#include <mirage/console.h>
#include <mirage/errors.h>

#include "mirage_app.h"

#define REGION 64 /* sectors at each end of the disk */
#define COMMIT REGION /* the commit sector, just after the head */
#define MAGIC "MIRBLKG1"

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

/* The commit sector: MAGIC, the generation (u32, little endian) and a check of both. */
static uint32_t commit_check(const uint8_t *p)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 12; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The committed generation in *gen (0 for a blank sector); -1 if the sector is neither. */
static int read_commit(const uint8_t *sec, uint32_t ss, uint32_t *gen)
{
    size_t used = 0;
    while (used < ss && sec[used] == 0)
        used++;
    if (used == ss) {
        *gen = 0;
        return 0;
    }
    if (memcmp(sec, MAGIC, 8) != 0 || get32(sec + 12) != commit_check(sec))
        return -1;
    *gen = get32(sec + 8);
    return *gen == 0 ? -1 : 0;
}

/* The first byte of the sector at byte `off` that is not generation g's pattern (zeros
 * for g 0, a disk never committed), or -1. */
static long long first_diff(const uint8_t *sec, uint64_t off, uint32_t ss, uint32_t g)
{
    if (g != 0)
        return mismatch(sec, off, ss, (uint8_t)g);
    for (uint32_t i = 0; i < ss; i++)
        if (sec[i] != 0)
            return (long long)(off + i);
    return -1;
}

/* Every data sector holds generation `committed` or `next` (an uncommitted run).
 * Returns the first damaged byte offset, or -1; *redo is set if a sector held `next`. */
static long long check_regions(struct mirage_block *disk, uint8_t *buf, uint32_t committed,
                               uint32_t next, int *redo, int *rc)
{
    const struct mirage_block_info *info = mirage_block_info(disk);
    uint32_t ss = info->sector_size;
    uint64_t starts[2] = {0, info->sectors - REGION};
    for (int e = 0; e < 2; e++) {
        if ((*rc = mirage_block_read(disk, starts[e], buf, (size_t)REGION * ss)) < 0)
            return (long long)starts[e];
        for (uint64_t s = 0; s < REGION; s++) {
            const uint8_t *sec = buf + s * ss;
            uint64_t off = (starts[e] + s) * ss;
            long long bad = first_diff(sec, off, ss, committed);
            if (bad >= 0 && first_diff(sec, off, ss, next) >= 0)
                return bad;
            *redo |= bad >= 0;
        }
    }
    return -1;
}

static int flush(struct mirage_console *c, struct mirage_block *disk, int *warned)
{
    int rc = mirage_block_flush(disk);
    if (rc == MIRAGE_ENOTSUP) {
        if (!*warned)
            mirage_console_printf(c, "block: this platform cannot flush: the data survives a crash "
                                     "of the unikernel, not of the host\n");
        *warned = 1;
        return 0;
    }
    return rc;
}

int unikernel_start(struct mirage_console *console, struct mirage_block *disk)
{
    const struct mirage_block_info *info = mirage_block_info(disk);
    uint32_t ss = info->sector_size;
    mirage_console_printf(console, "block: %llu sectors of %u bytes, %s\n",
                          (unsigned long long)info->sectors, (unsigned)ss,
                          info->read_write ? "read-write" : "read-only");
    if (info->sectors < 2 * REGION + 1) {
        mirage_console_printf(console, "block: the disk is too small: at least %d sectors are needed\n",
                              2 * REGION + 1);
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
    int rc = 0, warned = 0;

    uint32_t committed;
    if ((rc = mirage_block_read(disk, COMMIT, buf, ss)) < 0) {
        fail(console, "read", COMMIT, rc);
        goto out;
    }
    if (read_commit(buf, ss, &committed) < 0) {
        mirage_console_printf(console, "block: the commit sector %d is damaged\n", COMMIT);
        goto out;
    }
    uint32_t gen = committed + 1;
    mirage_console_printf(console, "block: pattern generation %u\n", (unsigned)gen);
    int redo = 0;
    long long old = check_regions(disk, buf, committed, gen, &redo, &rc);
    if (rc < 0) {
        fail(console, "read", (uint64_t)old, rc);
        goto out;
    }
    if (old >= 0) {
        mirage_console_printf(console, "block: previous run's data damaged at byte %lld\n", old);
        goto out;
    }
    if (redo)
        mirage_console_printf(console, "block: a run of generation %u stopped before its commit: "
                              "writing it again\n", (unsigned)gen);
    if (committed > 0)
        mirage_console_printf(console, "block: previous run's pattern (generation %u) read back: OK\n",
                              (unsigned)committed);

    fill(buf, 0, region, (uint8_t)gen);
    if ((rc = mirage_block_write(disk, 0, buf, region)) < 0) {
        fail(console, "write", 0, rc);
        goto out;
    }
    for (uint64_t s = 0; s < REGION; s++) {
        fill(buf, tail_off + s * ss, ss, (uint8_t)gen);
        if ((rc = mirage_block_write(disk, tail + s, buf, ss)) < 0) {
            fail(console, "write", tail + s, rc);
            goto out;
        }
    }
    /* The data is durable before the commit that points at it, and the commit after. */
    memset(buf, 0, ss);
    memcpy(buf, MAGIC, 8);
    put32(buf + 8, gen);
    put32(buf + 12, commit_check(buf));
    if ((rc = flush(console, disk, &warned)) < 0 || (rc = mirage_block_write(disk, COMMIT, buf, ss)) < 0 ||
        (rc = flush(console, disk, &warned)) < 0) {
        fail(console, "commit", COMMIT, rc);
        goto out;
    }

    memset(buf, 0, region);
    if ((rc = mirage_block_read(disk, tail, buf, region)) < 0) {
        fail(console, "read", tail, rc);
        goto out;
    }
    long long bad = mismatch(buf, tail_off, region, (uint8_t)gen);
    for (uint64_t s = 0; s < REGION && bad < 0; s++) {
        memset(buf, 0, ss);
        if ((rc = mirage_block_read(disk, s, buf, ss)) < 0) {
            fail(console, "read", s, rc);
            goto out;
        }
        bad = mismatch(buf, s * ss, ss, (uint8_t)gen);
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
