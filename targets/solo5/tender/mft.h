/* Checks and look-ups on a Solo5 manifest read from an untrusted image. */
#ifndef TENDER_MFT_H
#define TENDER_MFT_H

#include <stddef.h>

#include "solo5_abi.h"

/* Validate a manifest of `size` bytes. On failure returns -1 and writes the
 * reason into why[0..why_size). Checks: size matches the entry count exactly,
 * version 1, 1..64 entries, entry 0 reserved with an empty name, every other
 * entry a block or net device named by 1..67 alphanumeric characters (NUL
 * terminated, byte 67 zero), unique names, and attached == 0 everywhere. */
int mft_validate(const struct solo5_mft *mft, size_t size, char *why, size_t why_size);

/* 1 if s is a valid device name: 1..67 characters, all [A-Za-z0-9]. */
int mft_name_valid(const char *s);

/* The entry called `name`, or NULL; its manifest index in *index. */
struct solo5_mft_entry *mft_find(struct solo5_mft *mft, const char *name, unsigned *index);

/* "BLOCK_BASIC", "NET_BASIC", ... for messages. */
const char *mft_type_name(uint32_t type);

#endif
