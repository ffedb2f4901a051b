/*
 * test_ipv4.c - IPv4 input and output (net/ipv4.c) through the fake
 * netdev: every drop reason with its counter, dispatch, and output
 * routing, fragmentation and IDs.
 *
 * The stack is 10.0.0.2/24 with gateway 10.0.0.1 (fake_stack_up()). The
 * peers' MACs are taught to ARP by injecting ARP requests for our address
 * from them, as a real neighbour's first packet would.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "fake_netdev.h"
#include "ipv4.h"
#include "net_config.h"

#define FAR_IP 0xc0000207u /* 192.0.2.7, off link */

static uint64_t now;
static uint8_t frame[1600];

/* ---- helpers -------------------------------------------------------- */

static void t_setup(void)
{
	now = 1000;
	fake_stack_up_peer(now);
	fake_learn(FAKE_PEER2_IP, fake_peer2_mac, now);
	fake_netdev_tx_clear();
	net_stats_reset();
}

static struct fake_ip t_ip_default(void)
{
	struct fake_ip p = {.src = FAKE_PEER_IP,
			    .dst = FAKE_IP,
			    .proto = 1,
			    .ttl = 64,
			    .id = 0x1234};

	return p;
}

/* Build an Ethernet frame carrying an IPv4 datagram; returns its length. */
static size_t t_build(const struct fake_ip *p, const uint8_t *payload,
		      size_t len)
{
	return fake_ipv4_frame(frame, p, payload, len);
}

static void t_inject(size_t len)
{
	CHECK(fake_netdev_inject(frame, len));
	net_poll(now);
}

/* An ICMP echo request with `len` bytes of data into buf. */
static size_t t_echo(uint8_t *buf, uint16_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[8 + i] = (uint8_t)(i * 7 + 3);
	return fake_icmp_msg(buf, 8, 0, (uint32_t)0x4242 << 16 | seq, len);
}

/* Inject the default datagram `p` carrying an echo request. */
static void t_send_echo(const struct fake_ip *p)
{
	uint8_t icmp[64];

	t_inject(t_build(p, icmp, t_echo(icmp, 1, 32)));
}

/* A transmitted IPv4 frame, checked for a sane header. */
struct t_out {
	const uint8_t *eth;
	const uint8_t *ip;
	size_t len; /* IP total length */
};

static bool t_out(size_t i, struct t_out *o)
{
	o->ip = fake_tx_ipv4_sane(i, &o->len);
	o->eth = o->ip ? fake_netdev_tx(i)->data : NULL;
	return o->ip != NULL;
}

/* ---- input: accepted ------------------------------------------------ */

TEST(echo_delivered_and_answered)
{
	struct fake_ip p;
	struct t_out o;

	t_setup();
	p = t_ip_default();
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK(t_out(0, &o));
	CHECK_MEM(o.eth, fake_peer_mac, 6);
	CHECK_MEM(o.eth + 6, fake_mac, 6);
	CHECK_EQ(ld_be32(o.ip + 12), FAKE_IP);
	CHECK_EQ(ld_be32(o.ip + 16), FAKE_PEER_IP);
	CHECK_EQ(o.ip[8], CONFIG_IPV4_TTL);
	CHECK_EQ(o.ip[9], 1);
	CHECK_EQ(ld_be16(o.ip + 6), 0); /* DF clear, not a fragment */
	CHECK_EQ(o.len, 20 + 8 + 32);
}

TEST(link_padding_trimmed)
{
	struct fake_ip p = t_ip_default();
	uint8_t icmp[16];
	size_t len;
	struct t_out o;

	t_setup();
	len = t_build(&p, icmp, t_echo(icmp, 9, 4));
	/* Pad to the 60-byte Ethernet minimum with junk. */
	memset(frame + len, 0xa7, 60 - len);
	t_inject(60);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK(t_out(0, &o));
	CHECK_EQ(o.len, 20 + 12);
	CHECK_EQ(fake_csum(o.ip + 20, 12), 0);
}

TEST(ttl_zero_and_one_accepted)
{
	struct fake_ip p = t_ip_default();

	t_setup();
	/* RFC 1122 §3.2.1.7: not discarded for TTL < 2. */
	p.ttl = 0;
	t_send_echo(&p);
	p.ttl = 1;
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_TTL_ZERO), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 2);
	CHECK_EQ(fake_netdev_tx_count(), 2);
}

TEST(broadcast_destinations_accepted)
{
	struct fake_ip p = t_ip_default();
	uint8_t data[8] = {0};

	t_setup();
	/* An unknown protocol reaches dispatch (counted NO_PROTO) but,
	 * being a broadcast, draws no ICMP error. */
	p.proto = 253;
	p.l2_dst = fake_bcast_mac;
	p.dst = NET_IPV4_BROADCAST;
	t_inject(t_build(&p, data, sizeof(data)));
	p.dst = FAKE_SUBNET_BCAST;
	t_inject(t_build(&p, data, sizeof(data)));
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_PROTO), 2);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NOT_FOR_US), 0);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(valid_options_ignored)
{
	static const uint8_t rr_nop[] = {7, 7, 4, 0, 0, 0, 0, 1};
	struct fake_ip p = t_ip_default();
	struct t_out o;

	t_setup();
	p.opt = rr_nop;
	p.opt_len = sizeof(rr_nop);
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK(t_out(0, &o));
	CHECK_EQ(o.len, 20 + 8 + 32); /* we send no options */
}

/* ---- input: every drop ---------------------------------------------- */

TEST(drop_short)
{
	struct fake_ip p = t_ip_default();
	size_t len;

	t_setup();
	len = t_build(&p, NULL, 0);
	for (size_t n = 14; n < len; n++)
		t_inject(n);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_SHORT), len - 14);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX), len - 14);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_bad_version)
{
	struct fake_ip p = t_ip_default();
	size_t len;

	t_setup();
	len = t_build(&p, NULL, 0);
	frame[14] = 0x65;
	t_inject(len);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_BAD_VERSION), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_bad_ihl)
{
	struct fake_ip p = t_ip_default();
	uint8_t icmp[64];
	size_t len;

	t_setup();
	len = t_build(&p, icmp, t_echo(icmp, 1, 8));
	frame[14] = 0x44;
	t_inject(len);
	frame[14] = 0x4f; /* 60-byte header in 36 bytes */
	t_inject(len);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_BAD_IHL), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_truncated_total_length)
{
	struct fake_ip p = t_ip_default();
	uint8_t icmp[64];
	size_t len;

	t_setup();
	len = t_build(&p, icmp, t_echo(icmp, 1, 32));
	t_inject(len - 1);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_BAD_LENGTH), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_bad_checksum)
{
	struct fake_ip p = t_ip_default();
	uint8_t icmp[64];
	size_t len;

	t_setup();
	len = t_build(&p, icmp, t_echo(icmp, 1, 32));
	frame[14 + 8] ^= 0x01; /* TTL changed, checksum not */
	t_inject(len);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_BAD_CHECKSUM), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_bad_source)
{
	static const uint32_t bad[] = {
	    0x00000000,	       0x00010203, 0x7f000001,
	    0xe0000001,	       0xf0000001, NET_IPV4_BROADCAST,
	    FAKE_SUBNET_BCAST, 0x0a000000, FAKE_IP,
	};
	struct fake_ip p = t_ip_default();

	t_setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.src = bad[i];
		t_send_echo(&p);
	}
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_BAD_SRC),
		 sizeof(bad) / sizeof(bad[0]));
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_not_for_us)
{
	static const uint32_t other[] = {
	    FAKE_PEER2_IP, FAR_IP, 0xe0000001, 0x0a000000, 0x00000000,
	};
	struct fake_ip p = t_ip_default();

	t_setup();
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		p.dst = other[i];
		t_send_echo(&p);
	}
	/* RFC 1122 §3.3.6: our unicast address in a link broadcast. */
	p.dst = FAKE_IP;
	p.l2_dst = fake_bcast_mac;
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NOT_FOR_US),
		 sizeof(other) / sizeof(other[0]) + 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_without_address)
{
	struct net_ipv4_config none = {0, 0, 0};
	struct fake_ip p = t_ip_default();

	t_setup();
	CHECK_EQ(net_set_ipv4(&none, now), NET_OK);
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_ADDR), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_bad_options)
{
	static const uint8_t bad[] = {1, 68, 9, 0};
	struct fake_ip p = t_ip_default();

	t_setup();
	p.opt = bad;
	p.opt_len = sizeof(bad);
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_BAD_OPTIONS), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(drop_source_routes)
{
	static const uint8_t lsrr[] = {131, 7, 4, 10, 0, 0, 3, 0};
	static const uint8_t ssrr[] = {137, 7, 4, 10, 0, 0, 3, 0};
	struct fake_ip p = t_ip_default();

	t_setup();
	p.opt = lsrr;
	p.opt_len = sizeof(lsrr);
	t_send_echo(&p);
	p.opt = ssrr;
	t_send_echo(&p);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_SOURCE_ROUTE), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

/* ---- dispatch ------------------------------------------------------- */

static void t_check_proto_unreach(uint8_t proto)
{
	struct fake_ip p = t_ip_default();
	uint8_t data[20];
	uint8_t sent[14 + 20 + 20];
	size_t len;
	struct t_out o;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xd0 + i);
	p.proto = proto;
	len = t_build(&p, data, sizeof(data));
	memcpy(sent, frame, len);
	t_inject(len);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_PROTO), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK(t_out(0, &o));
	CHECK_EQ(o.ip[9], 1);
	CHECK_EQ(ld_be32(o.ip + 16), FAKE_PEER_IP);
	/* RFC 792: type 3 code 2, the header and 8 bytes of the data. */
	CHECK_EQ(o.len, 20 + 8 + 20 + 8);
	CHECK_EQ(o.ip[20], 3);
	CHECK_EQ(o.ip[21], 2);
	CHECK_EQ(ld_be32(o.ip + 24), 0);
	CHECK_EQ(fake_csum(o.ip + 20, o.len - 20), 0);
	CHECK_MEM(o.ip + 28, sent + 14, 28);
}

TEST(unknown_protocol_unreachable)
{
	t_setup();
	t_check_proto_unreach(253);
}

TEST(tcp_dispatched)
{
	struct fake_ip p = t_ip_default();
	uint8_t data[20] = {0};

	t_setup();
	p.proto = 6;
	t_inject(t_build(&p, data, sizeof(data)));
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_PROTO), 0);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), 0);
}

TEST(udp_dispatched)
{
	struct fake_ip p = t_ip_default();
	uint8_t udp[12] = {0x30, 0x39, 0x00, 0x07, 0x00, 0x0c,
			   0,	 0,    'k',  'e',  'e',	 'l'};

	t_setup();
	p.proto = 17;
	t_inject(t_build(&p, udp, sizeof(udp)));
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_PROTO), 0);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX), 1);
}

/* ---- output --------------------------------------------------------- */

static const uint8_t l4[8] = {1, 2, 3, 4, 5, 6, 7, 8};

TEST(output_on_link)
{
	struct t_out o;

	t_setup();
	CHECK_EQ(ipv4_output(FAKE_PEER2_IP, 253, l4, sizeof(l4), l4, 3, now),
		 NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK(t_out(0, &o));
	CHECK_MEM(o.eth, fake_peer2_mac, 6);
	CHECK_EQ(ld_be32(o.ip + 12), FAKE_IP);
	CHECK_EQ(ld_be32(o.ip + 16), FAKE_PEER2_IP);
	CHECK_EQ(o.ip[9], 253);
	CHECK_EQ(o.ip[8], CONFIG_IPV4_TTL);
	CHECK_EQ(o.len, 20 + 11);
	CHECK_MEM(o.ip + 20, l4, 8);
	CHECK_MEM(o.ip + 28, l4, 3);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX), 1);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_FRAGMENTS), 0);
}

TEST(output_via_gateway)
{
	struct t_out o;

	t_setup();
	CHECK_EQ(ipv4_output(FAR_IP, 17, l4, sizeof(l4), NULL, 0, now), NET_OK);
	CHECK(t_out(0, &o));
	CHECK_MEM(o.eth, fake_peer_mac, 6); /* the router's MAC */
	CHECK_EQ(ld_be32(o.ip + 16), FAR_IP);
}

TEST(output_no_route)
{
	struct net_ipv4_config no_gw = {FAKE_IP, FAKE_MASK, 0};

	t_setup();
	CHECK_EQ(net_set_ipv4(&no_gw, now), NET_OK);
	fake_learn(FAKE_PEER2_IP, fake_peer2_mac, now);
	fake_netdev_tx_clear();
	net_stats_reset();
	CHECK_EQ(ipv4_output(FAR_IP, 17, l4, sizeof(l4), NULL, 0, now),
		 NET_ENETUNREACH);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_NO_ROUTE), 1);
	CHECK_EQ(ipv4_output(FAKE_PEER2_IP, 17, l4, sizeof(l4), NULL, 0, now),
		 NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 1);
}

TEST(output_broadcast)
{
	struct t_out o;

	t_setup();
	CHECK_EQ(ipv4_output(NET_IPV4_BROADCAST, 17, l4, 8, NULL, 0, now),
		 NET_OK);
	CHECK_EQ(ipv4_output(FAKE_SUBNET_BCAST, 17, l4, 8, NULL, 0, now),
		 NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 2);
	CHECK(t_out(0, &o));
	CHECK_MEM(o.eth, fake_bcast_mac, 6);
	CHECK_EQ(ld_be32(o.ip + 16), NET_IPV4_BROADCAST);
	CHECK(t_out(1, &o));
	CHECK_MEM(o.eth, fake_bcast_mac, 6);
	CHECK_EQ(ld_be32(o.ip + 16), FAKE_SUBNET_BCAST);
}

TEST(output_without_address)
{
	struct net_ipv4_config none = {0, 0, 0};

	t_setup();
	net_set_ipv4(&none, now);
	CHECK_EQ(ipv4_output(FAKE_PEER_IP, 17, l4, 8, NULL, 0, now),
		 NET_ENETUNREACH);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_NO_ADDR), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(output_bad_destination)
{
	static const uint32_t bad[] = {
	    0x00000000, 0x7f000001, 0xe0000001, 0xf0000001, 0x0a000000, FAKE_IP,
	};

	t_setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(ipv4_output(bad[i], 17, l4, 8, NULL, 0, now),
			 NET_EINVAL);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_BAD_DST),
		 sizeof(bad) / sizeof(bad[0]));
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(output_too_big)
{
	static uint8_t big[CONFIG_IPV4_REASM_MAX + 1];

	t_setup();
	CHECK_EQ(ipv4_max_payload(), CONFIG_IPV4_REASM_MAX);
	CHECK_EQ(ipv4_output(FAKE_PEER_IP, 17, l4, 8, big,
			     CONFIG_IPV4_REASM_MAX - 7, now),
		 NET_EMSGSIZE);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_TOO_BIG), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(ipv4_output(FAKE_PEER_IP, 17, l4, 8, big,
			     CONFIG_IPV4_REASM_MAX - 8, now),
		 NET_OK);
}

TEST(output_fragments_straddle_buffers)
{
	static uint8_t hdr[1490], data[3001], back[5000];
	size_t frags = (sizeof(hdr) + sizeof(data) + 1479) / 1480;

	t_setup();
	for (size_t i = 0; i < sizeof(hdr); i++)
		hdr[i] = (uint8_t)(i * 13);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 5 + 1);
	CHECK_EQ(ipv4_output(FAKE_PEER2_IP, 17, hdr, sizeof(hdr), data,
			     sizeof(data), now),
		 NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), frags);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX), 1);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_FRAGMENTS), frags);
	CHECK_EQ(fake_tx_reassemble(0, frags, back, sizeof(back)),
		 sizeof(hdr) + sizeof(data));
	CHECK_MEM(back, hdr, sizeof(hdr));
	CHECK_MEM(back + sizeof(hdr), data, sizeof(data));
}

TEST(output_largest_datagram)
{
	static uint8_t data[CONFIG_IPV4_REASM_MAX], back[CONFIG_IPV4_REASM_MAX];
	size_t frags = (CONFIG_IPV4_REASM_MAX + 1479) / 1480;

	t_setup();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ i >> 8);
	CHECK_EQ(ipv4_output(FAKE_PEER_IP, 17, data, 1, data + 1,
			     sizeof(data) - 1, now),
		 NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), frags);
	CHECK_EQ(fake_tx_reassemble(0, frags, back, sizeof(back)),
		 sizeof(data));
	CHECK_MEM(back, data, sizeof(data));
}

TEST(output_waits_for_arp)
{
	static const uint8_t new_mac[6] = {0x02, 0, 0, 0, 0, 0x09};
	static uint8_t data[2000];
	static uint8_t back[2008];
	size_t arp_frames;

	t_setup();
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 3);
	/* Two fragments for a neighbour not yet resolved: both wait. */
	CHECK_EQ(ipv4_output(0x0a000009, 17, l4, 8, data, sizeof(data), now),
		 NET_OK);
	arp_frames = fake_netdev_tx_count();
	for (size_t i = 0; i < arp_frames; i++)
		CHECK_EQ(ld_be16(fake_netdev_tx(i)->data + 12), 0x0806);
	fake_netdev_tx_clear();
	fake_arp_reply(0x0a000009, new_mac, now);
	CHECK_EQ(fake_netdev_tx_count(), 2);
	CHECK_MEM(fake_netdev_tx(0)->data, new_mac, 6);
	CHECK_MEM(fake_netdev_tx(1)->data, new_mac, 6);
	CHECK_EQ(fake_tx_reassemble(0, 2, back, sizeof(back)),
		 8 + sizeof(data));
	CHECK_MEM(back, l4, 8);
	CHECK_MEM(back + 8, data, sizeof(data));
}

TEST(output_ring_full)
{
	t_setup();
	fake_netdev_set_tx_full(true);
	CHECK_EQ(ipv4_output(FAKE_PEER_IP, 17, l4, 8, NULL, 0, now),
		 NET_ENOBUFS);
	fake_netdev_set_tx_full(false);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

static uint16_t t_send_id(uint32_t dst, size_t i)
{
	struct t_out o;

	if (ipv4_output(dst, 17, l4, 8, NULL, 0, now) != NET_OK ||
	    !t_out(i, &o))
		return 0;
	return ld_be16(o.ip + 4);
}

TEST(ids_per_destination_unique_not_counter)
{
	static bool used[65536];
	uint16_t prev = 0;
	size_t unit_steps = 0;

	t_setup();
	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < FAKE_NETDEV_TX; i++) {
		uint16_t id = t_send_id(FAKE_PEER2_IP, i);

		CHECK(!used[id]);
		used[id] = true;
		if (i > 0 && (uint16_t)(id - prev) == 1)
			unit_steps++;
		prev = id;
	}
	/* Random steps: a plain +1 counter would make all of them 1. */
	CHECK(unit_steps < FAKE_NETDEV_TX / 2);
}

TEST(ids_not_one_global_sequence)
{
	uint16_t ids[16];
	size_t close = 0;

	t_setup();
	/* One datagram each to 16 off-link destinations: a global counter
	 * would make every step small. */
	for (size_t i = 0; i < 16; i++)
		ids[i] = t_send_id(FAR_IP + (uint32_t)i * 0x100, i);
	for (size_t i = 1; i < 16; i++)
		if ((uint16_t)(ids[i] - ids[i - 1]) <= 64)
			close++;
	CHECK(close <= 2);
}

TEST(ids_two_destinations_independent)
{
	uint16_t a[8], b[8];
	size_t n = 0;

	t_setup();
	/* Interleaved: each destination's IDs step on their own, and the
	 * other destination's sequence is elsewhere. */
	for (size_t i = 0; i < 8; i++) {
		a[i] = t_send_id(FAKE_PEER_IP, n++);
		b[i] = t_send_id(FAKE_PEER2_IP, n++);
	}
	for (size_t i = 1; i < 8; i++) {
		CHECK((uint16_t)(a[i] - a[i - 1]) >= 1);
		CHECK((uint16_t)(a[i] - a[i - 1]) <= 8);
		CHECK((uint16_t)(b[i] - b[i - 1]) >= 1);
		CHECK((uint16_t)(b[i] - b[i - 1]) <= 8);
	}
	CHECK((uint16_t)(b[0] - a[0]) > 64 && (uint16_t)(a[0] - b[0]) > 64);
}

TEST(ids_differ_with_secret)
{
	static const uint8_t other[NET_SECRET_LEN] = {9, 9, 9};
	struct net_ipv4_config cfg = {FAKE_IP, FAKE_MASK, FAKE_GW};
	uint16_t first, second;

	t_setup();
	first = t_send_id(FAKE_PEER_IP, 0);
	net_init(&fake_netdev, other);
	net_set_ipv4(&cfg, now);
	fake_learn(FAKE_PEER_IP, fake_peer_mac, now);
	fake_netdev_tx_clear();
	second = t_send_id(FAKE_PEER_IP, 0);
	CHECK(first != second);
}
