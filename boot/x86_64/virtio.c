/*
 * virtio.c - the x86_64 target's devices: virtio-net as its netdev,
 * virtio-rng as its entropy source (drivers/virtio), and their interrupts.
 *
 * Where the devices are:
 *   pc, q35   PCI bus 0 (virtio-net-pci, virtio-rng-pci, disable-legacy=on).
 *             Firmware (SeaBIOS, which runs before the PVH entry) has
 *             assigned the BARs and written the INTx line to config
 *             0x3C: an ISA IRQ number that its PIRQ routing sends the pin
 *             to, and which reaches the IOAPIC input of the same number.
 *             INTx is level-triggered.
 *   microvm   no PCI; a row of virtio-mmio windows, 512 bytes each from
 *             0xfeb00000 (8 of them with -no-acpi, 24 with ACPI and the
 *             second IOAPIC; probing 24 reads empty memory past the 8,
 *             which answers no magic). Window i interrupts on GSI 5 + i,
 *             edge-triggered here (QEMU raises the line while the
 *             interrupt status is non-zero; the handler acknowledges, so
 *             the next completion makes a new edge).
 * A machine with PCI configuration space is probed on PCI only, one
 * without on MMIO only.
 *
 * Interrupts only wake the CPU: the handler acknowledges the device
 * (virtio_net_ack_interrupt(), before the EOI, so a level-triggered line
 * drops), counts, and notes a configuration change (the link status) for
 * the loop to log. The rings are polled by net_poll().
 *
 * virtio-rng is probed before the kernel asks for its boot secret and set
 * as x86_entropy_source; it is polled (no interrupt), waiting with PAUSE
 * between looks at its ring. Without it RDSEED/RDRAND remain.
 */
#include <stdbool.h>
#include <stdint.h>

#include <arch/x86.h>
#include <arch/x86_io.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <net/net.h>
#include <virtio_hw.h>
#include <virtio_net.h>
#include <virtio_rng.h>

#include "boot.h"

#define VIRTIO_MMIO_BASE    0xfeb00000u
#define VIRTIO_MMIO_WINDOWS 24
#define VIRTIO_MMIO_STRIDE  0x200u
#define VIRTIO_MMIO_GSI0    5 /* window i: GSI 5 + i (QEMU 7.2 microvm) */

static bool boot_virtio_has_pci;
static bool boot_virtio_rng_found;
static struct netdev *boot_virtio_nd;
static unsigned boot_virtio_net_gsi;
static bool boot_virtio_link_up;
/* Written by the interrupt handler, read by the loop (interrupts are off
 * outside x86_idle(), so no lock). */
static uint64_t boot_virtio_net_irqs;
static uint64_t boot_virtio_net_irqs_none;
static bool boot_virtio_config_changed;

static bool boot_virtio_pci_present(void)
{
	return hw_pci_read32(0, 0, 0, 0) != 0xffffffffu;
}

static void boot_virtio_rng_pause(void)
{
	x86_pause();
}

void boot_virtio_rng_init(void)
{
	int rc;

	boot_virtio_has_pci = boot_virtio_pci_present();
	rc = boot_virtio_has_pci
		 ? virtio_rng_probe_pci()
		 : virtio_rng_probe_mmio(VIRTIO_MMIO_BASE, VIRTIO_MMIO_WINDOWS,
					 VIRTIO_MMIO_STRIDE);
	if (rc != NET_OK) {
		if (rc != NET_ENOENT)
			log_printf(LOG_WARN, "x86: virtio-rng unusable: %s",
				   net_strerror(rc));
		return;
	}
	virtio_rng_set_wait(boot_virtio_rng_pause);
	x86_entropy_source = virtio_rng_read;
	boot_virtio_rng_found = true;
}

bool boot_virtio_rng_present(void)
{
	return boot_virtio_rng_found;
}

static void boot_virtio_net_interrupt(void *arg)
{
	uint32_t isr = virtio_net_ack_interrupt();

	(void)arg;
	boot_virtio_net_irqs++;
	if (isr == 0)
		boot_virtio_net_irqs_none++;
	if (isr & VIRTIO_ISR_CONFIG)
		boot_virtio_config_changed = true;
}

/* The GSI and trigger mode of the device's interrupt: NET_OK or
 * NET_ENOTSUP when it has none we can route. */
static int boot_virtio_net_route(const struct virtio_irq *irq, unsigned *gsi,
				 enum x86_irq_mode *mode)
{
	if (irq->kind == VIRTIO_IRQ_MMIO) {
		*gsi = VIRTIO_MMIO_GSI0 + irq->slot;
		*mode = X86_IRQ_EDGE_HIGH;
		return NET_OK;
	}
	/* Line 0xff: firmware routed nothing; pin 0: no INTx at all. */
	if (irq->kind != VIRTIO_IRQ_PCI_INTX || irq->pin == 0 ||
	    irq->line == 0 || irq->line >= 16)
		return NET_ENOTSUP;
	*gsi = irq->line;
	/*
	 * The PIIX (pc) and ICH9 (q35) PIRQ routers drive the ISA input of
	 * the line while the pin is asserted. QEMU 7.2's IOAPIC takes
	 * level/high and level/low alike (tried on pc: the same interrupts
	 * either way); level/high is what it models.
	 */
	*mode = X86_IRQ_LEVEL_HIGH;
	return NET_OK;
}

static const char *boot_virtio_mode_name(enum x86_irq_mode mode)
{
	switch (mode) {
	case X86_IRQ_EDGE_HIGH:
		return "edge";
	case X86_IRQ_LEVEL_LOW:
		return "level, active low";
	default:
		return "level";
	}
}

struct netdev *boot_virtio_net_open(void)
{
	const struct virtio_irq *irq;
	enum x86_irq_mode mode;
	unsigned gsi;
	struct netdev *nd;

	nd = boot_virtio_has_pci
		 ? virtio_net_probe_pci()
		 : virtio_net_probe_mmio(VIRTIO_MMIO_BASE, VIRTIO_MMIO_WINDOWS,
					 VIRTIO_MMIO_STRIDE);
	if (!nd)
		return NULL;
	irq = virtio_net_irq();
	if (!irq || boot_virtio_net_route(irq, &gsi, &mode) != NET_OK) {
		log_printf(LOG_WARN,
			   "x86: virtio-net has no interrupt line; the "
			   "loop will only see frames at its deadlines");
	} else if (x86_irq_enable(gsi, mode, boot_virtio_net_interrupt, NULL) !=
		   NET_OK) {
		log_printf(LOG_WARN, "x86: virtio-net: gsi %u unavailable",
			   gsi);
	} else {
		boot_virtio_net_gsi = gsi;
		log_printf(LOG_INFO, "x86: virtio-net interrupt on gsi %u (%s)",
			   gsi, boot_virtio_mode_name(mode));
	}
	/* An interrupt raised before the route existed is pending in the
	 * device; with an edge-triggered input it would never come again. */
	(void)virtio_net_ack_interrupt();
	boot_virtio_link_up = nd->ops->is_link_up(nd);
	log_printf(LOG_INFO, "x86: virtio-net link %s",
		   boot_virtio_link_up ? "up" : "down");
	boot_virtio_nd = nd;
	return nd;
}

void boot_virtio_poll(void)
{
	bool up;

	if (!boot_virtio_nd || !boot_virtio_config_changed)
		return;
	boot_virtio_config_changed = false;
	up = boot_virtio_nd->ops->is_link_up(boot_virtio_nd);
	if (up != boot_virtio_link_up)
		log_printf(LOG_INFO, "x86: virtio-net link %s",
			   up ? "up" : "down");
	boot_virtio_link_up = up;
}

void boot_virtio_stats(void)
{
	struct virtio_net_stats n;
	struct virtio_rng_stats r;

	if (boot_virtio_nd) {
		virtio_net_get_stats(&n);
		kernel_print_stat("virtio_net.irqs", boot_virtio_net_irqs);
		kernel_print_stat("virtio_net.irqs_not_ours",
				  boot_virtio_net_irqs_none);
		kernel_print_stat("virtio_net.gsi", boot_virtio_net_gsi);
		kernel_print_stat("virtio_net.link_up", boot_virtio_link_up);
		kernel_print_stat("virtio_net.rx_frames", n.rx_frames);
		kernel_print_stat("virtio_net.rx_empty", n.rx_empty);
		kernel_print_stat("virtio_net.rx_too_long", n.rx_too_long);
		kernel_print_stat("virtio_net.tx_frames", n.tx_frames);
		kernel_print_stat("virtio_net.tx_ring_full", n.tx_ring_full);
		kernel_print_stat("virtio_net.tx_too_long", n.tx_too_long);
		kernel_print_stat("virtio_net.dev_bad_used_idx",
				  n.dev_bad_used_idx);
		kernel_print_stat("virtio_net.dev_bad_id", n.dev_bad_id);
		kernel_print_stat("virtio_net.dev_bad_len", n.dev_bad_len);
	}
	if (boot_virtio_rng_found) {
		virtio_rng_get_stats(&r);
		kernel_print_stat("virtio_rng.bytes", r.bytes);
		kernel_print_stat("virtio_rng.timeouts", r.timeouts);
		kernel_print_stat("virtio_rng.dev_bad_used", r.dev_bad_used);
	}
}
