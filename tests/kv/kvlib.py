"""The kv drivers (runtime_c/drivers/kv) built for the host and loaded through cffi, with
kv_stubs.c for the log, the wall clock and an in-memory block device.

With MIRAGE_KV_SANITIZE=1 the library is built with AddressSanitizer and UBSan (every
finding aborts); test_sanitized.py runs the C tests that way in a child process whose
LD_PRELOAD puts the sanitizer runtimes first, as they must be."""
from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.cbuild import build

HERE = Path(__file__).resolve().parent
DRIVERS = "runtime_c/drivers/kv"
SOURCES = ["sha256", "tar", "kv_index", "archive", "crunch", "kv_ro", "kv_rw", "kv_rw_mem", "direct_unix",
           "direct_kv_rw_unix"]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]

CDEF = """
enum mirage_error {
    MIRAGE_OK = 0, MIRAGE_EINVAL = -1, MIRAGE_ENOENT = -2, MIRAGE_EAGAIN = -3,
    MIRAGE_ENOMEM = -4, MIRAGE_EIO = -5, MIRAGE_ENOSPC = -6, MIRAGE_EEXIST = -7,
    MIRAGE_ERANGE = -8, MIRAGE_ENOTSUP = -9, MIRAGE_EUNSPEC = -10,
};

struct mirage_sha256 { uint32_t h[8]; uint64_t bytes; uint8_t block[64]; size_t used; };
void mirage_sha256_init(struct mirage_sha256 *s);
void mirage_sha256_update(struct mirage_sha256 *s, const void *data, size_t len);
void mirage_sha256_final(struct mirage_sha256 *s, uint8_t out[32]);
void mirage_sha256(const void *data, size_t len, uint8_t out[32]);
void mirage_sha256_hex(const uint8_t digest[32], char out[65]);

enum mirage_tar_kind { MIRAGE_TAR_FILE, MIRAGE_TAR_DIR };
struct mirage_tar_entry {
    char name[257]; enum mirage_tar_kind kind; uint64_t size; uint64_t mtime; uint64_t header; uint64_t data;
};
enum mirage_tar_header { MIRAGE_TAR_ENTRY = 0, MIRAGE_TAR_ZERO = 1, MIRAGE_TAR_SKIP = 2 };
int mirage_tar_parse_header(const uint8_t block[512], struct mirage_tar_entry *entry, uint64_t *data_blocks,
                            const char **why);
typedef int (*mirage_tar_read_fn)(void *ctx, uint64_t offset, uint8_t block[512]);
typedef int (*mirage_tar_entry_fn)(void *ctx, const struct mirage_tar_entry *entry);
int mirage_tar_scan(uint64_t size, mirage_tar_read_fn read, void *read_ctx, mirage_tar_entry_fn fn,
                    void *fn_ctx, const char **why, uint64_t *where);

enum mirage_kv_kind { MIRAGE_KV_VALUE, MIRAGE_KV_DICTIONARY };
typedef void (*mirage_kv_list_fn)(void *ctx, const char *name, enum mirage_kv_kind kind);
struct mirage_kv_ro { const void *ops; const char *name; void *state; };
struct mirage_kv_rw { struct mirage_kv_ro ro; const void *rw_ops; };
int mirage_kv_ro_exists(struct mirage_kv_ro *kv, const char *key, enum mirage_kv_kind *kind);
int mirage_kv_ro_size(struct mirage_kv_ro *kv, const char *key, uint64_t *size);
int mirage_kv_ro_get_partial(struct mirage_kv_ro *kv, const char *key, uint64_t offset, void *buf,
                             size_t len, size_t *read);
int mirage_kv_ro_get(struct mirage_kv_ro *kv, const char *key, uint8_t **value, size_t *len);
int mirage_kv_ro_list(struct mirage_kv_ro *kv, const char *key, mirage_kv_list_fn fn, void *ctx);
int mirage_kv_ro_last_modified(struct mirage_kv_ro *kv, const char *key, uint64_t *ns_since_epoch);
int mirage_kv_ro_digest(struct mirage_kv_ro *kv, const char *key, uint8_t sha256[32]);
int mirage_kv_rw_set(struct mirage_kv_rw *kv, const char *key, const void *data, size_t len);
int mirage_kv_rw_set_partial(struct mirage_kv_rw *kv, const char *key, uint64_t offset, const void *data,
                             size_t len);
int mirage_kv_rw_remove(struct mirage_kv_rw *kv, const char *key);
int mirage_kv_rw_rename(struct mirage_kv_rw *kv, const char *source, const char *dest);

struct mirage_crunch_file { const char *key; const uint8_t *data; uint64_t size; uint8_t sha256[32];
                            uint64_t mtime_ns; };
struct mirage_crunch_index { size_t count; const struct mirage_crunch_file *files; };
int crunch_connect(struct mirage_kv_ro *out, const char *name, const struct mirage_crunch_index *index);
int direct_kv_ro_connect(struct mirage_kv_ro *out, const char *folder);
struct mirage_block;
int archive_connect(struct mirage_kv_ro *out, struct mirage_block *block);
int kv_rw_mem_connect(struct mirage_kv_rw *out, const char *name);
int direct_kv_rw_connect(struct mirage_kv_rw *out, const char *folder);

const char *stub_last_log(void);
void stub_clear_log(void);
void stub_set_now(uint64_t ns);
struct mirage_block *memblock_new(const uint8_t *data, uint64_t bytes, uint32_t sector_size);
unsigned long memblock_violations(const struct mirage_block *b);
unsigned long memblock_reads(const struct mirage_block *b);
void memblock_free(struct mirage_block *b);
void free(void *);
"""


def sanitizer_runtimes() -> list[str]:
    """The compiler's ASan and UBSan shared runtimes, or [] when it has none."""
    found = []
    for name in ("libasan.so", "libubsan.so"):
        path = subprocess.run(["cc", f"-print-file-name={name}"], capture_output=True, text=True).stdout.strip()
        if not os.path.isabs(path) or not os.path.exists(path):
            return []
        found.append(path)
    return found


SANITIZED = os.environ.get("MIRAGE_KV_SANITIZE") == "1"


@functools.cache
def kvlib() -> tuple[Any, Any]:
    """(ffi, lib), built once per session."""
    sources = [f"{DRIVERS}/{name}.c" for name in SOURCES] + [HERE / "kv_stubs.c"]
    return build("mirage_kv_asan" if SANITIZED else "mirage_kv", sources, CDEF,
                 cflags=SANITIZE if SANITIZED else [])


def last_log() -> str:
    ffi, lib = kvlib()
    return str(ffi.string(lib.stub_last_log()).decode())
