#include <stdio.h>
#include <string.h>

#include "mft.h"

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int mft_name_valid(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++)
        if (n >= SOLO5_MFT_NAME_MAX || !is_alnum(s[n]))
            return 0;
    return n >= 1;
}

const char *mft_type_name(uint32_t type)
{
    switch (type) {
    case SOLO5_MFT_BLOCK_BASIC:
        return "BLOCK_BASIC";
    case SOLO5_MFT_NET_BASIC:
        return "NET_BASIC";
    case SOLO5_MFT_RESERVED_FIRST:
        return "RESERVED_FIRST";
    default:
        return "unknown type";
    }
}

#define FAIL(...)                                                              \
    do {                                                                       \
        snprintf(why, why_size, __VA_ARGS__);                                  \
        return -1;                                                             \
    } while (0)

int mft_validate(const struct solo5_mft *mft, size_t size, char *why, size_t why_size)
{
    if (size < sizeof *mft)
        FAIL("manifest of %zu bytes is smaller than its header", size);
    if (mft->version != SOLO5_MFT_VERSION)
        FAIL("manifest version %u, expected %u", mft->version, SOLO5_MFT_VERSION);
    if (mft->entries > SOLO5_MFT_MAX_ENTRIES)
        FAIL("manifest has %u entries, at most %u are allowed", mft->entries,
             SOLO5_MFT_MAX_ENTRIES);
    if (mft->entries < 1)
        FAIL("manifest has no entries (entry 0 is reserved)");
    if (size != SOLO5_MFT_SIZE(mft->entries))
        FAIL("manifest of %zu bytes does not match its %u entries (%zu bytes expected)",
             size, mft->entries, SOLO5_MFT_SIZE(mft->entries));
    if (mft->e[0].type != SOLO5_MFT_RESERVED_FIRST || mft->e[0].name[0] != '\0')
        FAIL("manifest entry 0 is not the reserved first entry");

    for (unsigned i = 0; i < mft->entries; i++) {
        const struct solo5_mft_entry *e = &mft->e[i];
        if (e->name[SOLO5_MFT_NAME_MAX] != '\0')
            FAIL("manifest entry %u: name is not NUL-terminated", i);
        if (e->attached != 0)
            FAIL("manifest entry %u: marked attached in the image", i);
        if (i == 0)
            continue;
        if (e->type != SOLO5_MFT_BLOCK_BASIC && e->type != SOLO5_MFT_NET_BASIC)
            FAIL("manifest entry %u ('%s'): invalid type 0x%x", i, e->name, e->type);
        if (!mft_name_valid(e->name))
            FAIL("manifest entry %u: invalid name (1..%d alphanumeric characters)", i,
                 SOLO5_MFT_NAME_MAX);
        for (unsigned j = 1; j < i; j++)
            if (strcmp(mft->e[j].name, e->name) == 0)
                FAIL("manifest entries %u and %u share the name '%s'", j, i, e->name);
    }
    return 0;
}

struct solo5_mft_entry *mft_find(struct solo5_mft *mft, const char *name, unsigned *index)
{
    for (unsigned i = 1; i < mft->entries; i++) {
        if (strncmp(mft->e[i].name, name, SOLO5_MFT_NAME_SIZE) == 0) {
            if (index)
                *index = i;
            return &mft->e[i];
        }
    }
    return NULL;
}
