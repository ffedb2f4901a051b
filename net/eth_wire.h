/*
 * eth_wire.h - the Ethernet II header on the wire: parse and emit, no state.
 */
#ifndef NET_ETH_WIRE_H
#define NET_ETH_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ADDR_LEN 6
#define ETH_HDR_LEN 14
#define ETH_OFF_DST 0
#define ETH_OFF_SRC 6
#define ETH_OFF_TYPE 12

struct eth_hdr {
	uint8_t dst[ETH_ADDR_LEN];
	uint8_t src[ETH_ADDR_LEN];
	uint16_t type;
};

/* NET_OK, or NET_EBADMSG when `len` cannot hold a header. */
int eth_wire_parse(const uint8_t *buf, size_t len, struct eth_hdr *h);
/* Write the ETH_HDR_LEN-byte header. */
void eth_wire_emit(uint8_t *buf, const struct eth_hdr *h);

extern const uint8_t eth_addr_broadcast[ETH_ADDR_LEN];

bool eth_addr_is_broadcast(const uint8_t *mac);
/* Group bit set: multicast, broadcast included. */
bool eth_addr_is_multicast(const uint8_t *mac);
bool eth_addr_is_zero(const uint8_t *mac);

#endif /* NET_ETH_WIRE_H */
