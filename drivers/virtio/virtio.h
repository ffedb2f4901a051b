/*
 * virtio.h - a virtio 1.x device as the device drivers (virtio_net.c,
 * virtio_rng.c) see it: one small transport interface with two
 * implementations (virtio_pci.c, virtio_mmio.c) and the initialisation
 * steps common to every device (virtio 1.2 §3.1.1).
 *
 * Only modern devices are driven: VIRTIO_F_VERSION_1 must be offered and is
 * always negotiated, so rings and configuration fields are little-endian
 * and the net header is 12 bytes. Legacy interfaces (PCI I/O BAR0, MMIO
 * version 1) are refused with a log line saying so.
 *
 * Initialisation, virtio_dev_start() then queue setup then
 * virtio_dev_ready():
 *
 *   reset (status 0, wait until it reads 0), ACKNOWLEDGE, DRIVER,
 *   read the device's features, write ours, FEATURES_OK, read the status
 *   back (a device that does not keep FEATURES_OK refused our subset),
 *   set up each queue, DRIVER_OK.
 *
 * Any failure sets FAILED and logs which step failed and why.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtqueue.h"

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER	  2u
#define VIRTIO_STATUS_DRIVER_OK	  4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED	  128u

/* Reserved feature bits (§6). */
#define VIRTIO_F_INDIRECT_DESC	 (1ull << 28)
#define VIRTIO_F_EVENT_IDX	 (1ull << 29)
#define VIRTIO_F_VERSION_1	 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)

/* Device types (§5). */
#define VIRTIO_ID_NET 1u
#define VIRTIO_ID_RNG 4u

/* Interrupt status bits (PCI ISR, MMIO InterruptStatus). */
#define VIRTIO_ISR_QUEUE  1u
#define VIRTIO_ISR_CONFIG 2u

/* Where a device's interrupt comes from, for the target to route it. */
enum virtio_irq_kind {
	VIRTIO_IRQ_NONE = 0,
	VIRTIO_IRQ_PCI_INTX, /* legacy INTx: line and pin from config 0x3C */
	VIRTIO_IRQ_MMIO,     /* the slot-th window of the probed range */
};

struct virtio_irq {
	enum virtio_irq_kind kind;
	uint8_t line;	/* PCI: interrupt line, as firmware set it */
	uint8_t pin;	/* PCI: 1..4 for INTA..INTD, 0 none */
	uint16_t slot;	/* MMIO: window index from the probe's base */
	uintptr_t base; /* MMIO: the window; PCI: 0 */
	uint8_t pci_bus, pci_dev, pci_fn;
};

struct virtio_dev;

/* What a transport does; every call is one or a few register accesses. */
struct virtio_transport {
	const char *name; /* "pci", "mmio" */
	uint64_t (*device_features)(struct virtio_dev *d);
	void (*set_driver_features)(struct virtio_dev *d, uint64_t f);
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t status);
	/* Largest size of queue q, 0 when the device has no such queue. */
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t q);
	/* Tell the device vq's size and addresses and enable it. */
	int (*queue_enable)(struct virtio_dev *d, struct virtqueue *vq);
	void (*notify)(struct virtio_dev *d, struct virtqueue *vq);
	uint32_t (*config_generation)(struct virtio_dev *d);
	uint8_t (*config_read8)(struct virtio_dev *d, uint32_t off);
	uint16_t (*config_read16)(struct virtio_dev *d, uint32_t off);
	/* Read and acknowledge the interrupt: VIRTIO_ISR_* bits. */
	uint32_t (*ack_interrupt)(struct virtio_dev *d);
};

struct virtio_dev {
	const struct virtio_transport *ops;
	uint32_t device_id;  /* VIRTIO_ID_* */
	uint64_t features;   /* negotiated */
	uint32_t config_len; /* bytes of device configuration reachable */
	/* MMIO: the register window. */
	uintptr_t base;
	/* PCI: the four structures found through the capability list. */
	uintptr_t common;
	uintptr_t notify;
	uint32_t notify_len;
	uint32_t notify_mult;
	uintptr_t isr;
	uintptr_t device;
	uint16_t num_queues;
	struct virtio_irq irq;
};

/*
 * Reset the device and negotiate: offer `wanted` & what the device offers;
 * fail unless every bit of `required` (which must include
 * VIRTIO_F_VERSION_1) is in it. `who` names the driver in log lines.
 * NET_OK with d->features set, or NET_ENOTSUP / NET_EIO (status FAILED).
 */
int virtio_dev_start(struct virtio_dev *d, const char *who, uint64_t wanted,
		     uint64_t required);

/*
 * Give queue `vq` (attached storage) to the device with as many
 * descriptors as both sides allow. NET_OK, or NET_EIO (status FAILED).
 */
int virtio_dev_setup_queue(struct virtio_dev *d, const char *who,
			   struct virtqueue *vq);

/* DRIVER_OK: the device may use the queues now. */
void virtio_dev_ready(struct virtio_dev *d);

/* Set FAILED and log `why` at error level. Returns NET_EIO. */
int virtio_dev_fail(struct virtio_dev *d, const char *who, const char *why);

/* Publish vq's new buffers and notify the device when it wants it. */
void virtio_dev_kick(struct virtio_dev *d, struct virtqueue *vq);

/*
 * Copy `len` bytes of device configuration from `off`, consistently: read
 * again while the configuration generation changes (§2.5.1), a bounded
 * number of times. NET_OK or NET_EIO.
 */
int virtio_dev_config_read(struct virtio_dev *d, uint32_t off, void *out,
			   size_t len);

#endif /* DRIVERS_VIRTIO_VIRTIO_H */
