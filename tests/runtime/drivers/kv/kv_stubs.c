/* What the kv drivers need from the rest of the runtime, for host tests: mirage_log (the
 * last message kept), a settable mirage_pclock_ns, and an in-memory block device whose
 * mirage_block_read checks every request (alignment and range) and counts violations,
 * so a driver reading out of bounds is caught even without a sanitizer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mirage/block.h>
#include <mirage/errors.h>
#include <mirage/log.h>

static char last[512];

void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(last, sizeof last, "%d [%s] ", (int)level, src ? src : "-");
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof last)
        vsnprintf(last + n, sizeof last - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *stub_last_log(void) { return last; }
void stub_clear_log(void) { last[0] = '\0'; }

static uint64_t now;
uint64_t mirage_pclock_ns(void) { return now; }
void stub_set_now(uint64_t ns) { now = ns; }

struct memblock {
    uint8_t *data;         /* a private copy, exactly sectors * sector_size bytes */
    unsigned long reads, violations;
};

static int mem_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len)
{
    struct memblock *m = b->state;
    memcpy(buf, m->data + sector * b->info.sector_size, len);
    m->reads++;
    return MIRAGE_OK;
}

static int mem_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    (void)b, (void)sector, (void)buf, (void)len;
    return MIRAGE_ENOTSUP;
}

static const struct mirage_block_ops mem_ops = {mem_read, mem_write, NULL};

const struct mirage_block_info *mirage_block_info(const struct mirage_block *b)
{
    return &b->info;
}

int mirage_block_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len)
{
    uint32_t ss = b->info.sector_size;
    if (len % ss != 0 || sector > b->info.sectors || len / ss > b->info.sectors - sector) {
        ((struct memblock *)b->state)->violations++;
        return MIRAGE_EINVAL;
    }
    return b->ops->read(b, sector, buf, len);
}

int mirage_block_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len)
{
    return b->ops->write(b, sector, buf, len);
}

/* A read-only device of the first `bytes` bytes of data (rounded down to whole sectors,
 * as a device would be). */
struct mirage_block *memblock_new(const uint8_t *data, uint64_t bytes, uint32_t sector_size)
{
    struct mirage_block *b = calloc(1, sizeof *b);
    struct memblock *m = calloc(1, sizeof *m);
    uint64_t sectors = bytes / sector_size;
    uint8_t *copy = malloc(sectors * sector_size + 1);
    if (b == NULL || m == NULL || copy == NULL) {
        free(b);
        free(m);
        free(copy);
        return NULL;
    }
    memcpy(copy, data, sectors * sector_size);
    m->data = copy;
    b->ops = &mem_ops;
    b->info.sector_size = sector_size;
    b->info.sectors = sectors;
    b->info.read_write = false;
    b->name = "mem";
    b->state = m;
    return b;
}

unsigned long memblock_violations(const struct mirage_block *b)
{
    return ((const struct memblock *)b->state)->violations;
}

unsigned long memblock_reads(const struct mirage_block *b)
{
    return ((const struct memblock *)b->state)->reads;
}

void memblock_free(struct mirage_block *b)
{
    struct memblock *m = b->state;
    free(m->data);
    free(m);
    free(b);
}
