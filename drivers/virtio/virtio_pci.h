/*
 * virtio_pci.h - find a virtio device on PCI bus 0 (virtio_pci.c).
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_H

#include <stdint.h>

#include "virtio.h"

/*
 * Scan bus 0 for the first usable modern virtio device of type device_id
 * (VIRTIO_ID_*), set up *d for it and enable its memory decoding and bus
 * mastering. NET_OK, or NET_ENOENT when there is none.
 */
int virtio_pci_probe(struct virtio_dev *d, uint32_t device_id);

#endif /* DRIVERS_VIRTIO_VIRTIO_PCI_H */
