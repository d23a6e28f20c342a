#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "mft.h"
#include "util.h"

static void usage(FILE *f, const struct tender_args_config *cfg)
{
    fprintf(f,
            "usage: %s [OPTIONS] [--] KERNEL [ARGS...]\n"
            "Run the Solo5 %s unikernel KERNEL; ARGS, joined by spaces, are its command line.\n"
            "\n"
            "Options:\n"
            "  --mem=MiB                       guest memory in MiB, %llu to %llu (default %llu)\n"
            "  --block:NAME=PATH               attach file PATH as block device NAME\n"
            "  --block-sector-size:NAME=N      block size of NAME: a power of two >= 512\n"
            "                                  (default 512)\n"
            "  --block-sync:NAME               durable NAME: each write reaches the disk\n"
            "                                  before the guest goes on (O_DSYNC)\n"
            "  --net:NAME=TAP                  attach tap interface TAP as network NAME\n"
            "  --net:NAME=@FD                  ... or the already open descriptor FD\n"
            "  --net-mac:NAME=HH:HH:HH:HH:HH:HH  MAC address of NAME (default: random,\n"
            "                                  locally administered)\n"
            "  --help                          show this help\n"
            "  --version                       show the version\n"
            "\n"
            "Every device declared in the image's manifest must be attached.\n",
            tender_name(), cfg->target, (unsigned long long)cfg->min_mem_mib,
            (unsigned long long)cfg->max_mem_mib, (unsigned long long)cfg->default_mem_mib);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (hi < 0 || lo < 0)
            return -1;
        mac[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i < 5 && *s++ != ':')
            return -1;
    }
    return *s == '\0' ? 0 : -1;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
            return -1;
    }
    *out = v;
    return 0;
}

static const struct {
    const char *prefix;
    enum tender_opt_kind kind;
} prefixes[] = {
    {"--block:", TENDER_OPT_BLOCK},
    {"--block-sector-size:", TENDER_OPT_BLOCK_SECTOR_SIZE},
    {"--block-sync:", TENDER_OPT_BLOCK_SYNC},
    {"--net:", TENDER_OPT_NET},
    {"--net-mac:", TENDER_OPT_NET_MAC},
};

/* 1 if arg is a device option (parsed into *o), 0 if not one. */
static int parse_device_opt(const char *arg, struct tender_opt *o)
{
    for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
        size_t plen = strlen(prefixes[p].prefix);
        if (strncmp(arg, prefixes[p].prefix, plen) != 0)
            continue;
        const char *name = arg + plen, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : 0;
        if (prefixes[p].kind == TENDER_OPT_BLOCK_SYNC) { /* a flag: NAME, no value */
            if (eq != NULL)
                tender_die("%s: expected %sNAME, without a value", arg, prefixes[p].prefix);
            nlen = strlen(name);
        } else if (eq == NULL || eq[1] == '\0')
            tender_die("%s: expected %sNAME=VALUE", arg, prefixes[p].prefix);
        if (nlen == 0 || nlen > SOLO5_MFT_NAME_MAX)
            tender_die("%s: device names have 1 to %d characters", arg, SOLO5_MFT_NAME_MAX);
        memset(o, 0, sizeof *o);
        memcpy(o->name, name, nlen);
        if (!mft_name_valid(o->name))
            tender_die("%s: device names are alphanumeric ([A-Za-z0-9])", arg);
        o->kind = prefixes[p].kind;
        o->value = eq ? eq + 1 : "";
        o->arg = arg;
        if (o->kind == TENDER_OPT_BLOCK_SECTOR_SIZE) {
            uint64_t n;
            if (parse_u64(o->value, &n) != 0 || n < 512 || n > 32768 || (n & (n - 1)) != 0)
                tender_die("%s: the sector size must be a power of two from 512 to 32768", arg);
            o->sector_size = (uint16_t)n;
        } else if (o->kind == TENDER_OPT_NET_MAC) {
            if (parse_mac(o->value, o->mac) != 0)
                tender_die("%s: expected a MAC address HH:HH:HH:HH:HH:HH", arg);
            if (o->mac[0] & 1)
                tender_die("%s: a multicast MAC address cannot name an interface", arg);
        }
        return 1;
    }
    return 0;
}

const struct tender_opt *tender_args_find(const struct tender_args *a,
                                          enum tender_opt_kind kind, const char *name)
{
    for (unsigned i = 0; i < a->nopts; i++)
        if (a->opts[i].kind == kind && strcmp(a->opts[i].name, name) == 0)
            return &a->opts[i];
    return NULL;
}

void tender_args_parse(struct tender_args *a, const struct tender_args_config *cfg,
                       int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->mem_size = cfg->default_mem_mib << 20;
    a->opts = calloc(argc > 0 ? (size_t)argc : 1, sizeof *a->opts);
    if (a->opts == NULL)
        tender_die("out of memory");

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(arg, "--help") == 0) { /* status 1, on stderr: as Solo5's tenders */
            usage(stderr, cfg);
            exit(1);
        }
        if (strcmp(arg, "--version") == 0) {
            printf("%s: mirage tender for the Solo5 %s ABI version %u\n", tender_name(),
                   cfg->target, cfg->abi_version);
            exit(0);
        }
        if (strncmp(arg, "--mem=", 6) == 0) {
            uint64_t mib;
            if (parse_u64(arg + 6, &mib) != 0 || mib < cfg->min_mem_mib || mib > cfg->max_mem_mib)
                tender_die("%s: memory is a number of MiB from %llu to %llu", arg,
                           (unsigned long long)cfg->min_mem_mib,
                           (unsigned long long)cfg->max_mem_mib);
            a->mem_size = mib << 20;
            continue;
        }
        struct tender_opt *o = &a->opts[a->nopts];
        if (!parse_device_opt(arg, o))
            tender_die("unknown option '%s' (see --help)", arg);
        if (tender_args_find(a, o->kind, o->name) != NULL)
            tender_die("%s: device '%s' is given twice", arg, o->name);
        a->nopts++;
    }
    if (i >= argc)
        tender_die("missing KERNEL operand (usage: %s [OPTIONS] [--] KERNEL [ARGS...]; "
                   "see --help)", tender_name());
    a->kernel = argv[i++];

    size_t len = 0;
    for (int first = i; i < argc; i++) {
        size_t n = strlen(argv[i]);
        size_t need = n + (i > first ? 1 : 0);
        if (len + need > SOLO5_CMDLINE_SIZE - 1)
            tender_die("guest command line too long (at most %d characters)",
                       SOLO5_CMDLINE_SIZE - 1);
        if (i > first)
            a->cmdline[len++] = ' ';
        memcpy(a->cmdline + len, argv[i], n);
        len += n;
    }
    a->cmdline[len] = '\0';
}
