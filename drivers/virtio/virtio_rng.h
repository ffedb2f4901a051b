/*
 * virtio_rng.h - the virtio entropy device (virtio 1.2 §5.4), over PCI or
 * MMIO, as a source for platform_entropy().
 *
 * A target probes once at start-up (virtio_rng_probe_pci() or
 * virtio_rng_probe_mmio() with the same window row as virtio-net), may give
 * a wait hook, and then calls virtio_rng_read() from platform_entropy().
 *
 * The device has one queue, the requestq, and no features or configuration
 * of its own; VIRTIO_F_VERSION_1 is the only feature negotiated. A read
 * posts a static bounce buffer of up to 64 bytes (device memory must be
 * static), waits for the device to fill some of it, copies what it got and
 * wipes the bounce buffer, until `len` bytes are in. The device may answer
 * with fewer bytes than asked: the loop asks again.
 *
 * The wait is bounded: at most CONFIG_VIRTIO_RNG_POLLS looks at the used
 * ring without progress over one call, each followed by the wait hook
 * (a target may pause, or sleep a microsecond, there); then NET_EIO. A
 * request still out when a call gives up is kept and used by the next call,
 * never posted twice.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_RNG_H
#define DRIVERS_VIRTIO_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

/* Find and start the device: NET_OK, NET_ENOENT (none) or NET_EIO. */
int virtio_rng_probe_pci(void);
int virtio_rng_probe_mmio(uintptr_t base, unsigned count, unsigned stride);

/* Called between two looks at the ring while waiting; NULL: none. */
void virtio_rng_set_wait(void (*wait)(void));

/*
 * Fill buf with `len` bytes from the device: NET_OK when all are in,
 * NET_ENOTSUP without a device, NET_EIO when it did not answer in time or
 * broke the ring rules. Never returns partly filled output as NET_OK.
 */
int virtio_rng_read(void *buf, size_t len);

/*
 * The device is polled and asks for no interrupts (a hint). A target that
 * shares its line with another device acknowledges it here: VIRTIO_ISR_*
 * bits, 0 when it raised none or there is no device. Where the interrupt
 * comes from: as virtio_net_irq(); NULL when there is no device.
 */
uint32_t virtio_rng_ack_interrupt(void);
const struct virtio_irq *virtio_rng_irq(void);

/* Misbehaviour counted so far. */
struct virtio_rng_stats {
	uint64_t bytes;	       /* delivered to callers */
	uint64_t timeouts;     /* reads that gave up waiting */
	uint64_t dev_bad_used; /* bad used idx, id or len from the device */
};

void virtio_rng_get_stats(struct virtio_rng_stats *out);

#endif /* DRIVERS_VIRTIO_VIRTIO_RNG_H */
