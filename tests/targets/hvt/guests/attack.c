/* A hostile hvt guest: argv[1] names one thing the tender must refuse (exit 1
 * with a message, never a crash). It prints "trying X" first and "survived"
 * if the tender let it through. Hypercalls are raw OUTs here, bypassing the
 * bindings' own checks.
 *
 *   <CALL>-<how>   a hypercall with a bad address or length: CALL is
 *                  walltime, puts, poll, blkwrite, blkread, netwrite, netread,
 *                  halt; see attacks[] for the hows
 *   port-below, port-above, port-zero   OUT to 0x4ff, 0x509, 0x500
 *   outb, outw, inl, rep-outsl          the wrong kind of port access
 *   text-write     write to the image's own (read-only) code
 *   hlt            execute hlt
 *   mmio           touch guest-physical memory beyond guest memory
 *   triple-fault   fault with no usable IDT (the vCPU shuts down)
 *   raw PORT WHERE F0 F1 F2 F3 F4
 *                  OUT to PORT (hex) of WHERE after filling the argument's
 *                  five 64-bit fields; WHERE and each F are hex numbers or
 *                  "arg" / "buf" (the addresses of the struct / a buffer);
 *                  prints the five fields afterwards */
#include <stdint.h>
#include <stdlib.h>

#include <mirage/platform.h>

#include "support.h"
#include "../../../targets/hvt/bindings/bindings.h"

#define PORT(n) (SOLO5_HVT_HYPERCALL_PIO_BASE + (n))

static void out32(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "d"(port) : "memory");
}

/* Argument structs: in .bss (writable) or, for the read-only cases, in .rodata. */
static union {
    struct solo5_hvt_walltime walltime;
    struct solo5_hvt_puts puts;
    struct solo5_hvt_poll poll;
    struct solo5_hvt_block_io block;
    struct solo5_hvt_net_io net;
    struct solo5_hvt_halt halt;
    uint8_t raw[64];
} arg;
static const uint8_t rodata_arg[64] = {1};
static uint8_t buffer[512];

struct call {
    const char *name;
    unsigned nr;
    unsigned size;      /* of the argument struct */
    int data_at;        /* offset of the data address field, -1 if none */
    int len_at;         /* offset of the length field, -1 if none */
};

static const struct call calls[] = {
    {"walltime", SOLO5_HVT_HC_WALLTIME, 8, -1, -1},
    {"puts", SOLO5_HVT_HC_PUTS, 16, 0, 8},
    {"poll", SOLO5_HVT_HC_POLL, 24, -1, -1},
    {"blkwrite", SOLO5_HVT_HC_BLOCK_WRITE, 40, 16, 24},
    {"blkread", SOLO5_HVT_HC_BLOCK_READ, 40, 16, 24},
    {"netwrite", SOLO5_HVT_HC_NET_WRITE, 32, 8, 16},
    {"netread", SOLO5_HVT_HC_NET_READ, 32, 8, 16},
    {"halt", SOLO5_HVT_HC_HALT, 16, -1, -1},
};

static void set64(int offset, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        arg.raw[offset + i] = (uint8_t)(v >> (8 * i));
}

/* Make the call with its argument at `where`, after filling the fields. */
static int attack_call(const struct call *c, const char *how, uint64_t mem)
{
    uint32_t where = (uint32_t)(uintptr_t)&arg;
    set64(0, 1); /* handle 1 (or a 1 ns timeout, or a cookie) */
    if (c->data_at >= 0) {
        set64(c->data_at, (uint64_t)(uintptr_t)buffer);
        set64(c->len_at, sizeof buffer);
    }
    if (str_eq(how, "arg-beyond"))          /* the struct itself outside memory */
        where = (uint32_t)mem;
    else if (str_eq(how, "arg-straddles"))  /* starts inside, ends outside */
        where = (uint32_t)(mem - 4);
    else if (str_eq(how, "arg-top"))        /* the highest 32-bit address */
        where = 0xfffffffcu;
    else if (str_eq(how, "arg-low") && c->nr != SOLO5_HVT_HC_PUTS && c->nr != SOLO5_HVT_HC_HALT)
        where = 0x10000;                    /* results into the read-only boot info */
    else if (str_eq(how, "arg-rodata") && c->nr != SOLO5_HVT_HC_PUTS && c->nr != SOLO5_HVT_HC_HALT)
        where = (uint32_t)(uintptr_t)rodata_arg; /* results into the image's rodata */
    else if (c->data_at < 0)
        return 0;
    else if (str_eq(how, "data-beyond"))
        set64(c->data_at, mem);
    else if (str_eq(how, "data-straddles"))
        set64(c->data_at, mem - 16);
    else if (str_eq(how, "len-huge"))
        set64(c->len_at, mem);
    else if (str_eq(how, "len-overflow"))   /* data + len wraps around 2^64 */
        set64(c->len_at, UINT64_MAX - 0xfff);
    else if (str_eq(how, "data-wraps"))
        set64(c->data_at, UINT64_MAX - 8);
    else if (str_eq(how, "data-text") && (c->nr == SOLO5_HVT_HC_BLOCK_READ || c->nr == SOLO5_HVT_HC_NET_READ))
        set64(c->data_at, (uint64_t)(uintptr_t)&attack_call); /* read into our own code */
    else
        return 0;
    out32((uint16_t)PORT(c->nr), where);
    return 1;
}

__attribute__((noinline, used)) static void halt_cpu(void)
{
    __asm__ volatile("hlt");
}

/* Our own page tables: 2 MiB pages identity-mapping the first GiB, whatever
 * the size of guest memory, so addresses beyond it reach KVM as MMIO. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

static void mmio(uint64_t mem)
{
    for (uint64_t i = 0; i < 512; i++)
        pd[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */
    pdpt[0] = (uint64_t)(uintptr_t)pd | 3;
    pml4[0] = (uint64_t)(uintptr_t)pdpt | 3;
    __asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)(uintptr_t)pml4) : "memory");
    (void)*(volatile uint32_t *)(uintptr_t)(mem + 0x200000);
}

static uint64_t raw_value(const char *s)
{
    if (str_eq(s, "arg"))
        return (uint64_t)(uintptr_t)&arg;
    if (str_eq(s, "buf"))
        return (uint64_t)(uintptr_t)buffer;
    return strtoull(s, NULL, 16);
}

static int raw(int argc, char **argv)
{
    if (argc != 9)
        return 2;
    for (int i = 0; i < 5; i++)
        set64(8 * i, raw_value(argv[4 + i]));
    out32((uint16_t)raw_value(argv[2]), (uint32_t)raw_value(argv[3]));
    put("survived\n");
    put("fields");
    for (int i = 0; i < 5; i++) { /* what the tender wrote back */
        uint64_t v = 0;
        for (int b = 7; b >= 0; b--)
            v = v << 8 | arg.raw[8 * i + b];
        put(" ");
        put_hex(v);
    }
    put("\n");
    return 0;
}

int mirage_main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *what = argv[1];
    uint64_t mem = hvt_boot_info->mem_size;
    if (str_eq(what, "raw"))
        return raw(argc, argv);
    put("trying ");
    put(what);
    put("\n");

    int done = 0;
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0] && !done; i++) {
        const char *n = calls[i].name;
        size_t len = str_len(n);
        if (str_prefix(what, n) && what[len] == '-')
            done = attack_call(&calls[i], what + len + 1, mem);
    }
    if (done) {
    } else if (str_eq(what, "port-below")) {
        out32(0x4ff, (uint32_t)(uintptr_t)&arg);
    } else if (str_eq(what, "port-above")) {
        out32(PORT(9), (uint32_t)(uintptr_t)&arg);
    } else if (str_eq(what, "port-zero")) {
        out32(PORT(0), (uint32_t)(uintptr_t)&arg);
    } else if (str_eq(what, "outb")) {
        __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"(PORT(SOLO5_HVT_HC_PUTS)));
    } else if (str_eq(what, "outw")) {
        __asm__ volatile("outw %%ax, %%dx" : : "a"(0), "d"(PORT(SOLO5_HVT_HC_PUTS)));
    } else if (str_eq(what, "inl")) {
        uint32_t v;
        __asm__ volatile("inl %%dx, %%eax" : "=a"(v) : "d"(PORT(SOLO5_HVT_HC_WALLTIME)));
        (void)v;
    } else if (str_eq(what, "rep-outsl")) {
        static uint32_t words[2];
        words[0] = words[1] = (uint32_t)(uintptr_t)&arg;
        const void *src = words;
        unsigned long count = 2;
        __asm__ volatile("rep outsl" : "+S"(src), "+c"(count) : "d"(PORT(SOLO5_HVT_HC_WALLTIME))
                         : "memory");
    } else if (str_eq(what, "text-write")) {
        *(volatile uint8_t *)(uintptr_t)&halt_cpu = 0xcc;
    } else if (str_eq(what, "hlt")) {
        halt_cpu();
    } else if (str_eq(what, "mmio")) {
        mmio(mem);
    } else if (str_eq(what, "triple-fault")) {
        static const struct __attribute__((packed)) { uint16_t limit; uint64_t base; } no_idt = {0, 0};
        __asm__ volatile("lidt %0\n\tud2" : : "m"(no_idt));
    } else {
        put("unknown attack\n");
        return 2;
    }
    put("survived\n");
    return 0;
}
