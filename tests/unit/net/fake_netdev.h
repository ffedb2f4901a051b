/*
 * fake_netdev.h - a struct netdev for unit tests.
 *
 * Frames queued with fake_netdev_inject() are lent to the stack by rx_peek()
 * in order; frames the stack transmits are captured, up to FAKE_NETDEV_TX
 * of them, for the test to inspect with fake_netdev_tx() and clear with
 * fake_netdev_tx_clear(). tx_acquire() can be made to fail (ring full) and
 * the link taken down.
 *
 * fake_stack_up() initialises the stack on the fake device with a fixed
 * secret and address 10.0.0.2/24, gateway 10.0.0.1, MAC 02:00:00:00:00:02,
 * then clears the captured frames (the gratuitous ARP) and counters.
 */
#ifndef FAKE_NETDEV_H
#define FAKE_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/netdev.h>

#define FAKE_NETDEV_TX 64
#define FAKE_NETDEV_RX 64
#define FAKE_FRAME_MAX 1600

#define FAKE_IP 0x0a000002u
#define FAKE_GW 0x0a000001u
#define FAKE_MASK 0xffffff00u

struct fake_frame {
	size_t len;
	uint8_t data[FAKE_FRAME_MAX];
};

extern struct netdev fake_netdev;
extern const uint8_t fake_mac[6];

void fake_netdev_reset(void);
/* Queue a received frame; false when the fake's RX queue is full. */
bool fake_netdev_inject(const uint8_t *frame, size_t len);
size_t fake_netdev_tx_count(void);
const struct fake_frame *fake_netdev_tx(size_t i);
void fake_netdev_tx_clear(void);
void fake_netdev_set_tx_full(bool full);
void fake_netdev_set_link(bool up);

/* The stack up on the fake device; see above. */
void fake_stack_up(uint64_t now_ms);

#endif /* FAKE_NETDEV_H */
