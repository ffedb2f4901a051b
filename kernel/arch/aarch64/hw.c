/*
 * hw.c - drivers/virtio/virtio_hw.h for aarch64: the barrier, and no PCI
 * (the device-memory accesses and DMA addresses are
 * kernel/arch/common/hw_mmio.c; entry.S maps device memory Device-nGnRE).
 *
 * The barrier is DSB SY, which completes every earlier memory access — to
 * RAM (Normal, inner shareable) or to a device — before any later one
 * starts, plus a compiler barrier: a virtqueue entry written to RAM is
 * visible before the notify that tells the device. virt's PCIe host bridge
 * is not used: configuration reads return all ones.
 */
#include <stdint.h>

#include <virtio_hw.h>

void hw_barrier(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

uint32_t hw_pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	(void)bus;
	(void)dev;
	(void)fn;
	(void)off;
	return 0xffffffffu;
}

void hw_pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		    uint32_t v)
{
	(void)bus;
	(void)dev;
	(void)fn;
	(void)off;
	(void)v;
}
