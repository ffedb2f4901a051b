/*
 * virtio_net.h - the virtio-net driver (virtio 1.2 §5.1) as a struct netdev
 * (<net/netdev.h>), over PCI or MMIO.
 *
 * A target calls one probe at start-up, from platform_netdev():
 *
 *   x86_64 pc/q35:   dev = virtio_net_probe_pci();
 *   x86_64 microvm:  dev = virtio_net_probe_mmio(0xfeb00000, 24, 0x200);
 *   aarch64 virt:    dev = virtio_net_probe_mmio(0x0a000000, 32, 0x200);
 *
 * (QEMU 7.2 microvm has 24 windows with ACPI, 8 with -no-acpi, and plugs
 * the first -device into the highest, 0xfeb02e00 or 0xfeb00e00; its
 * windows are legacy unless QEMU is given -global
 * virtio-mmio.force-legacy=false, and legacy ones are skipped.)
 *
 * and gets the netdev (MAC from the device, or all zeros when it has none:
 * the kernel then picks one), or NULL when there is no usable device (a log
 * line says why). One device per image: probing again resets it and starts
 * over.
 *
 * Interrupts only wake the CPU; the stack polls the rings from net_poll().
 * The target's interrupt handler calls virtio_net_ack_interrupt() before
 * it signals end of interrupt (PCI INTx is level-triggered: the line stays
 * asserted until acknowledged). It reads and clears the device's interrupt
 * status (PCI: the ISR byte; MMIO: InterruptStatus, then InterruptACK) and
 * returns its bits (VIRTIO_ISR_QUEUE, VIRTIO_ISR_CONFIG); 0 means the
 * interrupt was not this device's (a shared line).
 * virtio_net_irq() says where the interrupt comes from: a PCI INTx line
 * and pin as firmware set them, or the MMIO window's index in the probed
 * row, which the target maps to its interrupt controller's line.
 *
 * Features negotiated: VIRTIO_F_VERSION_1 (required), VIRTIO_NET_F_MAC,
 * VIRTIO_NET_F_STATUS. Nothing else: no checksum offload (the stack
 * computes and checks every checksum), no GSO, no mergeable receive
 * buffers (each receive buffer holds a whole frame), no control queue.
 * Every frame is preceded by the 12-byte struct virtio_net_hdr of version
 * 1, all zeros on transmit and ignored on receive.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_NET_H
#define DRIVERS_VIRTIO_VIRTIO_NET_H

#include <stdint.h>

#include <net/netdev.h>

#include "virtio.h"

/* Feature bits of the network device (§5.1.3). */
#define VIRTIO_NET_F_CSUM	(1ull << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1ull << 1)
#define VIRTIO_NET_F_MTU	(1ull << 3)
#define VIRTIO_NET_F_MAC	(1ull << 5)
#define VIRTIO_NET_F_MRG_RXBUF	(1ull << 15)
#define VIRTIO_NET_F_STATUS	(1ull << 16)
#define VIRTIO_NET_F_CTRL_VQ	(1ull << 17)

/* Configuration layout (§5.1.4). */
#define VIRTIO_NET_CFG_MAC    0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_S_LINK_UP  1u

/* struct virtio_net_hdr with VIRTIO_F_VERSION_1 (§5.1.6). */
#define VIRTIO_NET_HDR_LEN 12

/* Counters of the driver; the dev_* ones count device misbehaviour. */
struct virtio_net_stats {
	uint64_t rx_frames;	   /* lent to the stack */
	uint64_t rx_empty;	   /* used buffer holding no frame */
	uint64_t rx_too_long;	   /* frame over mtu + 14, discarded */
	uint64_t tx_frames;	   /* handed to the device */
	uint64_t tx_ring_full;	   /* tx_acquire() found no free buffer */
	uint64_t tx_too_long;	   /* tx_submit() of more than mtu + 14 */
	uint64_t dev_bad_used_idx; /* a queue's used idx ran ahead: broken */
	uint64_t dev_bad_id;	   /* used id of no outstanding buffer */
	uint64_t dev_bad_len;	   /* used len larger than the buffer */
};

/* Find and start virtio-net on PCI bus 0; NULL when there is none. */
struct netdev *virtio_net_probe_pci(void);

/*
 * Find and start virtio-net in `count` MMIO windows of `stride` bytes from
 * `base`; NULL when none holds one.
 */
struct netdev *virtio_net_probe_mmio(uintptr_t base, unsigned count,
				     unsigned stride);

/*
 * Read and acknowledge the device's interrupt: VIRTIO_ISR_* bits, 0 when
 * it raised none or there is no device. Safe from an interrupt handler
 * (register accesses only, no log).
 */
uint32_t virtio_net_ack_interrupt(void);

/* Where the device's interrupt comes from; NULL when there is no device. */
const struct virtio_irq *virtio_net_irq(void);

/* The counters so far (all zeros before a probe). */
void virtio_net_get_stats(struct virtio_net_stats *out);

#endif /* DRIVERS_VIRTIO_VIRTIO_NET_H */
