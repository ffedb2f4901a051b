/*
 * eth.h - Ethernet II framing (IEEE 802.3 / RFC 894). Internal to net/.
 *
 * Input: checks the frame is for us (our MAC or broadcast), drops and counts
 * what is not, and hands IPv4 and ARP payloads up. Output: frames are built
 * in place in a driver transmit buffer. eth_tx_begin() returns the payload
 * area; the layer above writes its packet there and finishes the frame with
 * eth_tx_finish() (a known destination MAC) or eth_tx_ipv4() (a next-hop IP
 * resolved through ARP; the frame waits in ARP's queue when unresolved).
 */
#ifndef NET_ETH_H
#define NET_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806

void eth_input(const uint8_t *frame, size_t len, uint64_t now_ms);

/*
 * Start a frame: the payload area (after the 14-byte header) of a transmit
 * buffer, with *cap set to its size (the MTU), or NULL when the device ring
 * is full (counted). A begun frame may be abandoned by not finishing it.
 */
uint8_t *eth_tx_begin(size_t *cap);

/* Send the begun frame to `dst` with `type`. NET_OK or NET_E*. */
int eth_tx_finish(const uint8_t dst[6], uint16_t type, size_t payload_len);

/*
 * Send the begun IPv4 frame to the next hop `next_hop` (host order;
 * 255.255.255.255 and the directed broadcast go to ff:ff:ff:ff:ff:ff).
 * NET_OK when sent or queued behind ARP resolution; NET_ENOBUFS when the
 * ARP queue is full; NET_EHOSTUNREACH when the next hop recently failed to
 * resolve.
 */
int eth_tx_ipv4(uint32_t next_hop, size_t payload_len, uint64_t now_ms);

/* Send a complete frame (header included) by copying it into a buffer. */
int eth_tx_copy(const uint8_t *frame, size_t len);

#endif /* NET_ETH_H */
