/*
 * eth.c - Ethernet II input dispatch and frame output (see eth.h).
 *
 * Accepted: frames to our MAC or to broadcast, from a unicast source, of
 * type IPv4 or ARP. Multicast is not joined by any keel application, so
 * multicast frames are counted as not for us. A frame shorter than its
 * header is counted as short; the minimum-size padding Ethernet adds is left
 * for the IPv4 layer to trim by its total length.
 */
#include "eth.h"

#include <string.h>

#include "arp.h"
#include "eth_wire.h"
#include "iface.h"
#include "ipv4.h"
#include "stats_internal.h"

/* The transmit buffer begun by eth_tx_begin(), or NULL. */
static uint8_t *eth_tx_frame;

void eth_input(const uint8_t *frame, size_t len, uint64_t now_ms)
{
	struct netdev *dev = net_iface.dev;
	struct eth_hdr h;
	bool bcast;

	NET_STAT_INC(ETH_RX_FRAMES);
	if (eth_wire_parse(frame, len, &h) != NET_OK) {
		NET_STAT_INC(ETH_RX_SHORT);
		return;
	}
	bcast = eth_addr_is_broadcast(h.dst);
	if (!bcast && memcmp(h.dst, dev->mac, ETH_ADDR_LEN) != 0) {
		NET_STAT_INC(ETH_RX_NOT_FOR_US);
		return;
	}
	/* A group address is never a valid source (IEEE 802.3 §3.2.3), and
	 * our own MAC as source is a loop or a spoof. */
	if (eth_addr_is_multicast(h.src) || eth_addr_is_zero(h.src) ||
	    memcmp(h.src, dev->mac, ETH_ADDR_LEN) == 0) {
		NET_STAT_INC(ETH_RX_BAD_SRC);
		return;
	}
	switch (h.type) {
	case ETH_TYPE_IPV4:
		ipv4_input(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, bcast,
			   now_ms);
		break;
	case ETH_TYPE_ARP:
		arp_input(frame + ETH_HDR_LEN, len - ETH_HDR_LEN, h.src,
			  now_ms);
		break;
	default:
		NET_STAT_INC(ETH_RX_UNKNOWN_TYPE);
		break;
	}
}

uint8_t *eth_tx_begin(size_t *cap)
{
	struct netdev *dev = net_iface.dev;
	size_t buf_cap = 0;

	eth_tx_frame = dev->ops->tx_acquire(dev, &buf_cap);
	if (!eth_tx_frame || buf_cap < (size_t)dev->mtu + ETH_HDR_LEN) {
		eth_tx_frame = NULL;
		NET_STAT_INC(ETH_TX_RING_FULL);
		return NULL;
	}
	*cap = dev->mtu;
	return eth_tx_frame + ETH_HDR_LEN;
}

static int eth_tx_submit(size_t len)
{
	struct netdev *dev = net_iface.dev;
	int err;

	if (!dev->ops->is_link_up(dev)) {
		NET_STAT_INC(ETH_TX_LINK_DOWN);
		return NET_ENETUNREACH;
	}
	err = dev->ops->tx_submit(dev, len);
	if (err != NET_OK) {
		NET_STAT_INC(ETH_TX_DEV_ERROR);
		return err;
	}
	NET_STAT_INC(ETH_TX_FRAMES);
	return NET_OK;
}

int eth_tx_finish(const uint8_t dst[6], uint16_t type, size_t payload_len)
{
	struct eth_hdr h;
	uint8_t *frame = eth_tx_frame;

	if (!frame || payload_len > net_iface.dev->mtu)
		return NET_EINVAL;
	eth_tx_frame = NULL;
	memcpy(h.dst, dst, ETH_ADDR_LEN);
	memcpy(h.src, net_iface.dev->mac, ETH_ADDR_LEN);
	h.type = type;
	eth_wire_emit(frame, &h);
	return eth_tx_submit(ETH_HDR_LEN + payload_len);
}

int eth_tx_ipv4(uint32_t next_hop, size_t payload_len, uint64_t now_ms)
{
	uint8_t *frame = eth_tx_frame;
	uint8_t mac[ETH_ADDR_LEN];
	struct eth_hdr h;
	int err;

	if (!frame || payload_len > net_iface.dev->mtu)
		return NET_EINVAL;
	if (iface_is_broadcast(&net_iface, next_hop))
		return eth_tx_finish(eth_addr_broadcast, ETH_TYPE_IPV4,
				     payload_len);
	err = arp_resolve(next_hop, mac, now_ms);
	if (err == NET_OK)
		return eth_tx_finish(mac, ETH_TYPE_IPV4, payload_len);
	eth_tx_frame = NULL;
	if (err != NET_EAGAIN)
		return err;
	/* Park a copy until ARP answers; the destination is filled then. */
	memset(h.dst, 0, ETH_ADDR_LEN);
	memcpy(h.src, net_iface.dev->mac, ETH_ADDR_LEN);
	h.type = ETH_TYPE_IPV4;
	eth_wire_emit(frame, &h);
	return arp_queue_frame(next_hop, frame, ETH_HDR_LEN + payload_len,
			       now_ms);
}

int eth_tx_copy(const uint8_t *frame, size_t len)
{
	struct netdev *dev = net_iface.dev;
	size_t cap = 0;
	uint8_t *buf;

	if (len < ETH_HDR_LEN || len > (size_t)dev->mtu + ETH_HDR_LEN)
		return NET_EINVAL;
	buf = dev->ops->tx_acquire(dev, &cap);
	if (!buf || cap < len) {
		NET_STAT_INC(ETH_TX_RING_FULL);
		return NET_ENOBUFS;
	}
	memcpy(buf, frame, len);
	eth_tx_frame = NULL;
	return eth_tx_submit(len);
}
