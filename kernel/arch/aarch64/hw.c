/*
 * hw.c - drivers/virtio/virtio_hw.h for aarch64: device-memory accesses,
 * the barrier, DMA addresses, and no PCI.
 *
 * MMIO: each call is one volatile access of its width (a single LDR/STR
 * of that size) to memory entry.S maps Device-nGnRE, so it is neither
 * merged, split nor reordered with other device accesses. The barrier is
 * DSB SY, which completes every earlier memory access — to RAM (Normal,
 * inner shareable) or to a device — before any later one starts, plus a
 * compiler barrier: a virtqueue entry written to RAM is visible before the
 * notify that tells the device. The image is identity-mapped and QEMU's
 * virtio-mmio devices DMA to guest physical addresses, so a static object's bus
 * address is its pointer. virt's PCIe host bridge is not used: configuration
 * reads return all ones.
 */
#include <stdint.h>

#include <virtio_hw.h>

uint8_t hw_read8(uintptr_t addr)
{
	return *(volatile uint8_t *)addr;
}

uint16_t hw_read16(uintptr_t addr)
{
	return *(volatile uint16_t *)addr;
}

uint32_t hw_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

void hw_write8(uintptr_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

void hw_write16(uintptr_t addr, uint16_t v)
{
	*(volatile uint16_t *)addr = v;
}

void hw_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

void hw_barrier(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

uint64_t hw_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
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
