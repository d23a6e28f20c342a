/* Records for the crash tests: record i of generation g is 512 bytes: "REC1", g, i (u32
 * little endian), bytes that depend on g and i, and a check of all that. Sector i, or the
 * key "k<i>", gets record i; "ack i" is printed once the write (and flush) returned. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mirage/block.h>
#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/kv_rw.h>

#include "mirage_app.h"

#define REC 512

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void record(uint8_t *r, uint32_t g, uint32_t i)
{
    memcpy(r, "REC1", 4);
    put32(r + 4, g);
    put32(r + 8, i);
    uint32_t h = 2166136261u;
    for (int k = 12; k < REC - 4; k++) {
        r[k] = (uint8_t)(g * 31u + i * 7u + (uint32_t)k);
        h = (h ^ r[k]) * 16777619u;
    }
    put32(r + REC - 4, h);
}

int unikernel_start(struct mirage_console *c, struct mirage_block *disk, struct mirage_kv_rw *store)
{
    uint32_t g = (uint32_t)mirage_arg_gen(), n = (uint32_t)mirage_arg_count();
    uint8_t r[REC];
    int noflush = 0;
    for (uint32_t i = 0; i < n; i++) {
        record(r, g, i);
        int rc;
        if (mirage_arg_kv()) {
            char key[16];
            snprintf(key, sizeof key, "k%u", (unsigned)i);
            rc = mirage_kv_rw_set(store, key, r, REC);
        } else {
            rc = mirage_block_write(disk, i, r, REC);
            if (rc == 0 && mirage_arg_flush() && (rc = mirage_block_flush(disk)) == MIRAGE_ENOTSUP) {
                noflush = 1;
                rc = 0;
            }
        }
        if (rc < 0) {
            mirage_console_printf(c, "record %u: %s\n", (unsigned)i, mirage_strerror(rc));
            return 1;
        }
        mirage_console_printf(c, "ack %u\n", (unsigned)i);
    }
    mirage_console_printf(c, "done%s\n", noflush ? " (no flush)" : "");
    return 0;
}
