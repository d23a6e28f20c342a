/* Attaching host resources to the devices an image's manifest declares. */
#ifndef TENDER_DEVICES_H
#define TENDER_DEVICES_H

#include "args.h"
#include "solo5_abi.h"

/* Match the device options against the manifest and attach every device:
 * block devices to files (opened read-write, O_DSYNC with --block-sync, locked
 * exclusively; capacity = file size, a non-zero multiple of the block size), network devices to tap interfaces (non-blocking)
 * or already open descriptors (@FD). Fills capacity/block_size or mac/mtu,
 * hostfd and attached in each entry. Ends the tender with a message naming
 * the device if an option names an undeclared device or one of another kind,
 * or if a declared device is not given. */
void devices_attach(struct solo5_mft *mft, const struct tender_args *args);

#endif
