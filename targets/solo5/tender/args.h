/* The Solo5 tender command line, shared by every tender:
 *
 *   TENDER [--mem=MiB] [--block:NAME=PATH] [--block-sector-size:NAME=N] [--block-sync:NAME]
 *          [--net:NAME=TAP|@FD] [--net-mac:NAME=HH:HH:HH:HH:HH:HH]
 *          [--] KERNEL [ARGS...]
 *
 * Parsing here is syntax only; devices.c matches the device options against
 * the image's manifest. Errors end the tender (status 1) with a message. */
#ifndef TENDER_ARGS_H
#define TENDER_ARGS_H

#include <stdint.h>

#include "solo5_abi.h"

enum tender_opt_kind {
    TENDER_OPT_BLOCK,             /* --block:NAME=PATH */
    TENDER_OPT_BLOCK_SECTOR_SIZE, /* --block-sector-size:NAME=N */
    TENDER_OPT_BLOCK_SYNC,        /* --block-sync:NAME (ours only: no value) */
    TENDER_OPT_NET,               /* --net:NAME=TAP or --net:NAME=@FD */
    TENDER_OPT_NET_MAC,           /* --net-mac:NAME=HH:HH:HH:HH:HH:HH */
};

struct tender_opt {
    enum tender_opt_kind kind;
    char name[SOLO5_MFT_NAME_SIZE]; /* a valid manifest name */
    const char *value;              /* the text after '=' (non-empty; "" for --block-sync) */
    const char *arg;                /* the whole argument, for messages */
    uint16_t sector_size;           /* TENDER_OPT_BLOCK_SECTOR_SIZE */
    uint8_t mac[6];                 /* TENDER_OPT_NET_MAC */
};

struct tender_args {
    uint64_t mem_size; /* bytes */
    const char *kernel;
    struct tender_opt *opts;
    unsigned nopts;
    char cmdline[SOLO5_CMDLINE_SIZE]; /* ARGS joined by single spaces */
};

/* What differs between tenders, for parsing and --help/--version. */
struct tender_args_config {
    const char *target;       /* "spt", "hvt" */
    unsigned abi_version;
    uint64_t default_mem_mib; /* 512 */
    uint64_t min_mem_mib, max_mem_mib; /* the range --mem takes */
};

/* Parse argv (argv[0] is the tender). --help prints usage on stderr and
 * exits 1, as Solo5's tenders do; --version prints on stdout and exits 0. */
void tender_args_parse(struct tender_args *a, const struct tender_args_config *cfg,
                       int argc, char **argv);

/* The option of `kind` for device `name`, or NULL. */
const struct tender_opt *tender_args_find(const struct tender_args *a,
                                          enum tender_opt_kind kind, const char *name);

#endif
