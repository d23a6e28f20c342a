/* The hvt tender: runs a Solo5 hvt unikernel in a KVM virtual machine.
 *
 * Everything about the image is checked before KVM is touched: the command
 * line, the ELF image and its notes, the devices its manifest declares. Then
 * guest memory gets the image, the boot GDT and page tables, and the boot
 * info (with the manifest copy and the command line) at 0x10000; the vCPU
 * starts at the image's entry in 64-bit mode, and every vCPU exit is either a
 * hypercall or the end. The guest's HALT status is the tender's exit status;
 * any tender-side problem exits 1 with a message. */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdlib.h>
#include <sys/personality.h>

#include "args.h"
#include "devices.h"
#include "elf_load.h"
#include "util.h"
#include "hvt.h"

int main(int argc, char **argv)
{
    tender_set_name(argc > 0 ? basename(argv[0]) : "mirage-hvt");

    static struct tender_args args;
    static const struct tender_args_config cfg = {
        .target = "hvt",
        .abi_version = SOLO5_HVT_ABI_VERSION,
        .default_mem_mib = HVT_DEFAULT_MEM_MIB,
        .min_mem_mib = 1,
        .max_mem_mib = HVT_MAX_MEM_MIB,
    };
    tender_args_parse(&args, &cfg, argc, argv);
    tender_exit_on_signals();
    /* Whole 2 MiB pages: rounded down, but never below one (as Solo5). */
    uint64_t mem_size = args.mem_size & ~(HVT_PAGE_2M - 1);
    if (mem_size == 0) {
        mem_size = HVT_PAGE_2M;
        tender_warn("guest memory rounded up to 2 MiB (the smallest hvt guest)");
    } else if (mem_size != args.mem_size) {
        tender_warn("guest memory rounded down to %llu MiB (a multiple of 2 MiB)",
                    (unsigned long long)(mem_size >> 20));
    }

    /* Guest memory is never executable on the host; refuse a personality
     * that would make every readable mapping so. */
    int persona = personality(0xffffffff);
    if (persona < 0 || (persona & READ_IMPLIES_EXEC))
        tender_die("refusing to run with the READ_IMPLIES_EXEC personality");

    struct elf_image img;
    elf_open(&img, args.kernel);
    elf_check_abi(&img, SOLO5_TARGET_HVT, SOLO5_HVT_ABI_VERSION, "hvt");
    size_t mft_size;
    struct solo5_mft *mft = elf_read_manifest(&img, &mft_size);
    devices_attach(mft, &args);

    static struct hvt h;
    h.mft = mft;
    hvt_mem_map(&h, mem_size);
    uint64_t entry, kernel_end;
    elf_load(&img, (uintptr_t)h.mem, h.mem_size, hvt_mem_protect, &h, &entry, &kernel_end);
    elf_close(&img);
    hvt_layout_write(&h);

    hvt_kvm_init(&h);
    hvt_kvm_vcpu_setup(&h, entry);
    hvt_boot_info_write(&h, kernel_end, mft, mft_size, args.cmdline);
    hvt_kvm_run(&h);
}
