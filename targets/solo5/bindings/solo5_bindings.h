/* Guest-side helpers every Solo5 target's bindings need in the same form:
 * the command line as argc/argv, device look-ups in the manifest copy the
 * tender hands over, and the device queries of solo5_platform.h that only read
 * the manifest (mirage_solo5_block_info, mirage_solo5_net_info). Freestanding;
 * no allocation. */
#ifndef SOLO5_BINDINGS_H
#define SOLO5_BINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "solo5_abi.h"

/* Every argument takes a character and a space: at most half the command
 * line, plus argv[0] and the terminating NULL. */
#define SOLO5_MAX_ARGS (SOLO5_CMDLINE_SIZE / 2 + 2)

/* Split the tender's command line `src` (at most SOLO5_CMDLINE_SIZE - 1
 * characters are used; the tender joins its ARGS with spaces) into words in
 * buf, argv[1..] (argv[0] is "unikernel", argv[argc] is NULL), with the rules
 * of MirageOS's boot-variable parser: spaces separate words, single or double
 * quotes group (the other quote is plain inside), and a backslash makes the
 * next character plain, inside quotes too. mirage_tools/cmdline.py quotes for
 * it. Words starting with "--solo5:" belong to the Solo5 layer and are
 * dropped. Returns argc. */
int solo5_cmdline_split(const char *src, char buf[SOLO5_CMDLINE_SIZE],
                        char *argv[SOLO5_MAX_ARGS]);

/* The attached device `name` of `type`, its handle in *handle; or NULL. */
const struct solo5_mft_entry *solo5_mft_by_name(const struct solo5_mft *mft, const char *name,
                                                uint32_t type, unsigned *handle);

/* The attached device with this handle if it is of `type`; or NULL. */
const struct solo5_mft_entry *solo5_mft_by_handle(const struct solo5_mft *mft, unsigned handle,
                                                  uint32_t type);

/* 1 if (offset, len) is exactly one block of block device e, block aligned
 * and inside its capacity. */
int solo5_block_request_ok(const struct solo5_mft_entry *e, uint64_t offset, size_t len);

/* 1 if a frame of len bytes fits network device e: at most mtu + 14. */
int solo5_net_frame_ok(const struct solo5_mft_entry *e, size_t len);

/* Provided by each target: the manifest with its devices attached (the
 * tender's copy, or the one the bindings filled in at boot). */
const struct solo5_mft *solo5_bindings_mft(void);

/* v as text in buf, decimal, or hexadecimal after "0x" when hex is set.
 * Returns where the NUL-terminated text starts in buf. */
#define SOLO5_U64_TEXT_SIZE 21
const char *solo5_u64_text(char buf[SOLO5_U64_TEXT_SIZE], uint64_t v, int hex);

#endif
