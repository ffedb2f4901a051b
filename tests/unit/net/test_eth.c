/*
 * test_eth.c - Ethernet input dispatch and frame output (net/eth.c).
 *
 * Input: what is ours (our MAC, broadcast; IPv4 and ARP) reaches the layer
 * above, and every other frame is dropped with exactly one counter bumped:
 * other unicast MACs and multicast destinations, group, zero or our own
 * source MACs, frames shorter than a header, unknown EtherTypes. Delivery
 * is observed through the upper layers' receive counters (ipv4.rx, arp.rx).
 * Output: the header eth writes, and what happens when the ring is full or
 * the link is down.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "arp.h"
#include "arp_wire.h"
#include "eth.h"
#include "eth_wire.h"
#include "fake_netdev.h"
#include "iface.h"

static uint64_t now;
static uint8_t frame[1600];

/* ---- helpers -------------------------------------------------------- */

static void t_setup(void)
{
	now = 1000;
	fake_stack_up(now);
}

/* A 60-byte frame with the given header and a zero payload. */
static size_t t_frame(const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memset(frame, 0, 60);
	fake_eth_hdr(frame, dst, src, type);
	return 60;
}

/* The sum of every eth receive drop counter. */
static uint64_t t_rx_drops(void)
{
	return fake_stat(NET_STAT_ETH_RX_SHORT) +
	       fake_stat(NET_STAT_ETH_RX_NOT_FOR_US) +
	       fake_stat(NET_STAT_ETH_RX_BAD_SRC) +
	       fake_stat(NET_STAT_ETH_RX_UNKNOWN_TYPE) +
	       fake_stat(NET_STAT_ETH_RX_DEV_ERROR);
}

/* Whether nothing reached a layer above. */
static bool t_nothing_delivered(void)
{
	return fake_stat(NET_STAT_IPV4_RX) == 0 &&
	       fake_stat(NET_STAT_ARP_RX) == 0;
}

/* ---- input ------------------------------------------------------------ */

TEST(ours_and_broadcast_delivered)
{
	t_setup();
	net_input(frame, t_frame(fake_mac, fake_peer_mac, ETH_TYPE_ARP), now);
	net_input(frame, t_frame(fake_bcast_mac, fake_peer_mac, ETH_TYPE_ARP),
		  now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX), 2);
	net_input(frame, t_frame(fake_mac, fake_peer_mac, ETH_TYPE_IPV4), now);
	net_input(frame, t_frame(fake_bcast_mac, fake_peer_mac, ETH_TYPE_IPV4),
		  now);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX), 2);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_FRAMES), 4);
	CHECK_EQ(t_rx_drops(), 0);
}

TEST(delivered_through_net_poll)
{
	t_setup();
	CHECK(fake_netdev_inject(
	    frame, t_frame(fake_mac, fake_peer_mac, ETH_TYPE_ARP)));
	CHECK(fake_netdev_inject(
	    frame, t_frame(fake_peer_mac, fake_peer_mac, ETH_TYPE_ARP)));
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_FRAMES), 2);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_NOT_FOR_US), 1);
	net_poll(now); /* nothing left */
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_FRAMES), 2);
}

TEST(other_unicast_macs_dropped)
{
	static const uint8_t others[][6] = {
	    {0x02, 0, 0, 0, 0, 0x03},		  /* a neighbour */
	    {0x02, 0, 0, 0, 0, 0x00},		  /* one bit off */
	    {0x00, 0, 0, 0, 0, 0x02},		  /* ours, U/L bit clear */
	    {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff}, /* broadcast less G bit */
	    {0x00, 0, 0, 0, 0, 0x00},
	};
	size_t n = sizeof(others) / sizeof(others[0]);

	t_setup();
	for (size_t i = 0; i < n; i++)
		net_input(frame,
			  t_frame(others[i], fake_peer_mac, ETH_TYPE_IPV4),
			  now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_NOT_FOR_US), n);
	CHECK_EQ(t_rx_drops(), n);
	CHECK(t_nothing_delivered());
}

TEST(multicast_destinations_dropped)
{
	static const uint8_t groups[][6] = {
	    {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, /* IPv4 all-hosts */
	    {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, /* mDNS */
	    {0x33, 0x33, 0x00, 0x00, 0x00, 0x01}, /* IPv6 all-nodes */
	    {0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}, /* STP */
	    {0x03, 0, 0, 0, 0, 0x02},		  /* ours with the G bit */
	};
	size_t n = sizeof(groups) / sizeof(groups[0]);

	t_setup();
	for (size_t i = 0; i < n; i++) {
		net_input(frame,
			  t_frame(groups[i], fake_peer_mac, ETH_TYPE_IPV4),
			  now);
		net_input(frame,
			  t_frame(groups[i], fake_peer_mac, ETH_TYPE_ARP), now);
	}
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_NOT_FOR_US), 2 * n);
	CHECK_EQ(t_rx_drops(), 2 * n);
	CHECK(t_nothing_delivered());
}

TEST(bad_source_macs_dropped)
{
	static const uint8_t srcs[][6] = {
	    {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, /* multicast */
	    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, /* broadcast */
	    {0x03, 0, 0, 0, 0, 0x01},		  /* G bit on a unicast */
	    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* zero */
	    {0x02, 0, 0, 0, 0, 0x02},		  /* our own (fake_mac) */
	};
	size_t n = sizeof(srcs) / sizeof(srcs[0]);

	t_setup();
	for (size_t i = 0; i < n; i++) {
		net_input(frame, t_frame(fake_mac, srcs[i], ETH_TYPE_ARP), now);
		net_input(frame,
			  t_frame(fake_bcast_mac, srcs[i], ETH_TYPE_IPV4), now);
	}
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_BAD_SRC), 2 * n);
	CHECK_EQ(t_rx_drops(), 2 * n);
	CHECK(t_nothing_delivered());
}

TEST(short_frames_dropped)
{
	t_setup();
	t_frame(fake_mac, fake_peer_mac, ETH_TYPE_IPV4);
	for (size_t len = 0; len < ETH_HDR_LEN; len++)
		net_input(frame, len, now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_FRAMES), ETH_HDR_LEN);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_SHORT), ETH_HDR_LEN);
	CHECK_EQ(t_rx_drops(), ETH_HDR_LEN);
	CHECK(t_nothing_delivered());
	/* A bare header is eth's to pass on; the layer above judges it. */
	t_frame(fake_mac, fake_peer_mac, ETH_TYPE_ARP);
	net_input(frame, ETH_HDR_LEN, now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_SHORT), ETH_HDR_LEN);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_MALFORMED), 1);
}

TEST(unknown_ethertypes_dropped)
{
	static const uint16_t types[] = {
	    0x86dd, /* IPv6 */
	    0x8100, /* 802.1Q VLAN tag */
	    0x88cc, /* LLDP */
	    0x8035, /* RARP */
	    0x0000, /* an 802.3 length field */
	    0x05dc, /* length 1500 */
	    0x0008, /* IPv4, byte-swapped */
	    0x0608, /* ARP, byte-swapped */
	    0xffff,
	};
	size_t n = sizeof(types) / sizeof(types[0]);

	t_setup();
	for (size_t i = 0; i < n; i++)
		net_input(frame, t_frame(fake_mac, fake_peer_mac, types[i]),
			  now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_UNKNOWN_TYPE), n);
	CHECK_EQ(t_rx_drops(), n);
	CHECK(t_nothing_delivered());
}

/* ---- output ------------------------------------------------------------ */

TEST(tx_finish_writes_the_header)
{
	const struct fake_frame *f;
	uint8_t *p;
	size_t cap = 0;

	t_setup();
	p = eth_tx_begin(&cap);
	CHECK(p != NULL);
	CHECK_EQ(cap, fake_netdev.mtu);
	memset(p, 0x3c, 100);
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, 100), NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	f = fake_netdev_tx(0);
	CHECK_EQ(f->len, ETH_HDR_LEN + 100);
	CHECK_MEM(f->data + ETH_OFF_DST, fake_peer_mac, 6);
	CHECK_MEM(f->data + ETH_OFF_SRC, fake_mac, 6);
	CHECK_EQ(ld_be16(f->data + ETH_OFF_TYPE), ETH_TYPE_IPV4);
	CHECK_EQ(f->data[ETH_HDR_LEN], 0x3c);
	CHECK_EQ(f->data[ETH_HDR_LEN + 99], 0x3c);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_FRAMES), 1);
}

TEST(tx_finish_needs_a_begun_frame_within_the_mtu)
{
	size_t cap;

	t_setup();
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, 10), NET_EINVAL);
	CHECK(eth_tx_begin(&cap) != NULL);
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, cap + 1),
		 NET_EINVAL);
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, cap), NET_OK);
	/* Finished frames cannot be finished twice. */
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, 10), NET_EINVAL);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_EQ(fake_netdev_tx(0)->len, ETH_HDR_LEN + cap);
}

TEST(tx_ipv4_broadcasts_need_no_arp)
{
	size_t cap;

	t_setup();
	CHECK(eth_tx_begin(&cap) != NULL);
	CHECK_EQ(eth_tx_ipv4(NET_IPV4_BROADCAST, 28, now), NET_OK);
	CHECK(eth_tx_begin(&cap) != NULL);
	CHECK_EQ(eth_tx_ipv4(0x0a0000ffu, 28, now), NET_OK); /* directed */
	CHECK_EQ(fake_netdev_tx_count(), 2);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	CHECK_MEM(fake_netdev_tx(1)->data, fake_bcast_mac, 6);
	CHECK_EQ(ld_be16(fake_netdev_tx(1)->data + 12), ETH_TYPE_IPV4);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REQUEST), 0);
}

TEST(tx_ring_full)
{
	struct arp_pkt req = {ARP_OP_REQUEST, {0}, FAKE_GW, {0}, FAKE_IP};
	uint8_t copy[60];
	size_t cap = 12345;

	t_setup();
	fake_netdev_set_tx_full(true);
	CHECK(eth_tx_begin(&cap) == NULL);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_RING_FULL), 1);
	/* Nothing begun, so nothing can be finished. */
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, 10), NET_EINVAL);
	memset(copy, 0, sizeof(copy));
	CHECK_EQ(eth_tx_copy(copy, sizeof(copy)), NET_ENOBUFS);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_RING_FULL), 2);
	/* A request for us cannot be answered either; it is counted. */
	memcpy(req.sha, fake_peer_mac, 6);
	t_frame(fake_bcast_mac, fake_peer_mac, ETH_TYPE_ARP);
	arp_wire_emit(frame + ETH_HDR_LEN, &req);
	net_input(frame, 60, now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_RING_FULL), 3);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 0);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_FRAMES), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	/* And it recovers. */
	fake_netdev_set_tx_full(false);
	CHECK_EQ(eth_tx_copy(copy, sizeof(copy)), NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 1);
}

TEST(tx_link_down)
{
	uint8_t copy[60];
	size_t cap;

	t_setup();
	fake_netdev_set_link(false);
	CHECK(eth_tx_begin(&cap) != NULL);
	CHECK_EQ(eth_tx_finish(fake_peer_mac, ETH_TYPE_IPV4, 46),
		 NET_ENETUNREACH);
	memset(copy, 0, sizeof(copy));
	CHECK_EQ(eth_tx_copy(copy, sizeof(copy)), NET_ENETUNREACH);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_LINK_DOWN), 2);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_FRAMES), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	/* The announcement on a dead link is not counted as sent. */
	arp_announce(now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_LINK_DOWN), 3);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_ANNOUNCE), 0);
	fake_netdev_set_link(true);
	CHECK_EQ(eth_tx_copy(copy, sizeof(copy)), NET_OK);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_FRAMES), 1);
}

TEST(tx_copy_bounds)
{
	uint8_t big[1600];

	t_setup();
	memset(big, 0x11, sizeof(big));
	CHECK_EQ(eth_tx_copy(big, ETH_HDR_LEN - 1), NET_EINVAL);
	CHECK_EQ(eth_tx_copy(big, fake_netdev.mtu + ETH_HDR_LEN + 1),
		 NET_EINVAL);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(eth_tx_copy(big, fake_netdev.mtu + ETH_HDR_LEN), NET_OK);
	CHECK_EQ(eth_tx_copy(big, ETH_HDR_LEN), NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 2);
	CHECK_EQ(fake_netdev_tx(0)->len, fake_netdev.mtu + ETH_HDR_LEN);
	CHECK_MEM(fake_netdev_tx(0)->data, big, fake_netdev.mtu + ETH_HDR_LEN);
}
