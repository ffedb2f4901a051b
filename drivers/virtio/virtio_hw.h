/*
 * virtio_hw.h - what a target gives the virtio drivers (drivers/virtio).
 *
 * The drivers touch the machine only through these calls, so the same
 * source runs on x86_64 (PCI and microvm's MMIO), on aarch64 (MMIO), and in
 * a host process against a device model (tests/unit/drivers). A target
 * implements each function once (kernel/arch/<arch>/, or the test model).
 *
 * Memory: everything the drivers hand to a device (rings, buffers) is
 * static memory of the image; hw_dma_addr() gives its bus address
 * (identity-mapped images: the pointer's value).
 */
#ifndef DRIVERS_VIRTIO_HW_H
#define DRIVERS_VIRTIO_HW_H

#include <stdint.h>

/* Device-memory (uncached MMIO) accesses, each exactly one access. */
uint8_t hw_read8(uintptr_t addr);
uint16_t hw_read16(uintptr_t addr);
uint32_t hw_read32(uintptr_t addr);
void hw_write8(uintptr_t addr, uint8_t v);
void hw_write16(uintptr_t addr, uint16_t v);
void hw_write32(uintptr_t addr, uint32_t v);

/*
 * A full barrier: every load and store before it, to normal memory or to a
 * device, is visible (to the device) before any after it. Virtqueue
 * publication (descriptor, then avail index, then notify) relies on it.
 */
void hw_barrier(void);

/* The address a device uses for a static object. */
uint64_t hw_dma_addr(const void *p);

/*
 * PCI configuration space (x86_64: ports 0xCF8/0xCFC). A target without
 * PCI returns 0xffffffff for every read and ignores writes.
 */
uint32_t hw_pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void hw_pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		    uint32_t v);

#endif /* DRIVERS_VIRTIO_HW_H */
