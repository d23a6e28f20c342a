/* A ustar (POSIX.1-1988/2001) archive reader: 512-byte headers with octal fields, read
 * through a callback so the archive can live on a block device or in memory. */
#ifndef MIRAGE_KV_TAR_H
#define MIRAGE_KV_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIRAGE_TAR_BLOCK 512
/* prefix (155) + '/' + name (100) + NUL */
#define MIRAGE_TAR_NAME_MAX 257

enum mirage_tar_kind { MIRAGE_TAR_FILE, MIRAGE_TAR_DIR };

struct mirage_tar_entry {
    char name[MIRAGE_TAR_NAME_MAX]; /* "dir/file" or "dir/sub": no leading "/" or "./",
                                       no trailing '/', no empty, "." or ".." component */
    enum mirage_tar_kind kind;
    uint64_t size;                  /* bytes of data (0 for a directory) */
    uint64_t mtime;                 /* seconds since the epoch */
    uint64_t header;                /* byte offset of the header in the archive */
    uint64_t data;                  /* byte offset of the data (header + 512) */
};

/* What one header block is. */
enum mirage_tar_header {
    MIRAGE_TAR_ENTRY = 0, /* a file or directory: *entry filled in (but for offsets) */
    MIRAGE_TAR_ZERO = 1,  /* an all-zero block (two of them end the archive) */
    MIRAGE_TAR_SKIP = 2,  /* an entry the store does not serve (link, device, fifo, the root
                             folder "./"): *entry has its size and data-block count */
};

/* Parse one header. Returns an enum mirage_tar_header value, or MIRAGE_EINVAL (bad
 * checksum, magic, octal field or name) or MIRAGE_ENOTSUP (a pax or GNU long-name header,
 * whose names this reader does not apply) with *why saying which. *data_blocks is how
 * many 512-byte data blocks follow the header. */
int mirage_tar_parse_header(const uint8_t block[MIRAGE_TAR_BLOCK], struct mirage_tar_entry *entry,
                            uint64_t *data_blocks, const char **why);

/* Read the 512 bytes at byte offset `offset` (a multiple of 512) of the archive. */
typedef int (*mirage_tar_read_fn)(void *ctx, uint64_t offset, uint8_t block[MIRAGE_TAR_BLOCK]);
/* One file or directory; a negative return stops the scan with that result. */
typedef int (*mirage_tar_entry_fn)(void *ctx, const struct mirage_tar_entry *entry);

/* Walk an archive of `size` bytes from offset 0 to its end (two zero blocks), calling fn for
 * every file and directory in archive order. Returns 0, the first negative result of read
 * or fn, MIRAGE_EINVAL for a malformed or truncated archive (one that ends, or whose data
 * runs, past `size`, or that lacks the two zero blocks) or MIRAGE_ENOTSUP; on failure *why
 * says what and *where is the byte offset of the offending header. */
int mirage_tar_scan(uint64_t size, mirage_tar_read_fn read, void *read_ctx, mirage_tar_entry_fn fn,
                    void *fn_ctx, const char **why, uint64_t *where);

#endif
