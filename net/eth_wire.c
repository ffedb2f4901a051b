/*
 * eth_wire.c - Ethernet II header parse and emit (IEEE 802.3 §3.1.1 with
 * the EtherType interpretation of RFC 894).
 */
#include "eth_wire.h"

#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

const uint8_t eth_addr_broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff};

int eth_wire_parse(const uint8_t *buf, size_t len, struct eth_hdr *h)
{
	if (len < ETH_HDR_LEN)
		return NET_EBADMSG;
	memcpy(h->dst, buf + ETH_OFF_DST, ETH_ADDR_LEN);
	memcpy(h->src, buf + ETH_OFF_SRC, ETH_ADDR_LEN);
	h->type = ld_be16(buf + ETH_OFF_TYPE);
	return NET_OK;
}

void eth_wire_emit(uint8_t *buf, const struct eth_hdr *h)
{
	memcpy(buf + ETH_OFF_DST, h->dst, ETH_ADDR_LEN);
	memcpy(buf + ETH_OFF_SRC, h->src, ETH_ADDR_LEN);
	st_be16(buf + ETH_OFF_TYPE, h->type);
}

bool eth_addr_is_broadcast(const uint8_t *mac)
{
	return memcmp(mac, eth_addr_broadcast, ETH_ADDR_LEN) == 0;
}

bool eth_addr_is_multicast(const uint8_t *mac)
{
	return (mac[0] & 1) != 0;
}

bool eth_addr_is_zero(const uint8_t *mac)
{
	static const uint8_t zero[ETH_ADDR_LEN];

	return memcmp(mac, zero, ETH_ADDR_LEN) == 0;
}
