/* The Solo5 ABI note of an image: which tender (target) and ABI version it is
 * built for. Compiled once per target with -DSOLO5_ABI_TARGET=n and
 * -DSOLO5_ABI_VERSION=n (spt: 2 and 2, hvt: 1 and 2). The linker script gives
 * section .note.solo5.abi its own PT_NOTE program header, where tenders look
 * for it as the first (only) note. */
#include "solo5_abi.h"

#if !defined(SOLO5_ABI_TARGET) || !defined(SOLO5_ABI_VERSION)
#error "define SOLO5_ABI_TARGET and SOLO5_ABI_VERSION"
#endif

__attribute__((section(".note.solo5.abi"), aligned(4), used))
const struct solo5_abi_note mirage_solo5_abi_note = {
    .h = {
        .namesz = SOLO5_NOTE_NAMESZ,
        .descsz = sizeof(struct solo5_abi_info),
        .type = SOLO5_NOTE_TYPE_ABI,
        .name = SOLO5_NOTE_NAME,
    },
    .info = {
        .target = SOLO5_ABI_TARGET,
        .version = SOLO5_ABI_VERSION,
    },
};
