/*
 * virtio_mmio.h - find a virtio device behind the MMIO transport
 * (virtio_mmio.c).
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_MMIO_H
#define DRIVERS_VIRTIO_VIRTIO_MMIO_H

#include <stdint.h>

#include "virtio.h"

/* MagicValue: "virt" in little-endian. */
#define VIRTIO_MMIO_MAGIC 0x74726976u

/*
 * Look at `count` windows of `stride` bytes from `base` and set up *d for
 * the first modern (version 2) one whose DeviceID is device_id. NET_OK,
 * NET_ENOENT when none matches, NET_EINVAL for a bad range.
 */
int virtio_mmio_probe(struct virtio_dev *d, uint32_t device_id, uintptr_t base,
		      unsigned count, unsigned stride);

#endif /* DRIVERS_VIRTIO_VIRTIO_MMIO_H */
