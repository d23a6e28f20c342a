/* The Solo5 tender ABI (v0.12 compatible) as C layouts, shared by the tenders
 * (host programs) and the guest bindings. x86_64, little endian, LP64.
 *
 * Only fixed-width integers are used, never pointers, so a layout is the same
 * whichever side includes it. Every layout is pinned with _Static_assert; the
 * numbers are the ABI facts measured on Solo5 v0.12.1.
 *
 * Freestanding: needs only <stddef.h> and <stdint.h>. */
#ifndef SOLO5_ABI_H
#define SOLO5_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ---- Versions and targets ------------------------------------------------ */

#define SOLO5_HVT_ABI_VERSION 2
#define SOLO5_SPT_ABI_VERSION 2
#define SOLO5_MFT_VERSION 1

enum solo5_abi_target {
    SOLO5_TARGET_HVT = 1,
    SOLO5_TARGET_SPT = 2,
    SOLO5_TARGET_VIRTIO = 3,
    SOLO5_TARGET_MUEN = 4,
    SOLO5_TARGET_GENODE = 5,
    SOLO5_TARGET_XEN = 6,
};

/* Lowest guest address an image may be linked at (and where ours are). */
#define SOLO5_GUEST_MIN_BASE 0x100000ULL
/* Segments and their protections work in 4 KiB pages. */
#define SOLO5_PAGE_SIZE 0x1000ULL
/* Guest command line buffer, terminator included. */
#define SOLO5_CMDLINE_SIZE 8192

/* ---- ELF notes ----------------------------------------------------------- */

/* Every Solo5 note starts with this: the ELF note header and the name "Solo5"
 * padded to 8 bytes. The descriptor follows at byte 20 (or later, if its own
 * alignment asks for padding: the manifest starts at byte 24). */
#define SOLO5_NOTE_NAME "Solo5"
#define SOLO5_NOTE_NAMESZ 6 /* strlen("Solo5") + 1 */

struct solo5_note_header {
    uint32_t namesz;
    uint32_t descsz;
    uint32_t type;
    char name[8];
};
_Static_assert(sizeof(struct solo5_note_header) == 20, "note header is 20 bytes");

#define SOLO5_NOTE_TYPE_ABI 0x31494241u /* "ABI1" */
#define SOLO5_NOTE_TYPE_MFT 0x3154464du /* "MFT1" */

/* ABI note descriptor: which tender the image is for. */
struct solo5_abi_info {
    uint32_t target;  /* enum solo5_abi_target */
    uint32_t version; /* that target's ABI version */
    uint32_t reserved0;
    uint32_t reserved1;
};
_Static_assert(sizeof(struct solo5_abi_info) == 16, "ABI descriptor is 16 bytes");

struct solo5_abi_note {
    struct solo5_note_header h;
    struct solo5_abi_info info;
};
_Static_assert(sizeof(struct solo5_abi_note) == 36, "ABI note is 36 bytes");
_Static_assert(offsetof(struct solo5_abi_note, info) == 20, "ABI descriptor at 20");

/* ---- Manifest ------------------------------------------------------------ */

#define SOLO5_MFT_MAX_ENTRIES 64
#define SOLO5_MFT_NAME_SIZE 68 /* bytes, terminator included */
#define SOLO5_MFT_NAME_MAX 67  /* characters */

enum solo5_mft_type {
    SOLO5_MFT_BLOCK_BASIC = 1,
    SOLO5_MFT_NET_BASIC = 2,
    SOLO5_MFT_RESERVED_FIRST = 0x40000000,
};

struct solo5_mft_block {
    uint64_t capacity;   /* bytes, filled by the tender */
    uint16_t block_size; /* bytes, filled by the tender */
};

struct solo5_mft_net {
    uint8_t mac[6]; /* filled by the tender */
    uint16_t mtu;   /* filled by the tender */
};

/* A frame is at most mtu + this Ethernet header (no FCS, no VLAN tag). */
#define SOLO5_NET_HLEN 14

struct solo5_mft_entry {
    char name[SOLO5_MFT_NAME_SIZE];
    uint32_t type; /* enum solo5_mft_type */
    union {
        struct solo5_mft_block block;
        struct solo5_mft_net net;
    } u;
    union {
        int32_t hostfd; /* spt: the host descriptor backing the device */
        uint64_t data;  /* other tenders: a guest address or 0 */
    } b;
    uint8_t attached; /* 0 in the image, 1 once the tender attached it */
    uint8_t reserved[7]; /* 0 from Solo5's tenders; [0] see SOLO5_MFT_MIRAGE_SYNCED */
};
/* Our extension, set by our tenders only (Solo5's leave the byte 0): the tender makes
 * every write to this block device durable before it returns (--block-sync:NAME). */
#define SOLO5_MFT_MIRAGE_SYNCED 0x01u
_Static_assert(sizeof(struct solo5_mft_entry) == 104, "manifest entry is 104 bytes");
_Static_assert(offsetof(struct solo5_mft_entry, type) == 68, "entry.type at 68");
_Static_assert(offsetof(struct solo5_mft_entry, u.block.capacity) == 72, "capacity at 72");
_Static_assert(offsetof(struct solo5_mft_entry, u.block.block_size) == 80, "block_size at 80");
_Static_assert(offsetof(struct solo5_mft_entry, u.net.mac) == 72, "mac at 72");
_Static_assert(offsetof(struct solo5_mft_entry, u.net.mtu) == 78, "mtu at 78");
_Static_assert(offsetof(struct solo5_mft_entry, b) == 88, "hostfd at 88");
_Static_assert(offsetof(struct solo5_mft_entry, attached) == 96, "attached at 96");
_Static_assert(_Alignof(struct solo5_mft_entry) == 8, "entries are 8-byte aligned");

/* The manifest as the tender copies it for the guest (and as it sits in the
 * note descriptor after 4 bytes of padding). */
struct solo5_mft {
    uint32_t version; /* SOLO5_MFT_VERSION */
    uint32_t entries; /* 1..SOLO5_MFT_MAX_ENTRIES; entry 0 is reserved */
    struct solo5_mft_entry e[];
};
_Static_assert(sizeof(struct solo5_mft) == 8, "manifest header is 8 bytes");

/* Where the manifest starts inside its note, and the note's descsz for N
 * entries: 4 bytes of padding (to align the manifest to 8), header, entries. */
#define SOLO5_MFT_NOTE_DESC_OFFSET 24
#define SOLO5_MFT_NOTE_PAD 4
#define SOLO5_MFT_SIZE(n) (sizeof(struct solo5_mft) + (size_t)(n) * sizeof(struct solo5_mft_entry))
#define SOLO5_MFT_NOTE_DESCSZ(n) (SOLO5_MFT_NOTE_PAD + SOLO5_MFT_SIZE(n))
#define SOLO5_MFT_NOTE_MAX_DESCSZ SOLO5_MFT_NOTE_DESCSZ(SOLO5_MFT_MAX_ENTRIES)

/* A complete manifest note with N entries, for code that defines one (the
 * generated manifest.c, test guests): place it in section .note.solo5.manifest.
 * Packed and 4-aligned so the section (and its PT_NOTE) is 4-aligned like
 * every ELF note reader expects; the layout is the natural one (asserted). */
#define SOLO5_MFT_NOTE_STRUCT(n)                                               \
    struct __attribute__((packed, aligned(4))) {                               \
        struct solo5_note_header h;                                            \
        uint32_t pad;                                                          \
        uint32_t version;                                                      \
        uint32_t entries;                                                      \
        struct solo5_mft_entry e[n];                                           \
    }

#define SOLO5_MFT_NOTE_HEADER(n)                                               \
    { .namesz = SOLO5_NOTE_NAMESZ, .descsz = SOLO5_MFT_NOTE_DESCSZ(n),         \
      .type = SOLO5_NOTE_TYPE_MFT, .name = SOLO5_NOTE_NAME }

typedef SOLO5_MFT_NOTE_STRUCT(1) solo5_mft_note_check_t;
_Static_assert(offsetof(solo5_mft_note_check_t, version) == SOLO5_MFT_NOTE_DESC_OFFSET,
               "manifest starts 24 bytes into its note");
_Static_assert(offsetof(solo5_mft_note_check_t, e) == 32, "entries start 32 bytes into the note");
_Static_assert(sizeof(solo5_mft_note_check_t) == 32 + 104, "no padding in a manifest note");
_Static_assert(_Alignof(solo5_mft_note_check_t) == 4, "manifest notes are 4-aligned");

/* ---- spt boot info ------------------------------------------------------- */

/* spt maps guest memory at this host address (guest address == host address). */
#define SOLO5_SPT_HOST_MEM_BASE 0x10000ULL
/* RDI at entry: the boot info, followed by the manifest copy and the command line. */
#define SOLO5_SPT_BOOT_INFO_BASE 0x11000ULL
/* epoll event data of the tender's internal timerfd. */
#define SOLO5_SPT_TIMERFD_DATA 0xFFFFFFFEu

struct solo5_spt_boot_info {
    uint64_t mem_size;   /* guest memory ends here (exclusive) */
    uint64_t kernel_end; /* end of the loaded image */
    uint64_t cmdline;    /* address of the NUL-terminated command line */
    uint64_t mft;        /* address of struct solo5_mft (with host fds) */
    int32_t epollfd;     /* epoll set for yield: net devices + the timer */
    int32_t timerfd;     /* CLOCK_MONOTONIC timerfd for yield deadlines */
};
_Static_assert(sizeof(struct solo5_spt_boot_info) == 40, "spt boot info is 40 bytes");
_Static_assert(offsetof(struct solo5_spt_boot_info, epollfd) == 32, "epollfd at 32");

/* ---- hvt boot info and hypercalls ---------------------------------------- */

#define SOLO5_HVT_BOOT_INFO_BASE 0x10000ULL
#define SOLO5_HVT_HYPERCALL_PIO_BASE 0x500

struct solo5_hvt_boot_info {
    uint64_t mem_size;
    uint64_t kernel_end;
    uint64_t cpu_cycle_freq; /* TSC Hz */
    uint64_t cmdline;        /* guest address */
    uint64_t mft;            /* guest address */
    uint32_t host_features;  /* optional ring extension; 0 = hypercalls only */
    uint32_t guest_features;
    uint64_t net_ring;
};
_Static_assert(sizeof(struct solo5_hvt_boot_info) == 56, "hvt boot info is 56 bytes");
_Static_assert(offsetof(struct solo5_hvt_boot_info, host_features) == 40, "host_features at 40");
_Static_assert(offsetof(struct solo5_hvt_boot_info, net_ring) == 48, "net_ring at 48");

/* Hypercall N: 4-byte OUT to port 0x500 + N of the argument's guest address. */
enum solo5_hvt_hypercall {
    SOLO5_HVT_HC_WALLTIME = 1,
    SOLO5_HVT_HC_PUTS = 2,
    SOLO5_HVT_HC_POLL = 3,
    SOLO5_HVT_HC_BLOCK_WRITE = 4,
    SOLO5_HVT_HC_BLOCK_READ = 5,
    SOLO5_HVT_HC_NET_WRITE = 6,
    SOLO5_HVT_HC_NET_READ = 7,
    SOLO5_HVT_HC_HALT = 8,
    SOLO5_HVT_HC_MAX = 8,
};

/* Result codes written back by the tender (and returned by solo5 calls). */
enum solo5_result {
    SOLO5_R_OK = 0,
    SOLO5_R_AGAIN = 1,
    SOLO5_R_EINVAL = 2,
    SOLO5_R_EUNSPEC = 3,
};

struct solo5_hvt_walltime {
    uint64_t nsecs; /* out: CLOCK_REALTIME */
};
_Static_assert(sizeof(struct solo5_hvt_walltime) == 8, "walltime is 8 bytes");

struct solo5_hvt_puts {
    uint64_t data; /* guest address */
    uint64_t len;
};
_Static_assert(sizeof(struct solo5_hvt_puts) == 16, "puts is 16 bytes");

struct solo5_hvt_poll {
    uint64_t timeout_nsecs; /* in: relative */
    uint64_t ready_set;     /* out: bit i = manifest index i readable */
    int32_t ret;            /* out */
};
_Static_assert(sizeof(struct solo5_hvt_poll) == 24, "poll is 24 bytes");

struct solo5_hvt_block_io {
    uint64_t handle;
    uint64_t offset;
    uint64_t data; /* guest address */
    uint64_t len;  /* read: in/out */
    int32_t ret;
};
_Static_assert(sizeof(struct solo5_hvt_block_io) == 40, "block io is 40 bytes");
_Static_assert(offsetof(struct solo5_hvt_block_io, ret) == 32, "block ret at 32");

struct solo5_hvt_net_io {
    uint64_t handle;
    uint64_t data; /* guest address */
    uint64_t len;  /* read: in buffer size, out frame size */
    int32_t ret;
};
_Static_assert(sizeof(struct solo5_hvt_net_io) == 32, "net io is 32 bytes");
_Static_assert(offsetof(struct solo5_hvt_net_io, ret) == 24, "net ret at 24");

struct solo5_hvt_halt {
    uint64_t cookie; /* guest address or 0 */
    int32_t exit_status;
};
_Static_assert(sizeof(struct solo5_hvt_halt) == 16, "halt is 16 bytes");

/* ---- Exit statuses ------------------------------------------------------- */

#define SOLO5_EXIT_SUCCESS 0
#define SOLO5_EXIT_FAILURE 1
#define SOLO5_EXIT_ABORT 255

#endif
