/* kv_rw round trip: set, set_partial, rename, list, read back through the kv_ro face
 * (&kv->ro), remove; prints what it sees, exits 1 at the first surprise. */
#include <string.h>

#include <mirage/console.h>
#include <mirage/errors.h>
#include <mirage/kv_rw.h>
#include <mirage/sha256.h>

#include "mirage_app.h"

static struct mirage_console *out;

static void show(void *ctx, const char *name, enum mirage_kv_kind kind)
{
    mirage_console_printf(out, "%s%s%s\n", (const char *)ctx, name, kind == MIRAGE_KV_DICTIONARY ? "/" : "");
}

#define CHECK(expr, want)                                                                   \
    do {                                                                                    \
        int rc_ = (expr);                                                                   \
        if (rc_ != (want)) {                                                                \
            mirage_console_printf(out, "FAILED: %s = %d (%s)\n", #expr, rc_, mirage_strerror(rc_)); \
            return 1;                                                                       \
        }                                                                                   \
    } while (0)

int unikernel_start(struct mirage_console *console, struct mirage_kv_rw *kv)
{
    struct mirage_kv_ro *ro = &kv->ro;
    char buf[64] = {0};
    size_t n;
    uint8_t digest[MIRAGE_SHA256_LEN];
    char hex[2 * MIRAGE_SHA256_LEN + 1];
    out = console;
    CHECK(mirage_kv_rw_set(kv, "/notes/today", "hello", 5), 0);
    CHECK(mirage_kv_rw_set_partial(kv, "notes/today", 5, ", world", 7), 0);
    CHECK(mirage_kv_rw_set(kv, "notes", "x", 1), MIRAGE_EINVAL);
    CHECK(mirage_kv_rw_rename(kv, "notes", "archive/2024"), 0);
    CHECK(mirage_kv_ro_list(ro, "", show, ""), 0);
    CHECK(mirage_kv_ro_list(ro, "archive/2024", show, "archive/2024/"), 0);
    CHECK(mirage_kv_ro_get_partial(ro, "archive/2024/today", 0, buf, sizeof buf - 1, &n), 0);
    CHECK(mirage_kv_ro_digest(ro, "archive/2024/today", digest), 0);
    mirage_sha256_hex(digest, hex);
    mirage_console_printf(console, "%s %s\n", buf, hex);
    CHECK(mirage_kv_rw_remove(kv, "archive"), 0);
    CHECK(mirage_kv_ro_get_partial(ro, "archive/2024/today", 0, buf, 1, &n), MIRAGE_ENOENT);
    mirage_console_printf(console, "kv_rw: OK\n");
    return 0;
}
