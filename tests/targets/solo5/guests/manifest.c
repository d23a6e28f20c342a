/* Example Solo5 manifest notes for the test guests (the real ones are
 * generated per unikernel). Pick one with -DMANIFEST_<NAME>:
 *   EMPTY    no device             BLOCK   block "disk"
 *   NET      network "net0"        DEVICES block "disk", network "net0"
 *   MIXED    block "first", network "net0", block "second" */
#include "solo5_abi.h"

#if defined(MANIFEST_EMPTY)
#define ENTRIES 1
#elif defined(MANIFEST_BLOCK) || defined(MANIFEST_NET)
#define ENTRIES 2
#elif defined(MANIFEST_DEVICES)
#define ENTRIES 3
#elif defined(MANIFEST_MIXED)
#define ENTRIES 4
#else
#error "choose a manifest"
#endif

__attribute__((section(".note.solo5.manifest"), aligned(4), used))
const SOLO5_MFT_NOTE_STRUCT(ENTRIES) mirage_solo5_manifest = {
    .h = SOLO5_MFT_NOTE_HEADER(ENTRIES),
    .version = SOLO5_MFT_VERSION,
    .entries = ENTRIES,
    .e = {
        {.name = "", .type = SOLO5_MFT_RESERVED_FIRST},
#if defined(MANIFEST_BLOCK) || defined(MANIFEST_DEVICES)
        {.name = "disk", .type = SOLO5_MFT_BLOCK_BASIC},
#endif
#if defined(MANIFEST_NET) || defined(MANIFEST_DEVICES)
        {.name = "net0", .type = SOLO5_MFT_NET_BASIC},
#endif
#if defined(MANIFEST_MIXED)
        /* Two disks around a network device: bound in manifest order. */
        {.name = "first", .type = SOLO5_MFT_BLOCK_BASIC},
        {.name = "net0", .type = SOLO5_MFT_NET_BASIC},
        {.name = "second", .type = SOLO5_MFT_BLOCK_BASIC},
#endif
    },
};
