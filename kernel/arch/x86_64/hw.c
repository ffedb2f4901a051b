/*
 * hw.c - drivers/virtio/virtio_hw.h for x86_64: the barrier and PCI
 * configuration space (the device-memory accesses and DMA addresses are
 * kernel/arch/common/hw_mmio.c; entry.S maps device memory, the 3-4 GiB
 * window, uncached).
 *
 * The barrier is MFENCE, which orders every earlier load and store, to RAM
 * or to a device, before every later one (SDM Vol. 2B, MFENCE), plus a
 * compiler barrier. PCI configuration mechanism #1 (ports 0xcf8/0xcfc),
 * checked once: a machine without it (microvm) reads 0xffffffff everywhere.
 */
#include <stdbool.h>
#include <stdint.h>

#include <arch/x86_io.h>
#include <virtio_hw.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_ENABLE	   0x80000000u

enum hw_pci_state { HW_PCI_UNKNOWN, HW_PCI_PRESENT, HW_PCI_ABSENT };

static enum hw_pci_state hw_pci_state;

void hw_barrier(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

/* Mechanism #1 keeps what is written to 0xcf8 (PCI Local Bus 3.0 §3.2.2.3.2).
 */
static bool hw_has_pci(void)
{
	uint32_t saved;

	if (hw_pci_state == HW_PCI_UNKNOWN) {
		saved = x86_inl(PCI_CONFIG_ADDRESS);
		x86_outl(PCI_CONFIG_ADDRESS, PCI_ENABLE);
		hw_pci_state = x86_inl(PCI_CONFIG_ADDRESS) == PCI_ENABLE
				   ? HW_PCI_PRESENT
				   : HW_PCI_ABSENT;
		x86_outl(PCI_CONFIG_ADDRESS, saved);
	}
	return hw_pci_state == HW_PCI_PRESENT;
}

static bool hw_pci_select(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (dev > 31 || fn > 7 || off > 0xfc || off % 4 || !hw_has_pci())
		return false;
	x86_outl(PCI_CONFIG_ADDRESS, PCI_ENABLE | (uint32_t)bus << 16 |
					 (uint32_t)dev << 11 |
					 (uint32_t)fn << 8 | off);
	return true;
}

uint32_t hw_pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (!hw_pci_select(bus, dev, fn, off))
		return 0xffffffffu;
	return x86_inl(PCI_CONFIG_DATA);
}

void hw_pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		    uint32_t v)
{
	if (hw_pci_select(bus, dev, fn, off))
		x86_outl(PCI_CONFIG_DATA, v);
}
