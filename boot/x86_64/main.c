/*
 * main.c - x86_main(), the x86_64 target's first C: from the PVH start
 * info to kernel_main().
 *
 * entry.S calls x86_main(start_info) in long mode on the boot stack with
 * interrupts off. In order:
 *   0. COM1, and the check that the image fits in RAM, made before any
 *      .bss but the page tables and the stack is touched (those come
 *      first in .bss, so they are in RAM whenever ~2.2 MiB are);
 *   1. the CPU's tables (TSS, IDT): from here on a CPU exception is
 *      reported on the console;
 *   2. the start info (Xen's struct hvm_start_info, xen/include/public/
 *      arch-x86/hvm/start_info.h): magic 0x336ec578, the command line at
 *      cmdline_paddr (+0x18), copied into the image, and from version 1
 *      the memory map at memmap_paddr (+0x28), memmap_entries (+0x30)
 *      entries of 24 bytes, e820 types;
 *   3. the memory map, logged; entries all zero (microvm has one) or
 *      empty are skipped, and the image [__image_start, __image_end),
 *      boot stack included, must lie inside one RAM entry. The kernel uses
 *      no memory outside its image, so nothing else is checked;
 *   4. the interrupt controllers and the clock (kernel/arch/x86_64),
 *      what PCI bus 0 holds, and virtio-rng (virtio.c) as the entropy
 *      source when there is one;
 *   5. kernel_main().
 * A failure in 2-4 is one console line and platform_exit() with the
 * kernel's exit code for it (KERNEL_EXIT_FAILURE, KERNEL_EXIT_USAGE for
 * an over-long command line).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arch/x86.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>
#include <virtio_hw.h>

#include "boot.h"

#define PVH_MAGIC 0x336ec578u
#define E820_RAM  1
/* More entries than this are not looked at. */
#define BOOT_MEMMAP_MAX 128
#define BOOT_4G		0x100000000ull

/* Xen's hvm_start_info, version 1 (a device layout, pinned below). */
struct boot_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};
_Static_assert(offsetof(struct boot_start_info, cmdline_paddr) == 0x18,
	       "hvm_start_info.cmdline_paddr");
_Static_assert(offsetof(struct boot_start_info, memmap_paddr) == 0x28,
	       "hvm_start_info.memmap_paddr");
_Static_assert(offsetof(struct boot_start_info, memmap_entries) == 0x30,
	       "hvm_start_info.memmap_entries");

struct boot_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};
_Static_assert(sizeof(struct boot_memmap_entry) == 24, "hvm memmap entry");

extern const char __image_start[], __image_end[]; /* linker.ld */
extern const char x86_stack_guard[], x86_stack_bottom[],
    x86_stack_top[];			 /* entry.S */
extern const uint32_t x86_stack_guarded; /* entry.S */
extern const uint32_t x86_nx_high;	 /* entry.S */

_Noreturn void x86_main(uint32_t start_info);

static char boot_line[CMDLINE_MAX + 1];

const char *boot_cmdline(void)
{
	return boot_line;
}

/* Whether [addr, addr + len) is a range the page tables map (< 4 GiB). */
static bool boot_is_mapped(uint64_t addr, uint64_t len)
{
	return addr != 0 && addr < BOOT_4G && len <= BOOT_4G - addr;
}

/* The start info, checked: NULL after saying what is wrong. */
static const struct boot_start_info *boot_start_info(uint32_t addr)
{
	const struct boot_start_info *si;

	if (!boot_is_mapped(addr, sizeof(*si))) {
		log_printf(LOG_ERROR, "x86: no PVH start info (ebx 0x%x)",
			   (unsigned)addr);
		return NULL;
	}
	si = (const struct boot_start_info *)(uintptr_t)addr;
	if (si->magic != PVH_MAGIC) {
		log_printf(LOG_ERROR,
			   "x86: PVH start info at 0x%x has magic "
			   "0x%x, not 0x%x",
			   (unsigned)addr, (unsigned)si->magic, PVH_MAGIC);
		return NULL;
	}
	return si;
}

/* Copy the command line: NET_OK, or NET_EMSGSIZE when it is too long. */
static int boot_copy_cmdline(const struct boot_start_info *si)
{
	const char *src;
	uint64_t room;
	size_t len;

	if (si->cmdline_paddr == 0)
		return NET_OK;
	if (!boot_is_mapped(si->cmdline_paddr, 1))
		return NET_EINVAL;
	src = (const char *)(uintptr_t)si->cmdline_paddr;
	room = BOOT_4G - si->cmdline_paddr;
	len = strnlen(src, room < sizeof(boot_line) ? (size_t)room
						    : sizeof(boot_line));
	if (len >= sizeof(boot_line))
		return NET_EMSGSIZE;
	memcpy(boot_line, src, len);
	boot_line[len] = '\0';
	return NET_OK;
}

static const char *boot_e820_name(uint32_t type)
{
	switch (type) {
	case 1:
		return "ram";
	case 2:
		return "reserved";
	case 3:
		return "acpi";
	case 4:
		return "acpi nvs";
	case 5:
		return "unusable";
	case 7:
		return "persistent";
	default:
		return "other";
	}
}

static bool boot_entry_holds_image(const struct boot_memmap_entry *e)
{
	uint64_t lo = (uint64_t)(uintptr_t)__image_start;
	uint64_t hi = (uint64_t)(uintptr_t)__image_end;

	return e->type == E820_RAM && e->addr <= lo && hi - e->addr <= e->size;
}

/*
 * Log the memory map and check the image fits in RAM: NET_OK, or
 * NET_ENOBUFS when the map names RAM and the image is not inside it.
 */
static int boot_memmap(const struct boot_start_info *si)
{
	const struct boot_memmap_entry *map;
	uint32_t n = si->version >= 1 ? si->memmap_entries : 0;
	uint32_t used = 0, empty = 0;
	uint64_t ram = 0;
	bool fits = false;

	if (n > BOOT_MEMMAP_MAX) {
		log_printf(LOG_WARN,
			   "x86: memory map has %u entries; reading "
			   "the first %d",
			   (unsigned)n, BOOT_MEMMAP_MAX);
		n = BOOT_MEMMAP_MAX;
	}
	if (n && !boot_is_mapped(si->memmap_paddr, (uint64_t)n * sizeof(*map)))
		n = 0;
	map = (const struct boot_memmap_entry *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < n; i++) {
		const struct boot_memmap_entry *e = &map[i];

		if (e->size == 0 || e->addr + e->size < e->addr) {
			empty++;
			continue;
		}
		used++;
		log_printf(LOG_INFO, "x86: mem 0x%016llx-0x%016llx %s",
			   (unsigned long long)e->addr,
			   (unsigned long long)(e->addr + e->size - 1),
			   boot_e820_name(e->type));
		if (e->type == E820_RAM)
			ram += e->size;
		fits = fits || boot_entry_holds_image(e);
	}
	log_printf(LOG_INFO,
		   "x86: memory map: %u entries (%u empty skipped), "
		   "%llu KiB ram; image 0x%lx-0x%lx (%lu KiB)",
		   (unsigned)used, (unsigned)empty,
		   (unsigned long long)(ram / 1024),
		   (unsigned long)(uintptr_t)__image_start,
		   (unsigned long)(uintptr_t)__image_end,
		   (unsigned long)((__image_end - __image_start) / 1024));
	if (used == 0) {
		log_printf(LOG_WARN, "x86: no memory map; cannot check that "
				     "the image fits in ram");
		return NET_OK;
	}
	if (!fits) {
		log_printf(LOG_ERROR, "x86: the image does not fit in the ram "
				      "the memory map reports");
		return NET_ENOBUFS;
	}
	return NET_OK;
}

static void boot_start(uint32_t addr)
{
	const struct boot_start_info *si = boot_start_info(addr);
	int rc;

	if (!si)
		x86_exit(KERNEL_EXIT_FAILURE);
	rc = boot_copy_cmdline(si);
	if (rc != NET_OK) {
		log_printf(LOG_ERROR, "x86: the command line is %s",
			   rc == NET_EMSGSIZE ? "longer than 2048 bytes"
					      : "outside memory");
		x86_exit(KERNEL_EXIT_USAGE);
	}
	log_printf(LOG_INFO,
		   "keel: %s on x86_64 (%s), PVH start info "
		   "version %u",
		   CONFIG_IMAGE_NAME, x86_cpu_name(), (unsigned)si->version);
	if (boot_memmap(si) != NET_OK)
		x86_exit(KERNEL_EXIT_FAILURE);
	if (x86_nx_high)
		log_printf(LOG_INFO, "x86: text read-only, nothing else "
				     "executable (nx)");
	else
		log_printf(LOG_WARN, "x86: no nx bit: data is executable");
	if (x86_stack_guarded)
		log_printf(LOG_INFO,
			   "x86: boot stack 0x%lx-0x%lx, guard page "
			   "at 0x%lx",
			   (unsigned long)(uintptr_t)x86_stack_bottom,
			   (unsigned long)(uintptr_t)x86_stack_top,
			   (unsigned long)(uintptr_t)x86_stack_guard);
	else
		log_printf(LOG_WARN,
			   "x86: boot stack 0x%lx-0x%lx has no guard "
			   "page (it is past 4 MiB)",
			   (unsigned long)(uintptr_t)x86_stack_bottom,
			   (unsigned long)(uintptr_t)x86_stack_top);
}

/*
 * Before anything touches .bss beyond the page tables and the stack: when
 * the memory map names RAM and the image is not inside it, say so with
 * nothing but the stack and stop. boot_memmap() logs the details later.
 */
static void boot_check_fit(uint32_t addr)
{
	const struct boot_start_info *si =
	    (const struct boot_start_info *)(uintptr_t)addr;
	const struct boot_memmap_entry *map;
	char msg[128];
	bool any_ram = false;
	int n;

	if (!boot_is_mapped(addr, sizeof(*si)) || si->magic != PVH_MAGIC ||
	    si->version < 1 || si->memmap_entries > BOOT_MEMMAP_MAX ||
	    !boot_is_mapped(si->memmap_paddr,
			    (uint64_t)si->memmap_entries * sizeof(*map)))
		return;
	map = (const struct boot_memmap_entry *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (map[i].type != E820_RAM || map[i].size == 0)
			continue;
		any_ram = true;
		if (boot_entry_holds_image(&map[i]))
			return;
	}
	if (!any_ram)
		return;
	n = fmt_snprintf(msg, sizeof(msg),
			 "x86: the image 0x%lx-0x%lx does not fit in the ram "
			 "the memory map reports (give QEMU more -m)\n",
			 (unsigned long)(uintptr_t)__image_start,
			 (unsigned long)(uintptr_t)__image_end);
	if (n > 0 && (size_t)n < sizeof(msg))
		x86_serial_write(msg, (size_t)n);
	x86_exit(KERNEL_EXIT_FAILURE);
}

/*
 * What PCI bus 0 holds, through virtio_hw.h's configuration-space calls
 * (the ones the virtio-pci driver will use): a count at info level, each
 * function at debug level. microvm has no PCI.
 */
static void boot_log_pci(void)
{
	unsigned found = 0;

	if (hw_pci_read32(0, 0, 0, 0) == 0xffffffffu) {
		log_printf(LOG_INFO, "x86: no pci configuration space");
		return;
	}
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			uint32_t id = hw_pci_read32(0, dev, fn, 0);
			uint32_t class = hw_pci_read32(0, dev, fn, 8) >> 8;

			if (id == 0xffffffffu) {
				if (fn == 0)
					break; /* no device: no functions */
				continue;
			}
			found++;
			log_printf(LOG_DEBUG,
				   "x86: pci 00:%02x.%u %04x:%04x class %06x",
				   dev, fn, (unsigned)(id & 0xffff),
				   (unsigned)(id >> 16), (unsigned)class);
		}
	}
	log_printf(LOG_INFO,
		   "x86: pci bus 0: %u functions, host bridge "
		   "%04x:%04x",
		   found, (unsigned)(hw_pci_read32(0, 0, 0, 0) & 0xffff),
		   (unsigned)(hw_pci_read32(0, 0, 0, 0) >> 16));
}

_Noreturn void x86_main(uint32_t start_info)
{
	_Static_assert(CMDLINE_MAX == 2048, "boot_start's message");

	x86_serial_init();
	boot_check_fit(start_info);
	x86_cpu_init();
	boot_start(start_info);
	if (x86_apic_init() != NET_OK || x86_clock_init() != NET_OK)
		x86_exit(KERNEL_EXIT_FAILURE);
	boot_log_pci();
	boot_virtio_rng_init();
	log_printf(LOG_INFO, "x86: entropy from %s%s",
		   boot_virtio_rng_present() ? "virtio-rng, else " : "",
		   x86_entropy_describe());
	kernel_main();
}
