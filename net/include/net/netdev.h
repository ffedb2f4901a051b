/*
 * netdev.h - the contract between the stack and a network driver.
 *
 * A driver (virtio-net, STM32 ETH, Linux TAP, a test fake) fills in a
 * struct netdev and hands it to net_init(). The stack calls the operations
 * only from net_poll(), on one thread; a driver needs no locking against it.
 *
 * Receive is zero-copy: rx_peek() lends the stack the oldest received frame
 * (a pointer into the driver's own buffer) and rx_done() gives it back. The
 * stack copies what it keeps (into a socket ring, a reassembly slot, ...)
 * before calling rx_done(), so a driver may refill the buffer at once.
 *
 * Transmit is zero-copy too: tx_acquire() lends a free transmit buffer of at
 * least mtu + 14 bytes, the stack builds a whole Ethernet frame in it, and
 * tx_submit() queues the first `len` bytes for sending. Calling tx_acquire()
 * again before tx_submit() returns the same buffer: the stack may abandon a
 * frame it has started (when ARP must resolve first). Frames may be shorter
 * than Ethernet's 60-byte minimum (an ARP frame is 42 bytes): a driver whose
 * hardware does not pad them pads them itself.
 */
#ifndef NET_NETDEV_H
#define NET_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MAC_LEN 6

struct netdev;

struct netdev_ops {
	/*
	 * Lend the oldest received frame: returns its length (> 0) and sets
	 * *frame, or 0 when nothing is waiting, NET_EMSGSIZE when a frame
	 * longer than mtu + 14 arrived and was discarded (the stack counts it
	 * and asks again), or another negative NET_E* code for a device
	 * failure.
	 * The frame stays valid until rx_done(). The frame excludes the FCS.
	 */
	int (*rx_peek)(struct netdev *dev, const uint8_t **frame);
	/* Give back the frame lent by the last successful rx_peek(). */
	void (*rx_done)(struct netdev *dev);
	/*
	 * Lend a transmit buffer of *cap (>= mtu + 14) bytes, or NULL when the
	 * transmit ring is full.
	 */
	uint8_t *(*tx_acquire)(struct netdev *dev, size_t *cap);
	/* Queue `len` bytes of the acquired buffer: NET_OK or NET_E*. */
	int (*tx_submit)(struct netdev *dev, size_t len);
	/* Whether the link is up (carrier present). */
	bool (*is_link_up)(struct netdev *dev);
};

struct netdev {
	const struct netdev_ops *ops;
	const char *name;		/* for logs, e.g. "tap0" */
	uint8_t mac[NETDEV_MAC_LEN];	/* set by the driver before net_init */
	uint16_t mtu;			/* IP MTU: 1500 on Ethernet */
	void *priv;			/* the driver's own state */
};

#endif /* NET_NETDEV_H */
