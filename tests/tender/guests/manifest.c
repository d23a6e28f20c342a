/* Example Solo5 manifest notes for the test guests (the real ones are
 * generated per unikernel). Pick one with -DMANIFEST_EMPTY, -DMANIFEST_BLOCK
 * or -DMANIFEST_DEVICES. */
#include "solo5_abi.h"

#if defined(MANIFEST_EMPTY)
#define ENTRIES 1
#elif defined(MANIFEST_BLOCK)
#define ENTRIES 2
#elif defined(MANIFEST_DEVICES)
#define ENTRIES 3
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
#if ENTRIES >= 2
        {.name = "disk", .type = SOLO5_MFT_BLOCK_BASIC},
#endif
#if ENTRIES >= 3
        {.name = "net0", .type = SOLO5_MFT_NET_BASIC},
#endif
    },
};
