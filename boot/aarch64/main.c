/*
 * main.c - arm64_main(), the aarch64 target's first C: from the
 * devicetree to kernel_main().
 *
 * entry.S calls arm64_main(dtb, el) at EL1 with the MMU and caches on, on
 * the boot stack, IRQs masked; dtb is x0 at entry (0 for an ELF kernel),
 * el the exception level QEMU started the CPU at (1, or 2). In
 * order:
 *   0. the PL011;
 *   1. the devicetree: at dtb, or at 0x40000000 where QEMU puts it for an
 *      image linked at 0x40200000; it must lie in the RAM entry.S maps
 *      (1-4 GiB) and below the image, and pass arm64_fdt_parse()'s checks;
 *   2. its bootargs copied into the image as the command line;
 *   3. /memory logged, and the image [__image_start, __image_end), boot
 *      stack included, must lie inside it. The kernel uses no memory
 *      outside its image, so nothing else is checked;
 *   4. PSCI's conduit from /psci, the GIC, the generic timer, and an
 *      entropy source: virtio-rng in virt's virtio-mmio windows, else RNDR;
 *   5. kernel_main().
 * A failure in 1-4 is one console line and platform_exit() with the
 * kernel's exit code for it (KERNEL_EXIT_FAILURE, KERNEL_EXIT_USAGE for
 * an over-long command line).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arch/arm64.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>
#include <virtio_rng.h>

#include "boot.h"

/* What entry.S maps as RAM. */
#define BOOT_RAM_LO 0x40000000ull
#define BOOT_RAM_HI 0x100000000ull

extern const char __image_start[], __image_end[]; /* linker.ld */
extern const char arm64_stack_guard[], arm64_stack_bottom[],
    arm64_stack_top[]; /* entry.S */

_Noreturn void arm64_main(uint64_t dtb, uint64_t el);

static char boot_line[CMDLINE_MAX + 1];

const char *boot_cmdline(void)
{
	return boot_line;
}

static uint64_t boot_image_lo(void)
{
	return (uint64_t)(uintptr_t)__image_start;
}

static uint64_t boot_image_hi(void)
{
	return (uint64_t)(uintptr_t)__image_end;
}

/* The devicetree, checked and read: exits on failure. */
static void boot_fdt(uint64_t dtb, struct arm64_fdt *fdt)
{
	uint64_t addr = dtb ? dtb : ARM64_DTB_DEFAULT;
	uint64_t limit;

	if (addr < BOOT_RAM_LO || addr >= boot_image_lo()) {
		log_printf(LOG_ERROR,
			   "aarch64: devicetree at 0x%llx is not in ram below "
			   "the image",
			   (unsigned long long)addr);
		arm64_exit(KERNEL_EXIT_FAILURE);
	}
	limit = boot_image_lo() - addr;
	if (arm64_fdt_parse((uintptr_t)addr, limit, fdt) != NET_OK) {
		log_printf(LOG_ERROR,
			   "aarch64: no valid devicetree at 0x%llx (x0 was "
			   "0x%llx)",
			   (unsigned long long)addr, (unsigned long long)dtb);
		arm64_exit(KERNEL_EXIT_FAILURE);
	}
	log_printf(LOG_INFO, "aarch64: devicetree at 0x%llx, %u bytes%s",
		   (unsigned long long)addr, (unsigned)fdt->totalsize,
		   dtb ? " (from x0)" : "");
}

static void boot_copy_cmdline(const struct arm64_fdt *fdt)
{
	if (!fdt->bootargs)
		return;
	if (fdt->bootargs_len >= sizeof(boot_line)) {
		log_printf(LOG_ERROR,
			   "aarch64: the command line is longer than %d bytes",
			   CMDLINE_MAX);
		arm64_exit(KERNEL_EXIT_USAGE);
	}
	memcpy(boot_line, fdt->bootargs, fdt->bootargs_len);
	boot_line[fdt->bootargs_len] = '\0';
}

static void boot_memory(const struct arm64_fdt *fdt)
{
	uint64_t lo = fdt->mem_base, size = fdt->mem_size;

	if (size == 0 || lo + size < lo) {
		log_printf(LOG_ERROR,
			   "aarch64: the devicetree names no memory");
		arm64_exit(KERNEL_EXIT_FAILURE);
	}
	log_printf(
	    LOG_INFO,
	    "aarch64: memory 0x%llx-0x%llx (%llu MiB); image "
	    "0x%llx-0x%llx (%llu KiB)",
	    (unsigned long long)lo, (unsigned long long)(lo + size - 1),
	    (unsigned long long)(size >> 20),
	    (unsigned long long)boot_image_lo(),
	    (unsigned long long)boot_image_hi(),
	    (unsigned long long)((boot_image_hi() - boot_image_lo()) >> 10));
	if (boot_image_lo() < lo || boot_image_hi() - lo > size) {
		log_printf(LOG_ERROR, "aarch64: the image does not fit in the "
				      "memory the devicetree reports (give "
				      "QEMU more -m)");
		arm64_exit(KERNEL_EXIT_FAILURE);
	}
	log_printf(LOG_INFO,
		   "aarch64: text read-only, nothing else executable; boot "
		   "stack 0x%lx-0x%lx, guard page at 0x%lx",
		   (unsigned long)(uintptr_t)arm64_stack_bottom,
		   (unsigned long)(uintptr_t)arm64_stack_top,
		   (unsigned long)(uintptr_t)arm64_stack_guard);
	if (lo + size > BOOT_RAM_HI)
		log_printf(LOG_INFO, "aarch64: memory above 4 GiB is not "
				     "mapped (the kernel needs none)");
}

static void boot_psci(const struct arm64_fdt *fdt)
{
	static const char *const names[] = {"none", "hvc", "smc"};

	arm64_set_psci(fdt->psci);
	log_printf(LOG_INFO, "aarch64: psci via %s%s", names[fdt->psci],
		   fdt->psci == ARM64_PSCI_NONE ? " (no /psci method)" : "");
}

static void boot_entropy(void)
{
	bool rndr = arm64_has_rndr();

	if (virtio_rng_probe_mmio(ARM64_VIRTIO_MMIO_BASE,
				  ARM64_VIRTIO_MMIO_COUNT,
				  ARM64_VIRTIO_MMIO_STRIDE) == NET_OK) {
		arm64_entropy_source = virtio_rng_read;
		log_printf(LOG_INFO, "aarch64: entropy from virtio-rng%s",
			   rndr ? ", rndr" : "");
		return;
	}
	log_printf(rndr ? LOG_INFO : LOG_WARN, "aarch64: entropy from %s",
		   rndr ? "rndr" : "nothing (no virtio-rng, no rndr)");
}

_Noreturn void arm64_main(uint64_t dtb, uint64_t el)
{
	struct arm64_fdt fdt;

	_Static_assert(CMDLINE_MAX == 2048, "boot_copy_cmdline's message");
	arm64_uart_init();
	boot_fdt(dtb, &fdt);
	boot_copy_cmdline(&fdt);
	log_printf(LOG_INFO, "keel: %s on aarch64 (%s), el1%s",
		   CONFIG_IMAGE_NAME, arm64_cpu_name(),
		   el == 2 ? " (entered at el2)" : "");
	boot_memory(&fdt);
	boot_psci(&fdt);
	if (arm64_gic_init() != NET_OK || arm64_timer_init() != NET_OK)
		arm64_exit(KERNEL_EXIT_FAILURE);
	boot_entropy();
	kernel_main();
}
