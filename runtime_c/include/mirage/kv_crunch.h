/* Files embedded in the image at build time (crunch): the generated index the crunch
 * driver serves as a kv_ro store. */
#ifndef MIRAGE_KV_CRUNCH_H
#define MIRAGE_KV_CRUNCH_H

#include <stddef.h>
#include <stdint.h>

#include <mirage/kv_ro.h>

struct mirage_crunch_file {
    const char *key;        /* "dir/file", no leading slash */
    const uint8_t *data;
    uint64_t size;
    uint8_t sha256[32];
    uint64_t mtime_ns;      /* since the epoch */
};

struct mirage_crunch_index {
    size_t count;
    const struct mirage_crunch_file *files; /* sorted by key (strcmp order) */
};

int crunch_connect(struct mirage_kv_ro *out, const char *name, const struct mirage_crunch_index *index);

#endif
