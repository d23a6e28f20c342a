/* A strict ustar reader. Every field the store uses is validated: octal numbers are
 * optional leading spaces, at least one octal digit, then only NULs or spaces to the end of
 * the field; the checksum must match (the unsigned sum, or the signed one old tars wrote);
 * the magic must be POSIX "ustar\0" "00" or GNU "ustar  \0"; names are the ustar prefix,
 * a slash and the name field, with no empty, "." or ".." component once a leading "/" or
 * "./" is dropped. Anything else is an error, never a guess: a corrupted archive must not
 * turn into a plausible store. Written by hand: no tar library fits a freestanding image
 * that reads through a block device, and ustar is a few fixed-offset fields. */
#include <string.h>

#include <mirage/errors.h>

#include "tar.h"

/* Field offsets and widths of a ustar header. */
#define F_NAME 0
#define W_NAME 100
#define F_SIZE 124
#define W_SIZE 12
#define F_MTIME 136
#define W_MTIME 12
#define F_CHKSUM 148
#define W_CHKSUM 8
#define F_TYPE 156
#define F_MAGIC 257
#define F_PREFIX 345
#define W_PREFIX 155

static int fail(const char **why, const char *what, int rc)
{
    if (why != NULL)
        *why = what;
    return rc;
}

/* A strict octal field: spaces, digits, then only NULs and spaces. */
static int octal(const uint8_t *f, size_t n, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < n && f[i] == ' ')
        i++;
    size_t first = i;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++)
        v = v << 3 | (uint64_t)(f[i] - '0'); /* at most 12 digits: no overflow */
    if (i == first)
        return MIRAGE_EINVAL;
    for (; i < n; i++)
        if (f[i] != '\0' && f[i] != ' ')
            return MIRAGE_EINVAL;
    *out = v;
    return MIRAGE_OK;
}

static bool all_zero(const uint8_t *b)
{
    for (size_t i = 0; i < MIRAGE_TAR_BLOCK; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static bool checksum_ok(const uint8_t *b, uint64_t stored)
{
    uint64_t sum = 0;
    int64_t ssum = 0;
    for (size_t i = 0; i < MIRAGE_TAR_BLOCK; i++) {
        bool in_field = i >= F_CHKSUM && i < F_CHKSUM + W_CHKSUM;
        uint8_t c = in_field ? (uint8_t)' ' : b[i];
        sum += c;
        ssum += (int8_t)c;
    }
    return stored == sum || (int64_t)stored == ssum;
}

/* The length of a NUL-terminated or full-width field. */
static size_t field_len(const uint8_t *f, size_t n)
{
    const uint8_t *nul = memchr(f, '\0', n);
    return nul != NULL ? (size_t)(nul - f) : n;
}

/* Build "prefix/name" into out, drop a leading "/" or "./" (repeatedly) and trailing
 * slashes; *trailing tells whether there was one. Fails on a bad component. */
static int full_name(const uint8_t *b, bool posix, char *out, bool *trailing, const char **why)
{
    size_t plen = posix ? field_len(b + F_PREFIX, W_PREFIX) : 0;
    size_t nlen = field_len(b + F_NAME, W_NAME);
    size_t len = 0;
    if (plen > 0) {
        memcpy(out, b + F_PREFIX, plen);
        out[plen] = '/';
        len = plen + 1;
    }
    memcpy(out + len, b + F_NAME, nlen);
    len += nlen;
    out[len] = '\0';

    size_t start = 0;
    for (;;) {
        if (out[start] == '/')
            start++;
        else if (out[start] == '.' && out[start + 1] == '/')
            start += 2;
        else
            break;
    }
    if (len - start == 1 && out[start] == '.')
        start = len; /* "." alone: the root */
    *trailing = len > start && out[len - 1] == '/';
    while (len > start && out[len - 1] == '/')
        len--;
    memmove(out, out + start, len - start);
    len -= start;
    out[len] = '\0';

    for (size_t i = 0; i < len;) { /* each component */
        size_t j = i;
        while (j < len && out[j] != '/')
            j++;
        size_t c = j - i;
        if (c == 0 || (c == 1 && out[i] == '.') || (c == 2 && out[i] == '.' && out[i + 1] == '.'))
            return fail(why, "a name has an empty, \".\" or \"..\" component", MIRAGE_EINVAL);
        i = j + 1;
    }
    return MIRAGE_OK;
}

int mirage_tar_parse_header(const uint8_t block[MIRAGE_TAR_BLOCK], struct mirage_tar_entry *e,
                            uint64_t *data_blocks, const char **why)
{
    uint64_t chksum;
    *data_blocks = 0;
    if (all_zero(block))
        return MIRAGE_TAR_ZERO;
    if (octal(block + F_CHKSUM, W_CHKSUM, &chksum) < 0)
        return fail(why, "the checksum field is not an octal number", MIRAGE_EINVAL);
    if (!checksum_ok(block, chksum))
        return fail(why, "the header checksum does not match", MIRAGE_EINVAL);
    bool posix = memcmp(block + F_MAGIC, "ustar\0" "00", 8) == 0;
    if (!posix && memcmp(block + F_MAGIC, "ustar  \0", 8) != 0)
        return fail(why, "not a ustar header (bad magic)", MIRAGE_EINVAL);
    if (octal(block + F_SIZE, W_SIZE, &e->size) < 0)
        return fail(why, "the size field is not an octal number", MIRAGE_EINVAL);
    if (octal(block + F_MTIME, W_MTIME, &e->mtime) < 0)
        return fail(why, "the mtime field is not an octal number", MIRAGE_EINVAL);
    bool trailing;
    int rc = full_name(block, posix, e->name, &trailing, why);
    if (rc < 0)
        return rc;

    uint8_t type = block[F_TYPE];
    uint64_t blocks = e->size / MIRAGE_TAR_BLOCK + (e->size % MIRAGE_TAR_BLOCK != 0);
    switch (type) {
    case '0':
    case '\0':
    case '7':
        if (type == '\0' && trailing) { /* an old-style directory */
            e->kind = MIRAGE_TAR_DIR;
            e->size = 0;
            break;
        }
        if (trailing || e->name[0] == '\0')
            return fail(why, "a file's name is empty or ends with '/'", MIRAGE_EINVAL);
        e->kind = MIRAGE_TAR_FILE;
        *data_blocks = blocks;
        return MIRAGE_TAR_ENTRY;
    case '5':
        e->kind = MIRAGE_TAR_DIR;
        e->size = 0; /* no data blocks follow a directory */
        break;
    case '1': case '2': case '3': case '4': case '6': /* links, devices, fifos: no data */
        e->size = 0;
        return MIRAGE_TAR_SKIP;
    case 'x': case 'g':
        return fail(why, "pax extended headers are not supported (write the archive as ustar)",
                    MIRAGE_ENOTSUP);
    case 'L': case 'K':
        return fail(why, "GNU long names are not supported (write the archive as ustar)", MIRAGE_ENOTSUP);
    default: /* a vendor extension: its data is skipped */
        *data_blocks = blocks;
        return MIRAGE_TAR_SKIP;
    }
    return e->name[0] == '\0' ? MIRAGE_TAR_SKIP : MIRAGE_TAR_ENTRY; /* the root folder is implicit */
}

int mirage_tar_scan(uint64_t size, mirage_tar_read_fn read, void *read_ctx, mirage_tar_entry_fn fn,
                    void *fn_ctx, const char **why, uint64_t *where)
{
    uint8_t block[MIRAGE_TAR_BLOCK];
    struct mirage_tar_entry e;
    uint64_t off = 0;
    bool zero = false; /* the previous block was a zero block */
    for (;;) {
        if (where != NULL)
            *where = off;
        if (off > size || size - off < MIRAGE_TAR_BLOCK)
            return fail(why, "the archive ends before its two zero blocks (truncated?)", MIRAGE_EINVAL);
        int rc = read(read_ctx, off, block);
        if (rc < 0)
            return fail(why, "a read failed", rc);
        uint64_t blocks;
        int kind = mirage_tar_parse_header(block, &e, &blocks, why);
        if (kind < 0)
            return kind;
        if (kind == MIRAGE_TAR_ZERO) {
            if (zero)
                return MIRAGE_OK;
            zero = true;
            off += MIRAGE_TAR_BLOCK;
            continue;
        }
        if (zero)
            return fail(why, "a lone zero block before a header", MIRAGE_EINVAL);
        uint64_t left = (size - off) / MIRAGE_TAR_BLOCK - 1; /* whole blocks after the header */
        if (blocks > left)
            return fail(why, "an entry's data runs past the end of the archive (truncated?)", MIRAGE_EINVAL);
        e.header = off;
        e.data = off + MIRAGE_TAR_BLOCK;
        if (kind == MIRAGE_TAR_ENTRY && (rc = fn(fn_ctx, &e)) < 0)
            return fail(why, "the store could not keep an entry", rc);
        off = e.data + blocks * MIRAGE_TAR_BLOCK;
    }
}
