/*
 * hw_mmio.c - the part of drivers/virtio/virtio_hw.h that is the same on
 * every identity-mapped target: device-memory accesses and DMA addresses.
 * The barrier and PCI configuration space stay with each arch (hw.c).
 *
 * Each access is one volatile load or store of its width (a single
 * instruction of that size), to memory the arch's boot code maps as device
 * memory (x86_64: uncached; aarch64: Device-nGnRE), so it is neither
 * merged, split nor reordered with other device accesses. The image is
 * identity-mapped and the devices DMA to physical addresses, so a static
 * object's bus address is its pointer.
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

uint64_t hw_dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}
