/*
 * test_arp.c - ARP state (net/arp.c) through the fake netdev and a fake
 * clock.
 *
 * Packets go in through net_input() (or arp_input() where the Ethernet
 * layer would already have dropped them); what comes out is read back from
 * the fake's transmit capture. Frames are sent the way IPv4 sends them,
 * eth_tx_begin() then eth_tx_ipv4(), so queueing is tested on the real
 * path, transmit buffer reuse included. Every poisoning attempt is checked
 * twice: by its counter, and by where the next frame to the attacked
 * address actually goes.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "arp.h"
#include "arp_wire.h"
#include "eth.h"
#include "fake_netdev.h"
#include "iface.h"
#include "net_config.h"

#define HOST_A	  0x0a000005u
#define HOST_B	  0x0a000006u
#define INTERVAL  CONFIG_ARP_REQUEST_INTERVAL_MS
#define TTL	  CONFIG_ARP_TTL_MS
#define RETRIES	  CONFIG_ARP_RETRIES
#define LOCKTIME  CONFIG_ARP_LOCKTIME_MS
#define T_PAYLOAD 20

/* The scenarios need two addresses resolving at once and a retry. */
_Static_assert(CONFIG_ARP_ENTRIES >= 2 && CONFIG_ARP_QUEUE >= 2 &&
		   CONFIG_ARP_RETRIES >= 2,
	       "test_arp.c needs [arp] entries >= 2, queue >= 2, retries >= 2");

static const uint8_t gw_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t a_mac[6] = {0x02, 0, 0, 0, 0, 0x05};
static const uint8_t b_mac[6] = {0x02, 0, 0, 0, 0, 0x06};
static const uint8_t evil_mac[6] = {0x02, 0xee, 0xee, 0xee, 0xee, 0xee};
static const uint8_t mcast_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
static const uint8_t zero_mac[6];

static uint64_t now;

/* ---- helpers -------------------------------------------------------- */

static void t_setup(void)
{
	now = 1000;
	fake_stack_up(now);
}

/* Widen the subnet to /16 so that tests sized by CONFIG_* find hosts. */
static void t_wide(void)
{
	struct net_ipv4_config cfg = {FAKE_IP, 0xffff0000u, FAKE_GW};

	net_set_ipv4(&cfg, now);
	fake_netdev_tx_clear();
	net_stats_reset();
}

static uint32_t t_host(unsigned i)
{
	return 0x0a000100u + i; /* 10.0.1.0 onwards, inside the /16 */
}

static void t_host_mac(unsigned i, uint8_t mac[6])
{
	const uint8_t m[6] = {0x02, 0, 0, 0x01, (uint8_t)(i >> 8), (uint8_t)i};

	memcpy(mac, m, 6);
}

static size_t t_build_arp(uint8_t *f, const uint8_t eth_dst[6],
			  const uint8_t eth_src[6], uint16_t op,
			  const uint8_t sha[6], uint32_t spa, uint32_t tpa)
{
	struct arp_pkt a = {op, {0}, spa, {0}, tpa};

	memcpy(a.sha, sha, 6);
	memcpy(a.tha, op == ARP_OP_REPLY ? fake_mac : zero_mac, 6);
	return fake_eth_hdr(f, eth_dst, eth_src, 0x0806) +
	       arp_wire_emit(f + 14, &a);
}

/* Receive an ARP packet in a frame from `eth_src`. */
static void t_rx_arp(const uint8_t eth_dst[6], const uint8_t eth_src[6],
		     uint16_t op, const uint8_t sha[6], uint32_t spa,
		     uint32_t tpa)
{
	uint8_t f[64];

	net_input(f, t_build_arp(f, eth_dst, eth_src, op, sha, spa, tpa), now);
}

/* A broadcast request from (sha, spa) for our address. */
static void t_request_for_us(const uint8_t sha[6], uint32_t spa)
{
	t_rx_arp(fake_bcast_mac, sha, ARP_OP_REQUEST, sha, spa, FAKE_IP);
}

/* A reply from (sha, spa) unicast to us. */
static void t_reply_to_us(const uint8_t sha[6], uint32_t spa)
{
	t_rx_arp(fake_mac, sha, ARP_OP_REPLY, sha, spa, FAKE_IP);
}

/* Send a T_PAYLOAD-byte frame filled with `tag` to next hop `ip`. */
static int t_send(uint32_t ip, uint8_t tag)
{
	size_t cap;
	uint8_t *p = eth_tx_begin(&cap);

	if (!p)
		return NET_ENOBUFS;
	memset(p, tag, T_PAYLOAD);
	return eth_tx_ipv4(ip, T_PAYLOAD, now);
}

/* Whether the i-th captured frame is an ARP packet; fills *a. */
static bool t_tx_arp(size_t i, struct arp_pkt *a)
{
	const struct fake_frame *f = fake_netdev_tx(i);

	return f && f->len >= 14 && ld_be16(f->data + 12) == 0x0806 &&
	       arp_wire_parse(f->data + 14, f->len - 14, a) == NET_OK;
}

/* Captured requests from us for `ip`. */
static int t_requests_for(uint32_t ip)
{
	int n = 0;
	struct arp_pkt a;

	for (size_t i = 0; i < fake_netdev_tx_count(); i++)
		if (t_tx_arp(i, &a) && a.op == ARP_OP_REQUEST && a.tpa == ip &&
		    a.spa == FAKE_IP && memcmp(a.sha, fake_mac, 6) == 0)
			n++;
	return n;
}

/* Whether the i-th captured frame is our IPv4 frame to `mac` with `tag`. */
static bool t_tx_is_ip(size_t i, const uint8_t mac[6], uint8_t tag)
{
	const struct fake_frame *f = fake_netdev_tx(i);

	return f && f->len == 14 + T_PAYLOAD && memcmp(f->data, mac, 6) == 0 &&
	       memcmp(f->data + 6, fake_mac, 6) == 0 &&
	       ld_be16(f->data + 12) == 0x0800 && f->data[14] == tag &&
	       f->data[14 + T_PAYLOAD - 1] == tag;
}

/* Whether a frame sent to `ip` now leaves at once, to `mac`. */
static bool t_sent_to(uint32_t ip, const uint8_t mac[6])
{
	size_t before = fake_netdev_tx_count();

	if (t_send(ip, 0x77) != NET_OK)
		return false;
	return fake_netdev_tx_count() == before + 1 &&
	       t_tx_is_ip(before, mac, 0x77);
}

/* Resolve `ip` the proper way: our request, its reply. Clears the rest. */
static void t_learn(uint32_t ip, const uint8_t mac[6])
{
	uint8_t m[6];

	(void)arp_resolve(ip, m, now);
	net_poll(now);
	t_reply_to_us(mac, ip);
	fake_netdev_tx_clear();
	net_stats_reset();
}

/* Let resolution of `ip` (started now) fail; returns the failure time. */
static uint64_t t_fail(uint32_t ip)
{
	uint8_t m[6];
	uint64_t t0 = now;

	(void)arp_resolve(ip, m, now);
	for (unsigned k = 0; k <= RETRIES; k++) {
		now = t0 + (uint64_t)k * INTERVAL;
		net_poll(now);
	}
	return now;
}

/* ---- answering -------------------------------------------------------- */

TEST(request_for_us_answered)
{
	const struct fake_frame *f;
	struct arp_pkt a;

	t_setup();
	t_request_for_us(gw_mac, FAKE_GW);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	f = fake_netdev_tx(0);
	CHECK_EQ(f->len, 42);
	CHECK_MEM(f->data, gw_mac, 6); /* unicast to the requester */
	CHECK_MEM(f->data + 6, fake_mac, 6);
	CHECK(t_tx_arp(0, &a));
	CHECK_EQ(a.op, ARP_OP_REPLY);
	CHECK_MEM(a.sha, fake_mac, 6);
	CHECK_EQ(a.spa, FAKE_IP);
	CHECK_MEM(a.tha, gw_mac, 6);
	CHECK_EQ(a.tpa, FAKE_GW);
	/* The requester was learned (RFC 826 merge for a request to us). */
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REQUEST), 0);
}

TEST(padded_request_answered)
{
	uint8_t f[60];

	t_setup();
	memset(f, 0xab, sizeof(f));
	t_build_arp(f, fake_bcast_mac, gw_mac, ARP_OP_REQUEST, gw_mac, FAKE_GW,
		    FAKE_IP);
	net_input(f, sizeof(f), now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_MALFORMED), 0);
}

TEST(malformed_counted_and_dropped)
{
	uint8_t f[64];
	size_t len;

	t_setup();
	len = t_build_arp(f, fake_bcast_mac, gw_mac, ARP_OP_REQUEST, gw_mac,
			  FAKE_GW, FAKE_IP);
	net_input(f, len - 1, now); /* 27 bytes of ARP */
	f[14 + ARP_OFF_HLEN] = 8;
	net_input(f, len, now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX), 2);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_MALFORMED), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(request_for_someone_else_not_answered)
{
	t_setup();
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, HOST_A, HOST_B);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_NOT_FOR_US), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX); /* nothing learned */
}

TEST(no_address_answers_nothing)
{
	struct net_ipv4_config none = {0, 0, 0};

	t_setup();
	net_set_ipv4(&none, now);
	fake_netdev_tx_clear();
	t_request_for_us(gw_mac, FAKE_GW);
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, 0, FAKE_IP);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX), 2);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_NOT_FOR_US), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	arp_announce(now);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(probe_for_our_address_answered)
{
	struct arp_pkt a;

	t_setup();
	/* RFC 5227 §2.1.1: sender IP 0. Answering tells the prober the
	 * address is taken; nothing is learned from it. */
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, 0, FAKE_IP);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, a_mac, 6);
	CHECK(t_tx_arp(0, &a));
	CHECK_EQ(a.op, ARP_OP_REPLY);
	CHECK_EQ(a.spa, FAKE_IP);
	CHECK_MEM(a.tha, a_mac, 6);
	CHECK_EQ(a.tpa, 0);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	/* A probe for another address is none of our business. */
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, 0, HOST_B);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_NOT_FOR_US), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
}

TEST(announce_on_address_set)
{
	struct net_ipv4_config cfg = {FAKE_IP, FAKE_MASK, FAKE_GW};
	struct arp_pkt a;

	t_setup();
	net_set_ipv4(&cfg, now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_ANNOUNCE), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	CHECK_MEM(fake_netdev_tx(0)->data + 6, fake_mac, 6);
	CHECK(t_tx_arp(0, &a));
	CHECK_EQ(a.op, ARP_OP_REQUEST);
	CHECK_MEM(a.sha, fake_mac, 6);
	CHECK_EQ(a.spa, FAKE_IP);
	CHECK_MEM(a.tha, zero_mac, 6);
	CHECK_EQ(a.tpa, FAKE_IP);
	/* Only one: nothing further is scheduled. */
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
}

/* ---- resolution and the queue ---------------------------------------- */

TEST(resolution_sends_queued_frames_in_order)
{
	struct arp_pkt a;
	int n = CONFIG_ARP_QUEUE < 5 ? CONFIG_ARP_QUEUE : 5;

	t_setup();
	for (int i = 0; i < n; i++)
		CHECK_EQ(t_send(HOST_A, (uint8_t)(0x10 + i)), NET_OK);
	/* One request, broadcast, however many frames wait. */
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REQUEST), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	CHECK(t_tx_arp(0, &a));
	CHECK_EQ(a.op, ARP_OP_REQUEST);
	CHECK_MEM(a.sha, fake_mac, 6);
	CHECK_EQ(a.spa, FAKE_IP);
	CHECK_MEM(a.tha, zero_mac, 6);
	CHECK_EQ(a.tpa, HOST_A);
	fake_netdev_tx_clear();
	now += 3;
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_netdev_tx_count(), (size_t)n);
	for (int i = 0; i < n; i++)
		CHECK(t_tx_is_ip((size_t)i, a_mac, (uint8_t)(0x10 + i)));
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_UNRESOLVED), 0);
	/* Resolved: the next frame goes straight out. */
	CHECK(t_sent_to(HOST_A, a_mac));
	/* A late duplicate reply is unsolicited, and harmless. */
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 1);
	CHECK(t_sent_to(HOST_A, a_mac));
}

TEST(queue_is_per_address)
{
	int n = CONFIG_ARP_QUEUE;

	t_setup();
	for (int i = 0; i < n; i++)
		CHECK_EQ(t_send(i % 2 ? HOST_B : HOST_A, (uint8_t)i), NET_OK);
	CHECK_EQ(t_requests_for(HOST_A), 1);
	CHECK_EQ(t_requests_for(HOST_B), n > 1 ? 1 : 0);
	fake_netdev_tx_clear();
	t_reply_to_us(b_mac, HOST_B);
	CHECK_EQ(fake_netdev_tx_count(), (size_t)(n / 2));
	for (int i = 1, k = 0; i < n; i += 2, k++)
		CHECK(t_tx_is_ip((size_t)k, b_mac, (uint8_t)i));
	fake_netdev_tx_clear();
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_netdev_tx_count(), (size_t)((n + 1) / 2));
	for (int i = 0, k = 0; i < n; i += 2, k++)
		CHECK(t_tx_is_ip((size_t)k, a_mac, (uint8_t)i));
}

TEST(queue_full_refused_and_counted)
{
	t_setup();
	for (int i = 0; i < CONFIG_ARP_QUEUE; i++)
		CHECK_EQ(t_send(HOST_A, (uint8_t)i), NET_OK);
	CHECK_EQ(t_send(HOST_A, 0xee), NET_ENOBUFS);
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_FULL), 1);
	/* The queue is shared, but a new address still gets its request. */
	CHECK_EQ(t_send(HOST_B, 0xef), NET_ENOBUFS);
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_FULL), 2);
	CHECK_EQ(t_requests_for(HOST_B), 1);
	fake_netdev_tx_clear();
	net_stats_reset();
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_FRAMES), CONFIG_ARP_QUEUE);
	CHECK(t_tx_is_ip(0, a_mac, 0));
	/* Room again. */
	CHECK_EQ(t_send(HOST_B, 0xef), NET_OK);
}

TEST(queue_frame_bounds)
{
	uint8_t f[CONFIG_NET_MTU + 15];
	uint8_t mac[6];

	t_setup();
	memset(f, 0, sizeof(f));
	CHECK_EQ(arp_queue_frame(HOST_A, f, 13, now), NET_EINVAL);
	CHECK_EQ(arp_queue_frame(HOST_A, f, sizeof(f), now), NET_EINVAL);
	CHECK_EQ(arp_queue_frame(HOST_A, f, sizeof(f) - 1, now), NET_OK);
	/* Called on its own, it starts the resolution and sends the
	 * request itself. */
	CHECK_EQ(t_requests_for(HOST_A), 1);
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_netdev_tx(1)->len, sizeof(f) - 1);
	CHECK_MEM(fake_netdev_tx(1)->data, a_mac, 6);
	/* For a known address the frame goes out at once. */
	CHECK_EQ(arp_queue_frame(HOST_A, f, 60, now), NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 3);
	CHECK_MEM(fake_netdev_tx(2)->data, a_mac, 6);
}

TEST(resolve_alone_requests_from_poll)
{
	uint8_t mac[6];

	t_setup();
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	/* Never from inside arp_resolve (the caller may hold the transmit
	 * buffer); the poll asked for by the deadline sends it. */
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(arp_next_deadline(), now);
	net_poll(now);
	CHECK_EQ(t_requests_for(HOST_A), 1);
	CHECK_EQ(arp_next_deadline(), now + INTERVAL);
}

TEST(resolve_rejects_non_neighbours)
{
	struct net_ipv4_config none = {0, 0, 0};
	uint8_t mac[6];

	t_setup();
	CHECK_EQ(arp_resolve(FAKE_IP, mac, now), NET_EINVAL);
	CHECK_EQ(arp_resolve(0xc0a80101u, mac, now), NET_EINVAL);
	CHECK_EQ(arp_resolve(0x0a0000ffu, mac, now), NET_EINVAL);
	CHECK_EQ(arp_resolve(0x0a000000u, mac, now), NET_EINVAL);
	CHECK_EQ(arp_resolve(0xe0000001u, mac, now), NET_EINVAL);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	net_set_ipv4(&none, now);
	CHECK_EQ(arp_resolve(FAKE_GW, mac, now), NET_ENETUNREACH);
}

TEST(requests_rate_limited_exactly)
{
	uint8_t mac[6];
	uint64_t t0;

	t_setup();
	t0 = now;
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	CHECK_EQ(t_requests_for(HOST_A), 1);
	for (unsigned k = 1; k < RETRIES; k++) {
		/* Traffic and polls until the interval is over add none. */
		now = t0 + (uint64_t)k * INTERVAL - 1;
		CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
		net_poll(now);
		CHECK_EQ(t_requests_for(HOST_A), (int)k);
		now++;
		net_poll(now);
		CHECK_EQ(t_requests_for(HOST_A), (int)k + 1);
		CHECK_EQ(arp_next_deadline(), now + INTERVAL);
	}
	now = t0 + (uint64_t)RETRIES * INTERVAL - 1;
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RESOLVE_FAILED), 0);
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	now++;
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RESOLVE_FAILED), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REQUEST), RETRIES);
	CHECK_EQ(fake_netdev_tx_count(), RETRIES); /* requests, no frame */
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_UNRESOLVED), 1);
}

TEST(late_poll_keeps_the_interval)
{
	uint64_t t0;

	t_setup();
	t0 = now;
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	/* A poll long after the due time sends one request, not a burst,
	 * and the next is an interval after that one. */
	now = t0 + 10 * (uint64_t)INTERVAL + 7;
	net_poll(now);
	CHECK_EQ(t_requests_for(HOST_A), 2);
	CHECK_EQ(arp_next_deadline(), now + INTERVAL);
}

TEST(failure_drops_queue_and_negative_caches)
{
	uint8_t mac[6];
	uint64_t tf;

	t_setup();
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	CHECK_EQ(t_send(HOST_A, 2), NET_OK);
	tf = t_fail(HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RESOLVE_FAILED), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_UNRESOLVED), 2);
	CHECK_EQ(arp_next_deadline(), tf + ARP_FAILED_HOLD_MS);
	fake_netdev_tx_clear();
	for (now = tf; now < tf + ARP_FAILED_HOLD_MS; now += INTERVAL / 2 + 1) {
		CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EHOSTUNREACH);
		CHECK_EQ(t_send(HOST_A, 3), NET_EHOSTUNREACH);
		net_poll(now);
	}
	CHECK_EQ(fake_netdev_tx_count(), 0); /* no flood */
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_UNRESOLVED), 2);
	/* Other addresses are unaffected. */
	CHECK_EQ(t_send(HOST_B, 4), NET_OK);
	CHECK_EQ(t_requests_for(HOST_B), 1);
	/* When the hold is over, the entry goes and resolution restarts. */
	now = tf + ARP_FAILED_HOLD_MS;
	net_poll(now);
	CHECK_EQ(arp_next_deadline() > tf + ARP_FAILED_HOLD_MS, true);
	CHECK_EQ(t_send(HOST_A, 5), NET_OK);
	CHECK_EQ(t_requests_for(HOST_A), 1);
}

TEST(failure_keeps_other_addresses_frames)
{
	uint64_t t0, tf;

	t_setup();
	t0 = now;
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	now = t0 + INTERVAL / 2;
	CHECK_EQ(t_send(HOST_B, 2), NET_OK);
	now = t0;
	tf = t_fail(HOST_A); /* B started later: still resolving */
	CHECK_EQ(fake_stat(NET_STAT_ARP_RESOLVE_FAILED), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_UNRESOLVED), 1);
	now = tf;
	fake_netdev_tx_clear();
	t_reply_to_us(b_mac, HOST_B);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK(t_tx_is_ip(0, b_mac, 2));
}

TEST(failed_entry_restarts_without_a_poll)
{
	uint64_t tf;

	t_setup();
	tf = t_fail(HOST_A);
	fake_netdev_tx_clear();
	now = tf + ARP_FAILED_HOLD_MS - 1;
	CHECK_EQ(t_send(HOST_A, 1), NET_EHOSTUNREACH);
	now++;
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	CHECK_EQ(t_requests_for(HOST_A), 1);
	t_reply_to_us(a_mac, HOST_A);
	CHECK(t_tx_is_ip(1, a_mac, 1));
}

TEST(late_reply_after_failure_is_unsolicited)
{
	uint8_t mac[6];

	t_setup();
	t_fail(HOST_A);
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 1);
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EHOSTUNREACH);
	/* A request from the host itself is believed (way (b)). */
	t_request_for_us(a_mac, HOST_A);
	CHECK(t_sent_to(HOST_A, a_mac));
}

/* ---- aging -------------------------------------------------------------- */

TEST(entry_in_use_is_reprobed_by_unicast)
{
	struct arp_pkt a;
	uint64_t t1;

	t_setup();
	t1 = now;
	t_learn(HOST_A, a_mac);
	now = t1 + 10;
	CHECK(t_sent_to(HOST_A, a_mac));
	CHECK_EQ(arp_next_deadline(), t1 + TTL);
	now = t1 + TTL - 1;
	net_poll(now);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	fake_netdev_tx_clear();
	now = t1 + TTL;
	net_poll(now);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, a_mac, 6); /* unicast poll */
	CHECK(t_tx_arp(0, &a));
	CHECK_EQ(a.op, ARP_OP_REQUEST);
	CHECK_EQ(a.tpa, HOST_A);
	CHECK_EQ(arp_next_deadline(), now + INTERVAL);
	/* Still used while being re-confirmed. */
	CHECK(t_sent_to(HOST_A, a_mac));
	CHECK_EQ(fake_netdev_tx_count(), 2);
	now += 5;
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 0);
	CHECK_EQ(arp_next_deadline(), now + TTL);
}

TEST(unanswered_reprobes_free_the_entry)
{
	uint64_t t1, ts;

	t_setup();
	t1 = now;
	t_learn(HOST_A, a_mac);
	CHECK(t_sent_to(HOST_A, a_mac));
	fake_netdev_tx_clear();
	ts = t1 + TTL;
	for (unsigned k = 0; k < RETRIES; k++) {
		now = ts + (uint64_t)k * INTERVAL;
		net_poll(now);
		CHECK_EQ(fake_netdev_tx_count(), (size_t)k + 1);
		CHECK_MEM(fake_netdev_tx(k)->data, a_mac, 6);
	}
	CHECK_EQ(t_requests_for(HOST_A), RETRIES);
	fake_netdev_tx_clear();
	now = ts + (uint64_t)RETRIES * INTERVAL - 1;
	net_poll(now);
	CHECK(t_sent_to(HOST_A, a_mac));
	now++;
	net_poll(now);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RESOLVE_FAILED), 0);
	/* Gone: the next frame waits for a broadcast request. */
	fake_netdev_tx_clear();
	CHECK_EQ(t_send(HOST_A, 9), NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	CHECK_EQ(t_requests_for(HOST_A), 1);
}

TEST(reprobe_answered_from_a_new_mac_is_accepted)
{
	t_setup();
	t_learn(HOST_A, a_mac);
	CHECK(t_sent_to(HOST_A, a_mac));
	now += TTL;
	net_poll(now);
	/* A reply to our own request may move the address ((a) always). */
	t_reply_to_us(b_mac, HOST_A);
	CHECK(t_sent_to(HOST_A, b_mac));
}

TEST(idle_entry_expires_silently)
{
	uint64_t t1;

	t_setup();
	t1 = now;
	t_request_for_us(a_mac, HOST_A);
	fake_netdev_tx_clear();
	CHECK_EQ(arp_next_deadline(), t1 + TTL);
	now = t1 + TTL;
	net_poll(now);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
}

TEST(request_from_known_host_refreshes)
{
	uint64_t t1;

	t_setup();
	t1 = now;
	t_request_for_us(a_mac, HOST_A);
	now = t1 + TTL / 2;
	t_request_for_us(a_mac, HOST_A);
	CHECK_EQ(arp_next_deadline(), now + TTL);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_LOCKED), 0);
}

/* ---- poisoning ---------------------------------------------------------- */

TEST(unsolicited_reply_ignored)
{
	uint8_t mac[6];

	t_setup();
	t_learn(FAKE_GW, gw_mac);
	t_reply_to_us(evil_mac, FAKE_GW);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 1);
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	/* Nor does one create an entry. */
	t_reply_to_us(evil_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 2);
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	CHECK_EQ(fake_netdev_tx_count(), 1);
}

TEST(gratuitous_arp_for_gateway_ignored)
{
	uint8_t mac[6];

	t_setup();
	t_learn(FAKE_GW, gw_mac);
	now += 10 * LOCKTIME; /* long past any lock */
	t_rx_arp(fake_bcast_mac, evil_mac, ARP_OP_REQUEST, evil_mac, FAKE_GW,
		 FAKE_GW);
	t_rx_arp(fake_bcast_mac, evil_mac, ARP_OP_REPLY, evil_mac, FAKE_GW,
		 FAKE_GW);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	/* And a stranger's announcement creates nothing. */
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, HOST_A, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 3);
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
}

TEST(request_not_for_us_never_learns)
{
	uint8_t mac[6];

	t_setup();
	t_learn(FAKE_GW, gw_mac);
	now += 10 * LOCKTIME;
	/* A new sender asking for someone else... */
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, HOST_A, HOST_B);
	/* ...and the gateway's IP from a new MAC asking for someone else. */
	t_rx_arp(fake_bcast_mac, evil_mac, ARP_OP_REQUEST, evil_mac, FAKE_GW,
		 HOST_B);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_NOT_FOR_US), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
}

TEST(reply_before_our_request_is_unsolicited)
{
	uint8_t mac[6];

	t_setup();
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	/* Resolution started, but no request has left yet. */
	t_reply_to_us(evil_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_UNSOLICITED), 1);
	net_poll(now);
	CHECK_EQ(t_requests_for(HOST_A), 1);
	t_reply_to_us(a_mac, HOST_A);
	CHECK(t_sent_to(HOST_A, a_mac));
}

TEST(reply_to_someone_else_does_not_resolve)
{
	uint8_t mac[6];

	t_setup();
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	/* The address we asked about, but answering another host. */
	t_rx_arp(fake_mac, a_mac, ARP_OP_REPLY, a_mac, HOST_A, HOST_B);
	t_rx_arp(fake_bcast_mac, evil_mac, ARP_OP_REPLY, evil_mac, HOST_A,
		 HOST_B);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_NOT_FOR_US), 2);
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	CHECK_EQ(fake_netdev_tx_count(), 1); /* just our request */
}

struct bad_sender {
	const char *name;
	bool direct; /* past the Ethernet layer, which would drop it */
	const uint8_t *eth_src;
	uint16_t op;
	const uint8_t *sha;
	uint32_t spa;
};

static const struct bad_sender bad_senders[] = {
    {"reply, eth src != sha", false, a_mac, ARP_OP_REPLY, evil_mac, HOST_A},
    {"reply, sha != eth src", false, evil_mac, ARP_OP_REPLY, a_mac, HOST_A},
    {"request, sha != eth src", false, gw_mac, ARP_OP_REQUEST, evil_mac,
     FAKE_GW},
    {"reply, broadcast sha", true, fake_bcast_mac, ARP_OP_REPLY, fake_bcast_mac,
     HOST_A},
    {"reply, multicast sha", true, mcast_mac, ARP_OP_REPLY, mcast_mac, HOST_A},
    {"reply, zero sha", true, zero_mac, ARP_OP_REPLY, zero_mac, HOST_A},
    {"request, broadcast sha", true, fake_bcast_mac, ARP_OP_REQUEST,
     fake_bcast_mac, FAKE_GW},
    {"request, sender off the subnet", false, evil_mac, ARP_OP_REQUEST,
     evil_mac, 0xc0a80101u},
    {"reply, sender off the subnet", false, evil_mac, ARP_OP_REPLY, evil_mac,
     0x0a000105u},
    {"request, sender is the subnet broadcast", false, evil_mac, ARP_OP_REQUEST,
     evil_mac, 0x0a0000ffu},
    {"request, sender is the network address", false, evil_mac, ARP_OP_REQUEST,
     evil_mac, 0x0a000000u},
    {"request, sender is loopback", false, evil_mac, ARP_OP_REQUEST, evil_mac,
     0x7f000001u},
    {"request, sender is multicast", false, evil_mac, ARP_OP_REQUEST, evil_mac,
     0xe0000001u},
    {"reply, sender 0.0.0.0", false, evil_mac, ARP_OP_REPLY, evil_mac, 0},
};

#define N_BAD_SENDERS (sizeof(bad_senders) / sizeof(bad_senders[0]))

TEST(bad_senders_change_nothing)
{
	uint8_t f[64];
	uint8_t mac[6];

	t_setup();
	t_learn(FAKE_GW, gw_mac);
	now += 10 * LOCKTIME;
	CHECK_EQ(t_send(HOST_A, 0x42), NET_OK); /* a request outstanding */
	fake_netdev_tx_clear();
	for (size_t i = 0; i < N_BAD_SENDERS; i++) {
		const struct bad_sender *b = &bad_senders[i];
		const uint8_t *dst =
		    b->op == ARP_OP_REPLY ? fake_mac : fake_bcast_mac;
		size_t len = t_build_arp(f, dst, b->eth_src, b->op, b->sha,
					 b->spa, FAKE_IP);

		if (b->direct)
			arp_input(f + 14, len - 14, b->eth_src, now);
		else
			net_input(f, len, now);
		if (fake_stat(NET_STAT_ARP_RX_BAD_SENDER) != i + 1) {
			test_fail(__FILE__, __LINE__, "%s: not a bad sender",
				  b->name);
			return;
		}
	}
	CHECK_EQ(fake_stat(NET_STAT_ETH_RX_BAD_SRC), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0); /* no replies, no frames */
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	/* The genuine answer still resolves it, to the right MAC. */
	fake_netdev_tx_clear();
	t_reply_to_us(a_mac, HOST_A);
	CHECK(t_tx_is_ip(0, a_mac, 0x42));
}

TEST(locktime_protects_a_fresh_mapping)
{
	uint64_t t1;

	t_setup();
	t1 = now;
	t_learn(FAKE_GW, gw_mac);
	now = t1 + LOCKTIME - 1;
	t_request_for_us(evil_mac, FAKE_GW);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_LOCKED), 1);
	/* Still answered (it is for us), but nothing changed. */
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, evil_mac, 6);
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	/* The gateway's own traffic keeps it locked... */
	t_request_for_us(gw_mac, FAKE_GW);
	now += LOCKTIME - 1;
	t_request_for_us(evil_mac, FAKE_GW);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_LOCKED), 2);
	CHECK(t_sent_to(FAKE_GW, gw_mac));
	/* ...and a request aimed at us may move an address not confirmed
	 * for CONFIG_ARP_LOCKTIME_MS (a host that changed its NIC). */
	now++;
	t_request_for_us(b_mac, FAKE_GW);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_LOCKED), 2);
	CHECK(t_sent_to(FAKE_GW, b_mac));
}

TEST(our_address_from_another_mac_is_a_conflict)
{
	t_setup();
	t_learn(FAKE_GW, gw_mac);
	t_rx_arp(fake_bcast_mac, evil_mac, ARP_OP_REQUEST, evil_mac, FAKE_IP,
		 FAKE_IP);
	t_rx_arp(fake_bcast_mac, evil_mac, ARP_OP_REQUEST, evil_mac, FAKE_IP,
		 FAKE_GW);
	t_reply_to_us(evil_mac, FAKE_IP);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_ADDR_CONFLICT), 3);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK(t_sent_to(FAKE_GW, gw_mac));
}

/* ---- the cache when full ---------------------------------------------- */

TEST(full_cache_reuses_least_recently_used)
{
	const unsigned n = CONFIG_ARP_ENTRIES, victim = n / 2;
	uint8_t mac[6], want[6];

	t_setup();
	t_wide();
	for (unsigned i = 0; i < n; i++) {
		now = 1000 + i;
		t_host_mac(i, mac);
		t_request_for_us(mac, t_host(i));
	}
	now = 5000;
	for (unsigned i = 0; i < n; i++)
		if (i != victim)
			CHECK_EQ(arp_resolve(t_host(i), mac, now), NET_OK);
	now = 6000;
	t_host_mac(n, mac);
	t_request_for_us(mac, t_host(n));
	CHECK_EQ(fake_stat(NET_STAT_ARP_CACHE_FULL), 0);
	for (unsigned i = 0; i <= n; i++) {
		if (i == victim)
			continue;
		CHECK_EQ(arp_resolve(t_host(i), mac, now), NET_OK);
		t_host_mac(i, want);
		CHECK_MEM(mac, want, 6);
	}
	CHECK_EQ(arp_resolve(t_host(victim), mac, now), NET_EAGAIN);
}

TEST(cache_of_incomplete_entries_refuses)
{
	const unsigned n = CONFIG_ARP_ENTRIES;
	uint8_t mac[6];

	t_setup();
	t_wide();
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(arp_resolve(t_host(i), mac, now), NET_EAGAIN);
	CHECK_EQ(arp_resolve(t_host(n), mac, now), NET_ENOBUFS);
	CHECK_EQ(fake_stat(NET_STAT_ARP_CACHE_FULL), 1);
	CHECK_EQ(t_send(t_host(n), 1), NET_ENOBUFS);
	CHECK_EQ(fake_stat(NET_STAT_ARP_CACHE_FULL), 2);
	/* A request for us is still answered, just not remembered. */
	t_host_mac(n, mac);
	t_request_for_us(mac, t_host(n));
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_CACHE_FULL), 3);
	/* Failed entries are fair game for reuse. */
	t_fail(t_host(0));
	CHECK_EQ(arp_resolve(t_host(n), mac, now), NET_EAGAIN);
}

/* ---- timers --------------------------------------------------------- */

static uint64_t t_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

TEST(next_deadline_is_exact)
{
	uint8_t mac[6];
	uint64_t t0;

	t_setup();
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	t0 = now;
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	CHECK_EQ(arp_next_deadline(), t0); /* first request due */
	net_poll(now);
	CHECK_EQ(arp_next_deadline(), t0 + INTERVAL);
	/* Nothing happens before it. */
	net_poll(t0 + INTERVAL - 1);
	CHECK_EQ(t_requests_for(HOST_A), 1);
	CHECK_EQ(arp_next_deadline(), t0 + INTERVAL);
	now = t0 + 10;
	t_reply_to_us(a_mac, HOST_A);
	CHECK_EQ(arp_next_deadline(), t0 + 10 + TTL);
	/* The earliest of several. */
	now = t0 + 20;
	CHECK_EQ(t_send(HOST_B, 1), NET_OK);
	CHECK_EQ(arp_next_deadline(), t_min(t0 + 20 + INTERVAL, t0 + 10 + TTL));
}

TEST(next_deadline_through_failure_and_probing)
{
	uint64_t tf, t1;

	t_setup();
	tf = t_fail(HOST_A);
	CHECK_EQ(arp_next_deadline(), tf + ARP_FAILED_HOLD_MS);
	net_poll(tf + ARP_FAILED_HOLD_MS - 1);
	CHECK_EQ(arp_next_deadline(), tf + ARP_FAILED_HOLD_MS);
	now = tf + ARP_FAILED_HOLD_MS;
	net_poll(now);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	t1 = now;
	t_learn(HOST_A, a_mac);
	CHECK(t_sent_to(HOST_A, a_mac));
	CHECK_EQ(arp_next_deadline(), t1 + TTL);
	now = t1 + TTL;
	net_poll(now);
	CHECK_EQ(arp_next_deadline(), now + INTERVAL); /* probing */
}

TEST(flush_drops_everything)
{
	struct net_ipv4_config cfg = {0x0a000003u, FAKE_MASK, FAKE_GW};

	t_setup();
	t_learn(FAKE_GW, gw_mac);
	CHECK_EQ(t_send(HOST_A, 1), NET_OK);
	CHECK_EQ(t_send(HOST_A, 2), NET_OK);
	net_set_ipv4(&cfg, now);
	CHECK_EQ(fake_stat(NET_STAT_ARP_QUEUE_UNRESOLVED), 2);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_ANNOUNCE), 1);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	fake_netdev_tx_clear();
	/* The gateway must be resolved again, from the new address. */
	CHECK_EQ(t_send(FAKE_GW, 3), NET_OK);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
}

TEST(request_counts_even_when_ring_full)
{
	uint8_t mac[6];

	t_setup();
	CHECK_EQ(arp_resolve(HOST_A, mac, now), NET_EAGAIN);
	fake_netdev_set_tx_full(true);
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_ETH_TX_RING_FULL), 1);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REQUEST), 0);
	/* The try is spent: the next request waits its interval. */
	fake_netdev_set_tx_full(false);
	net_poll(now + INTERVAL - 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	net_poll(now + INTERVAL);
	CHECK_EQ(t_requests_for(HOST_A), 1);
}

/* ---- probing for an address (RFC 5227 §2.1.1, for DHCP) ---------------- */

/* The stack without an address, as the DHCP client finds it. */
static void t_setup_unconfigured(void)
{
	struct net_ipv4_config none = {0, 0, 0};

	t_setup();
	net_set_ipv4(&none, now);
	fake_netdev_tx_clear();
	net_stats_reset();
}

TEST(probe_format)
{
	struct arp_pkt a;

	t_setup_unconfigured();
	CHECK_EQ(arp_probe_send(HOST_A), NET_OK);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_PROBE), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	CHECK(t_tx_arp(0, &a));
	CHECK_EQ(a.op, ARP_OP_REQUEST);
	CHECK_MEM(a.sha, fake_mac, 6);
	CHECK_EQ(a.spa, 0);
	CHECK_MEM(a.tha, zero_mac, 6);
	CHECK_EQ(a.tpa, HOST_A);
	/* With the ring full nothing is sent or counted. */
	fake_netdev_set_tx_full(true);
	CHECK_EQ(arp_probe_send(HOST_A), NET_ENOBUFS);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_PROBE), 1);
}

TEST(probe_conflicts)
{
	/* A reply or a request with the address as sender, and another
	 * host's probe for it: each is a conflict. */
	static const uint16_t ops[] = {ARP_OP_REPLY, ARP_OP_REQUEST,
				       ARP_OP_REQUEST};
	static const uint32_t spas[] = {HOST_A, HOST_A, 0};
	static const uint32_t tpas[] = {0, HOST_B, HOST_A};

	for (size_t i = 0; i < 3; i++) {
		t_setup_unconfigured();
		arp_probe_watch(HOST_A);
		CHECK(!arp_probe_has_conflict());
		t_rx_arp(fake_bcast_mac, a_mac, ops[i], a_mac, spas[i], tpas[i]);
		CHECK(arp_probe_has_conflict());
		CHECK_EQ(fake_stat(NET_STAT_ARP_RX_PROBE_CONFLICT), 1);
		CHECK_EQ(fake_netdev_tx_count(), 0);
		CHECK_EQ(arp_next_deadline(), UINT64_MAX);
		/* Watching again (or stopping) clears the flag. */
		arp_probe_watch(0);
		CHECK(!arp_probe_has_conflict());
	}
}

TEST(probe_ignores_the_rest)
{
	t_setup_unconfigured();
	arp_probe_watch(HOST_A);
	/* Other addresses, probes for other addresses, a forged sender
	 * hardware address: not conflicts, and dropped as before. */
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, HOST_B, HOST_A);
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REQUEST, a_mac, 0, HOST_B);
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REPLY, b_mac, HOST_A, 0);
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REPLY, mcast_mac, HOST_A, 0);
	CHECK(!arp_probe_has_conflict());
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_PROBE_CONFLICT), 0);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_NOT_FOR_US), 4);
	/* Not watching: the same conflict goes unnoticed. */
	arp_probe_watch(0);
	t_rx_arp(fake_bcast_mac, a_mac, ARP_OP_REPLY, a_mac, HOST_A, 0);
	CHECK(!arp_probe_has_conflict());
}

TEST(probe_conflict_never_touches_the_cache)
{
	t_setup();
	arp_probe_watch(HOST_A);
	/* Even with an address configured, a conflicting packet is taken
	 * as such and nothing is learned from it. */
	t_request_for_us(a_mac, HOST_A);
	CHECK(arp_probe_has_conflict());
	CHECK_EQ(fake_netdev_tx_count(), 0);
	CHECK_EQ(arp_next_deadline(), UINT64_MAX);
	arp_probe_watch(0);
	t_request_for_us(a_mac, HOST_A);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_REPLY), 1);
}
