/* Command line and manifest helpers shared by the Solo5 targets' bindings. */
#include "solo5_bindings.h"

#include <mirage/platform.h>
#include <solo5_platform.h>

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

int solo5_cmdline_split(const char *src, char buf[SOLO5_CMDLINE_SIZE],
                        char *argv[SOLO5_MAX_ARGS])
{
    /* Unquoting only shrinks a word and each word's NUL takes the place of
     * the space after it, so buf never outgrows the source. */
    const size_t max = SOLO5_CMDLINE_SIZE - 1;
    size_t in = 0, out = 0;
    int argc = 0;
    argv[argc++] = "unikernel";
    for (;;) {
        while (in < max && src[in] == ' ')
            in++;
        if (in >= max || src[in] == '\0')
            break;
        char *arg = buf + out;
        char quote = 0;
        while (in < max && src[in] != '\0' && (quote || src[in] != ' ')) {
            char c = src[in++];
            if (c == '\\' && in < max && src[in] != '\0')
                buf[out++] = src[in++];
            else if (!quote && (c == '\'' || c == '"'))
                quote = c;
            else if (c == quote)
                quote = 0;
            else
                buf[out++] = c;
        }
        buf[out++] = '\0';
        if (!starts_with(arg, "--solo5:") && argc < SOLO5_MAX_ARGS - 1)
            argv[argc++] = arg;
    }
    argv[argc] = NULL;
    return argc;
}

/* Names are compared within the entry's fixed-size field. */
static int same_name(const char *entry_name, const char *name)
{
    for (size_t i = 0; i < SOLO5_MFT_NAME_SIZE; i++) {
        if (entry_name[i] != name[i])
            return 0;
        if (name[i] == '\0')
            return 1;
    }
    return 0;
}

const struct solo5_mft_entry *solo5_mft_by_name(const struct solo5_mft *mft, const char *name,
                                                uint32_t type, unsigned *handle)
{
    for (unsigned i = 1; i < mft->entries && i < SOLO5_MFT_MAX_ENTRIES; i++) {
        const struct solo5_mft_entry *e = &mft->e[i];
        if (e->type == type && e->attached && same_name(e->name, name)) {
            *handle = i;
            return e;
        }
    }
    return NULL;
}

const struct solo5_mft_entry *solo5_mft_by_handle(const struct solo5_mft *mft, unsigned handle,
                                                  uint32_t type)
{
    if (handle == 0 || handle >= mft->entries || handle >= SOLO5_MFT_MAX_ENTRIES)
        return NULL;
    const struct solo5_mft_entry *e = &mft->e[handle];
    return e->type == type && e->attached ? e : NULL;
}

int solo5_block_request_ok(const struct solo5_mft_entry *e, uint64_t offset, size_t len)
{
    const uint64_t bs = e->u.block.block_size, cap = e->u.block.capacity;
    return bs != 0 && cap >= bs && len == bs && offset % bs == 0 && offset <= cap - bs;
}

int solo5_net_frame_ok(const struct solo5_mft_entry *e, size_t len)
{
    return len <= (size_t)e->u.net.mtu + SOLO5_NET_HLEN;
}

int mirage_solo5_block_info(const char *name, unsigned *handle, uint64_t *capacity,
                            uint16_t *block_size)
{
    const struct solo5_mft_entry *e =
        solo5_mft_by_name(solo5_bindings_mft(), name, SOLO5_MFT_BLOCK_BASIC, handle);
    if (e == NULL)
        return MIRAGE_ENOENT;
    *capacity = e->u.block.capacity;
    *block_size = e->u.block.block_size;
    return MIRAGE_OK;
}

int mirage_solo5_block_synced(unsigned handle)
{
    const struct solo5_mft_entry *e =
        solo5_mft_by_handle(solo5_bindings_mft(), handle, SOLO5_MFT_BLOCK_BASIC);
    return e != NULL && (e->reserved[0] & SOLO5_MFT_MIRAGE_SYNCED) != 0;
}

int mirage_solo5_net_info(const char *name, unsigned *handle, uint8_t mac[6], uint16_t *mtu)
{
    const struct solo5_mft_entry *e =
        solo5_mft_by_name(solo5_bindings_mft(), name, SOLO5_MFT_NET_BASIC, handle);
    if (e == NULL)
        return MIRAGE_ENOENT;
    for (int i = 0; i < 6; i++)
        mac[i] = e->u.net.mac[i];
    *mtu = e->u.net.mtu;
    return MIRAGE_OK;
}

const char *solo5_u64_text(char buf[SOLO5_U64_TEXT_SIZE], uint64_t v, int hex)
{
    char *p = buf + SOLO5_U64_TEXT_SIZE;
    *--p = '\0';
    do {
        *--p = "0123456789abcdef"[hex ? v & 15 : v % 10];
        v = hex ? v >> 4 : v / 10;
    } while (v);
    if (hex) {
        *--p = 'x';
        *--p = '0';
    }
    return p;
}

/* The tender attaches devices by the manifest and refuses names the image lacks
 * before the guest starts: nothing is left to check here. */
void mirage_platform_connected(void)
{
}
