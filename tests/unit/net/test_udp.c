/*
 * test_udp.c - UDP sockets, input and output (net/udp.c).
 *
 * The socket table and bind rules; RFC 6056 ephemeral ports; the receive
 * ring (filling, wrap-around of headers and data, truncation); every input
 * drop reason with its counter, fed straight to udp_input() with a
 * constructed struct ipv4_rx; demultiplexing of unicast and broadcast;
 * ICMP errors matched against what a socket sent; and datagrams out
 * through the fake netdev, their checksums verified here independently,
 * fragmented ones reassembled here.
 *
 * The stack is 10.0.0.2/24 with gateway 10.0.0.1 (fake_stack_up()); the
 * peer's MAC is taught to ARP by an ARP request from it for our address.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "fake_netdev.h"
#include "ipv4.h"
#include "net_config.h"
#include "udp.h"

#define OTHER_IP  0x0a000009u /* 10.0.0.9, not ours */
#define PEER_PORT 5353

#define EPH_MIN 49152
#define EPH_MAX 65535

/* A receive-ring record's header (source, port, length): net/udp.c. */
#define T_REC_HDR 8

#define T_RING CONFIG_UDP_RX_RING

static uint64_t now;
static uint8_t dgram[T_RING + 64];
static uint8_t rbuf[T_RING + 64];
static uint8_t ip_hdr[20];
static uint8_t frame[FAKE_FRAME_MAX];
static uint8_t big[65536];

/* ---- helpers -------------------------------------------------------- */

/* Over a datagram with its checksum field in place: 0 when correct. */
static uint16_t t_udp_csum(uint32_t src, uint32_t dst, const uint8_t *u,
			   size_t len)
{
	uint8_t ph[12];

	st_be32(ph, src);
	st_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 17;
	st_be16(ph + 10, (uint16_t)len);
	return fake_csum_fold(
	    fake_csum_add(fake_csum_add(0, ph, sizeof(ph)), u, len));
}

static uint8_t t_pattern(uint8_t seed, size_t i)
{
	return (uint8_t)(seed + i * 13 + (i >> 8));
}

static bool t_has_pattern(const uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != t_pattern(seed, i))
			return false;
	return true;
}

/* A checksummed datagram into dgram; returns its length. */
static size_t t_dgram(uint32_t src, uint32_t dst, uint16_t sport,
		      uint16_t dport, size_t len, uint8_t seed)
{
	uint16_t c;

	st_be16(dgram, sport);
	st_be16(dgram + 2, dport);
	st_be16(dgram + 4, (uint16_t)(8 + len));
	st_be16(dgram + 6, 0);
	for (size_t i = 0; i < len; i++)
		dgram[8 + i] = t_pattern(seed, i);
	c = t_udp_csum(src, dst, dgram, 8 + len);
	st_be16(dgram + 6, c ? c : 0xffff);
	return 8 + len;
}

/* The IPv4 header this file sends: TTL 64, ID 0x1234, no options. */
static struct fake_ip t_ip(uint32_t src, uint32_t dst, uint8_t proto)
{
	struct fake_ip h = {
	    .src = src, .dst = dst, .proto = proto, .ttl = 64, .id = 0x1234};

	return h;
}

/* An IPv4 header (20 bytes, checksummed) into buf. */
static void t_ip_hdr(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto,
		     size_t payload_len)
{
	struct fake_ip h = t_ip(src, dst, proto);

	fake_ipv4_hdr(buf, &h, payload_len);
}

/* Hand the first n bytes of dgram to udp_input(), from src to dst. */
static void t_input(uint32_t src, uint32_t dst, size_t n)
{
	struct ipv4_rx rx = {0};

	t_ip_hdr(ip_hdr, src, dst, 17, n);
	rx.src = src;
	rx.dst = dst;
	rx.proto = 17;
	rx.ttl = 64;
	rx.dst_broadcast =
	    dst == NET_IPV4_BROADCAST || dst == FAKE_SUBNET_BCAST;
	rx.l2_broadcast = rx.dst_broadcast;
	rx.hdr = ip_hdr;
	rx.hdr_len = sizeof(ip_hdr);
	udp_input(&rx, dgram, n, now);
}

/* A datagram of `len` bytes of pattern `seed` from the peer to us. */
static void t_input_peer(uint16_t dport, size_t len, uint8_t seed)
{
	t_input(FAKE_PEER_IP, FAKE_IP,
		t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, dport, len, seed));
}

/* A frame from the peer to (l2dst, dst) carrying n bytes of `l4`. */
static void t_inject(const uint8_t *l2dst, uint32_t dst, uint8_t proto,
		     const uint8_t *l4, size_t n)
{
	struct fake_ip h = t_ip(FAKE_PEER_IP, dst, proto);

	h.l2_dst = l2dst;
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &h, l4, n));
	net_poll(now);
}

static void t_setup(void)
{
	now = 1000;
	fake_stack_up_peer(now);
}

/* An open socket bound to 0.0.0.0:port (0: ephemeral), or < 0. */
static int t_open_bound(uint16_t port)
{
	int s = net_udp_open();

	if (s < 0)
		return s;
	return net_udp_bind(s, NET_IPV4_ANY, port) == NET_OK ? s : -100;
}

static size_t t_max_data(void)
{
	size_t max = ipv4_max_payload() - 8;

	return max < 65507 ? max : 65507;
}

/* ---- socket table ----------------------------------------------------- */

TEST(open_until_table_full)
{
	t_setup();
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++)
		CHECK_EQ(net_udp_open(), i);
	CHECK_EQ(net_udp_open(), NET_ENOBUFS);
	CHECK_EQ(net_udp_close(CONFIG_UDP_SOCKETS / 2), NET_OK);
	CHECK_EQ(net_udp_open(), CONFIG_UDP_SOCKETS / 2);
	CHECK_EQ(net_udp_open(), NET_ENOBUFS);
}

TEST(closed_and_invalid_handles_are_ebadf)
{
	static const int bad[] = {-1, -1000, CONFIG_UDP_SOCKETS, 1};
	uint32_t a;
	uint16_t p;

	t_setup();
	CHECK_EQ(net_udp_open(), 0); /* 1 stays closed */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int s = bad[i];

		CHECK_EQ(net_udp_bind(s, 0, 7), NET_EBADF);
		CHECK_EQ(net_udp_local_port(s), NET_EBADF);
		CHECK_EQ(net_udp_sendto(s, "x", 1, FAKE_PEER_IP, 7, now),
			 NET_EBADF);
		CHECK_EQ(net_udp_recvfrom(s, rbuf, 10, &a, &p), NET_EBADF);
		CHECK(!net_udp_is_readable(s));
		CHECK_EQ(net_udp_close(s), NET_EBADF);
	}
	CHECK_EQ(net_udp_close(0), NET_OK);
	CHECK_EQ(net_udp_close(0), NET_EBADF);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX_FAILED), 0);
}

TEST(net_init_closes_every_socket)
{
	int s;

	t_setup();
	s = t_open_bound(7000);
	CHECK(s >= 0);
	t_input_peer(7000, 10, 1);
	t_setup();
	CHECK_EQ(net_udp_local_port(s), NET_EBADF);
	CHECK(!net_udp_is_readable(s));
	CHECK_EQ(t_open_bound(7000), 0);
}

TEST(close_drops_queue_and_frees_port)
{
	int s, t;

	t_setup();
	s = t_open_bound(7000);
	t_input_peer(7000, 10, 1);
	CHECK(net_udp_is_readable(s));
	CHECK_EQ(net_udp_close(s), NET_OK);
	t = t_open_bound(7000);
	CHECK_EQ(t, s);
	CHECK(!net_udp_is_readable(t));
	CHECK_EQ(net_udp_recvfrom(t, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_EAGAIN);
}

/* ---- binding ---------------------------------------------------------- */

TEST(bind_rules)
{
	int a, b;

	t_setup();
	a = net_udp_open();
	b = net_udp_open();
	CHECK_EQ(net_udp_local_port(a), NET_EINVAL); /* unbound */
	CHECK_EQ(net_udp_bind(a, NET_IPV4_ANY, 5000), NET_OK);
	CHECK_EQ(net_udp_local_port(a), 5000);
	/* One port, one socket, whatever the address. */
	CHECK_EQ(net_udp_bind(b, NET_IPV4_ANY, 5000), NET_EADDRINUSE);
	CHECK_EQ(net_udp_bind(b, FAKE_IP, 5000), NET_EADDRINUSE);
	/* Only 0.0.0.0 or our own address. */
	CHECK_EQ(net_udp_bind(b, OTHER_IP, 5001), NET_EADDRNOTAVAIL);
	CHECK_EQ(net_udp_bind(b, NET_IPV4_BROADCAST, 5001), NET_EADDRNOTAVAIL);
	CHECK_EQ(net_udp_bind(b, FAKE_SUBNET_BCAST, 5001), NET_EADDRNOTAVAIL);
	CHECK_EQ(net_udp_local_port(b), NET_EINVAL);
	/* A bound socket stays bound. */
	CHECK_EQ(net_udp_bind(a, NET_IPV4_ANY, 5002), NET_EINVAL);
	CHECK_EQ(net_udp_local_port(a), 5000);
	CHECK_EQ(net_udp_bind(b, FAKE_IP, 5001), NET_OK);
	CHECK_EQ(net_udp_local_port(b), 5001);
	/* Closing frees the port. */
	CHECK_EQ(net_udp_close(a), NET_OK);
	a = net_udp_open();
	CHECK_EQ(net_udp_bind(a, FAKE_IP, 5000), NET_OK);
}

TEST(bind_without_address)
{
	struct net_ipv4_config none = {0, 0, 0};
	int s;

	t_setup();
	net_set_ipv4(&none, now);
	s = net_udp_open();
	CHECK_EQ(net_udp_bind(s, FAKE_IP, 5000), NET_EADDRNOTAVAIL);
	CHECK_EQ(net_udp_bind(s, NET_IPV4_ANY, 5000), NET_OK);
}

TEST(ephemeral_in_range_and_unique)
{
	int ports[CONFIG_UDP_SOCKETS];

	t_setup();
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++) {
		int s = net_udp_open();

		CHECK_EQ(net_udp_bind(s, NET_IPV4_ANY, 0), NET_OK);
		ports[i] = net_udp_local_port(s);
		CHECK(ports[i] >= EPH_MIN && ports[i] <= EPH_MAX);
		for (int j = 0; j < i; j++)
			CHECK(ports[j] != ports[i]);
	}
}

TEST(ephemeral_not_sequential)
{
	enum { ROUNDS = 40, PICKS = ROUNDS * CONFIG_UDP_SOCKETS };
	static int picks[PICKS];
	int n = 0, sequential = 0, lo = EPH_MAX, hi = EPH_MIN;

	t_setup();
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < CONFIG_UDP_SOCKETS; i++)
			picks[n++] = net_udp_local_port(t_open_bound(0));
		for (int i = 0; i < CONFIG_UDP_SOCKETS; i++)
			CHECK_EQ(net_udp_close(i), NET_OK);
	}
	for (int i = 0; i < PICKS; i++) {
		CHECK(picks[i] >= EPH_MIN && picks[i] <= EPH_MAX);
		if (i > 0 && (picks[i] - picks[i - 1] == 1 ||
			      picks[i - 1] - picks[i] == 1))
			sequential++;
		lo = picks[i] < lo ? picks[i] : lo;
		hi = picks[i] > hi ? picks[i] : hi;
	}
	/* RFC 6056 §3.3.1: a random start each time, not a counter. */
	CHECK(sequential <= 2);
	/* And spread over the range. */
	CHECK(lo < EPH_MIN + 4096);
	CHECK(hi > EPH_MAX - 4096);
}

TEST(ephemeral_searches_past_bound_ports)
{
	int p, s;

	/* The same secret and calls give the same random start twice. */
	t_setup();
	p = net_udp_local_port(t_open_bound(0));
	CHECK(p >= EPH_MIN);
	t_setup();
	CHECK(t_open_bound((uint16_t)p) >= 0);
	if (p < EPH_MAX)
		CHECK(t_open_bound((uint16_t)(p + 1)) >= 0);
	s = t_open_bound(0);
	CHECK(s >= 0);
	/* RFC 6056 §3.3.1: a linear search from the start, wrapping. */
	CHECK_EQ(net_udp_local_port(s), p < EPH_MAX - 1 ? p + 2 : EPH_MIN);
}

TEST(sendto_binds_unbound_socket)
{
	int s, p;

	t_setup();
	s = net_udp_open();
	CHECK_EQ(net_udp_local_port(s), NET_EINVAL);
	CHECK_EQ(net_udp_sendto(s, "x", 1, NET_IPV4_BROADCAST, 9, now), 1);
	p = net_udp_local_port(s);
	CHECK(p >= EPH_MIN && p <= EPH_MAX);
	/* And keeps that port. */
	CHECK_EQ(net_udp_sendto(s, "y", 1, NET_IPV4_BROADCAST, 9, now), 1);
	CHECK_EQ(net_udp_local_port(s), p);
}

/* ---- receive ring ----------------------------------------------------- */

TEST(receive_returns_data_and_source)
{
	uint32_t src = 0;
	uint16_t sport = 0;
	int s;

	t_setup();
	s = t_open_bound(7000);
	CHECK(!net_udp_is_readable(s));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport),
		 NET_EAGAIN);
	t_input_peer(7000, 300, 9);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 1);
	CHECK(net_udp_is_readable(s));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport), 300);
	CHECK_EQ(src, FAKE_PEER_IP);
	CHECK_EQ(sport, PEER_PORT);
	CHECK(t_has_pattern(rbuf, 300, 9));
	CHECK(!net_udp_is_readable(s));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_EAGAIN);
}

TEST(receive_in_order_from_several_sources)
{
	uint32_t src;
	uint16_t sport;
	int s;

	t_setup();
	s = t_open_bound(7000);
	t_input_peer(7000, 10, 1);
	t_input(FAKE_PEER2_IP, FAKE_IP,
		t_dgram(FAKE_PEER2_IP, FAKE_IP, 1111, 7000, 20, 2));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport), 10);
	CHECK_EQ(src, FAKE_PEER_IP);
	CHECK(t_has_pattern(rbuf, 10, 1));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport), 20);
	CHECK_EQ(src, FAKE_PEER2_IP);
	CHECK_EQ(sport, 1111);
	CHECK(t_has_pattern(rbuf, 20, 2));
}

TEST(zero_length_datagram)
{
	uint16_t sport;
	int s;

	t_setup();
	s = t_open_bound(7000);
	t_input_peer(7000, 0, 0);
	CHECK(net_udp_is_readable(s));
	CHECK_EQ(net_udp_recvfrom(s, NULL, 0, NULL, &sport), 0);
	CHECK_EQ(sport, PEER_PORT);
	CHECK(!net_udp_is_readable(s));
}

TEST(truncation_discards_the_rest)
{
	int s;

	t_setup();
	s = t_open_bound(7000);
	t_input_peer(7000, 100, 3);
	t_input_peer(7000, 50, 4);
	memset(rbuf, 0xee, 20);
	/* Like recvfrom(2): the full length comes back, cap bytes are
	 * copied, the rest of that datagram is gone. */
	CHECK_EQ(net_udp_recvfrom(s, rbuf, 10, NULL, NULL), 100);
	CHECK(t_has_pattern(rbuf, 10, 3));
	CHECK_EQ(rbuf[10], 0xee);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), 50);
	CHECK(t_has_pattern(rbuf, 50, 4));
	/* A zero-capacity read discards a datagram and tells its size. */
	t_input_peer(7000, 70, 5);
	CHECK_EQ(net_udp_recvfrom(s, NULL, 0, NULL, NULL), 70);
	CHECK_EQ(net_udp_recvfrom(s, NULL, 0, NULL, NULL), NET_EAGAIN);
	CHECK_EQ(net_udp_recvfrom(s, NULL, 5, NULL, NULL), NET_EINVAL);
}

TEST(ring_fills_then_queue_full)
{
	const size_t len = 1000, rec = T_REC_HDR + len;
	const size_t fit = T_RING / rec;
	size_t free_bytes;
	int s;

	t_setup();
	s = t_open_bound(7000);
	for (size_t i = 0; i <= fit; i++)
		t_input_peer(7000, len, (uint8_t)i);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), fit);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_QUEUE_FULL), 1);
	/* Reading one makes room for one. */
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), len);
	CHECK(t_has_pattern(rbuf, len, 0));
	t_input_peer(7000, len, 0x77);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), fit + 1);
	/* The space left is used to the last byte, and not one more. */
	free_bytes = T_RING - fit * rec;
	CHECK(free_bytes >= T_REC_HDR);
	t_input_peer(7000, free_bytes - T_REC_HDR + 1, 1);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_QUEUE_FULL), 2);
	t_input_peer(7000, free_bytes - T_REC_HDR, 2);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), fit + 2);
	t_input_peer(7000, 0, 3);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_QUEUE_FULL), 3);
	/* Everything queued comes out intact, in order. */
	for (size_t i = 1; i < fit; i++) {
		CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
			 len);
		CHECK(t_has_pattern(rbuf, len, (uint8_t)i));
	}
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), len);
	CHECK(t_has_pattern(rbuf, len, 0x77));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 free_bytes - T_REC_HDR);
	CHECK(t_has_pattern(rbuf, free_bytes - T_REC_HDR, 2));
	CHECK(!net_udp_is_readable(s));
}

TEST(ring_holds_one_datagram_of_its_size)
{
	int s;

	t_setup();
	s = t_open_bound(7000);
	t_input_peer(7000, T_RING - T_REC_HDR + 1, 1);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_QUEUE_FULL), 1);
	t_input_peer(7000, T_RING - T_REC_HDR, 2);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 1);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 T_RING - T_REC_HDR);
	CHECK(t_has_pattern(rbuf, T_RING - T_REC_HDR, 2));
}

/* Queue one datagram from (src, sport) and read it straight back. */
static bool t_roundtrip(int s, uint32_t src, uint16_t sport, size_t len,
			uint8_t seed)
{
	uint32_t got_src = 0;
	uint16_t got_port = 0;

	t_input(src, FAKE_IP, t_dgram(src, FAKE_IP, sport, 7000, len, seed));
	return net_udp_recvfrom(s, rbuf, sizeof(rbuf), &got_src, &got_port) ==
		   (int)len &&
	       got_src == src && got_port == sport &&
	       t_has_pattern(rbuf, len, seed);
}

TEST(ring_wraps_record_header_and_data)
{
	int s;

	t_setup();
	s = t_open_bound(7000);
	/* A record ending 3 bytes before the end: the next record's header
	 * is split 3 + 5 across the wrap. */
	CHECK(t_roundtrip(s, FAKE_PEER_IP, 1, T_RING - 3 - T_REC_HDR, 1));
	CHECK(t_roundtrip(s, FAKE_PEER2_IP, 0xabcd, 100, 2));
	/* That one ended at 5 + 100; fill up to 20 bytes before the end:
	 * the next header fits, its data is split 12 + 88. */
	CHECK(
	    t_roundtrip(s, FAKE_PEER_IP, 3, T_RING - 105 - 20 - T_REC_HDR, 3));
	CHECK(t_roundtrip(s, FAKE_PEER2_IP, 0x1234, 100, 4));
	/* And a record ending exactly at the end of the ring. */
	CHECK(t_roundtrip(s, FAKE_PEER_IP, 5, T_RING - 88 - T_REC_HDR, 5));
	CHECK(t_roundtrip(s, FAKE_PEER2_IP, 6, 33, 6));
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 6);
}

TEST(ring_wraps_many_times)
{
	enum { FIFO = 8 };
	size_t lens[FIFO];
	size_t head = 0, count = 0, through = 0;
	int s;

	t_setup();
	s = t_open_bound(7000);
	for (unsigned i = 0; i < 400; i++) {
		size_t len = (i * 677u) % 1400u;

		t_input_peer(7000, len, (uint8_t)i);
		if (fake_stat(NET_STAT_UDP_RX_QUEUE_FULL) == 0) {
			lens[(head + count) % FIFO] = len;
			count++;
			through += T_REC_HDR + len;
		}
		CHECK_EQ(fake_stat(NET_STAT_UDP_RX_QUEUE_FULL), 0);
		if (count == FIFO - 1 || i % 3 == 0) {
			size_t want = lens[head];
			uint8_t seed = (uint8_t)(i - count + 1);

			CHECK_EQ(
			    net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
			    want);
			CHECK(t_has_pattern(rbuf, want, seed));
			head = (head + 1) % FIFO;
			count--;
		}
	}
	CHECK(through > 5 * (size_t)T_RING);
}

/* ---- input checks ----------------------------------------------------- */

TEST(drop_short)
{
	t_setup();
	t_open_bound(7000);
	t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 10, 0);
	for (size_t n = 0; n < 8; n++)
		t_input(FAKE_PEER_IP, FAKE_IP, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX), 8);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_SHORT), 8);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 0);
}

TEST(drop_bad_length)
{
	size_t n;

	t_setup();
	t_open_bound(7000);
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 10, 0);
	st_be16(dgram + 4, 7); /* below the header's own size */
	t_input(FAKE_PEER_IP, FAKE_IP, n);
	st_be16(dgram + 4, (uint16_t)(n + 1)); /* beyond the IP payload */
	t_input(FAKE_PEER_IP, FAKE_IP, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_BAD_LENGTH), 2);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 0);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 0);
}

TEST(drop_bad_checksum)
{
	size_t n;
	int s;

	t_setup();
	s = t_open_bound(7000);
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 10, 0);
	dgram[12] ^= 1;
	t_input(FAKE_PEER_IP, FAKE_IP, n);
	/* Right bytes, wrong pseudo-header (another sender). */
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 10, 0);
	t_input(FAKE_PEER2_IP, FAKE_IP, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_BAD_CHECKSUM), 2);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 0);
	CHECK(!net_udp_is_readable(s));
	CHECK_EQ(fake_netdev_tx_count(), 0); /* silently (RFC 1122) */
}

TEST(zero_checksum_accepted)
{
	size_t n;
	int s;

	t_setup();
	s = t_open_bound(7000);
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 11, 5);
	st_be16(dgram + 6, 0);
	dgram[9] ^= 0xff; /* not covered by any checksum now */
	t_input(FAKE_PEER_IP, FAKE_IP, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 1);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), 11);
	CHECK_EQ(rbuf[1], (uint8_t)~t_pattern(5, 1));
}

TEST(ip_payload_past_udp_length_trimmed)
{
	size_t n;
	int s;

	t_setup();
	s = t_open_bound(7000);
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 20, 6);
	memset(dgram + n, 0x99, 13);
	t_input(FAKE_PEER_IP, FAKE_IP, n + 13);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 1);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), 20);
	CHECK(t_has_pattern(rbuf, 20, 6));
}

TEST(no_socket_counted)
{
	t_setup();
	t_open_bound(7000);
	t_input_peer(7001, 10, 0);
	/* Port 0 is never bound. */
	t_input_peer(0, 10, 0);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX), 2);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 2);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 0);
}

TEST(source_port_zero_delivered_but_not_answerable)
{
	uint32_t src;
	uint16_t sport = 1;
	int s;

	t_setup();
	s = t_open_bound(7000);
	t_input(FAKE_PEER_IP, FAKE_IP,
		t_dgram(FAKE_PEER_IP, FAKE_IP, 0, 7000, 4, 1));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport), 4);
	CHECK_EQ(sport, 0);
	CHECK_EQ(net_udp_sendto(s, "re", 2, src, sport, now), NET_EINVAL);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(demux_by_bound_address_and_broadcast)
{
	int any, ours;

	t_setup();
	any = t_open_bound(7000);
	ours = net_udp_open();
	CHECK_EQ(net_udp_bind(ours, FAKE_IP, 7001), NET_OK);
	/* Unicast reaches both kinds. */
	t_input_peer(7000, 1, 0);
	t_input_peer(7001, 1, 0);
	CHECK(net_udp_is_readable(any));
	CHECK(net_udp_is_readable(ours));
	net_udp_recvfrom(any, NULL, 0, NULL, NULL);
	net_udp_recvfrom(ours, NULL, 0, NULL, NULL);
	/* Broadcasts (limited and directed) only the 0.0.0.0 one. */
	t_input(FAKE_PEER_IP, NET_IPV4_BROADCAST,
		t_dgram(FAKE_PEER_IP, NET_IPV4_BROADCAST, 1, 7000, 1, 0));
	t_input(FAKE_PEER_IP, FAKE_SUBNET_BCAST,
		t_dgram(FAKE_PEER_IP, FAKE_SUBNET_BCAST, 1, 7000, 1, 0));
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 4);
	t_input(FAKE_PEER_IP, NET_IPV4_BROADCAST,
		t_dgram(FAKE_PEER_IP, NET_IPV4_BROADCAST, 1, 7001, 1, 0));
	t_input(FAKE_PEER_IP, FAKE_SUBNET_BCAST,
		t_dgram(FAKE_PEER_IP, FAKE_SUBNET_BCAST, 1, 7001, 1, 0));
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 4);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 2);
	CHECK(!net_udp_is_readable(ours));
	/* Never an ICMP error about a broadcast (RFC 1122 §3.2.2). */
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(input_through_the_stack)
{
	uint32_t src;
	uint16_t sport;
	size_t n;
	int s;

	t_setup();
	s = t_open_bound(7000);
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 500, 8);
	t_inject(fake_mac, FAKE_IP, 17, dgram, n);
	n = t_dgram(FAKE_PEER_IP, FAKE_SUBNET_BCAST, PEER_PORT, 7000, 5, 9);
	t_inject(fake_bcast_mac, FAKE_SUBNET_BCAST, 17, dgram, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 2);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport), 500);
	CHECK_EQ(src, FAKE_PEER_IP);
	CHECK_EQ(sport, PEER_PORT);
	CHECK(t_has_pattern(rbuf, 500, 8));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), &src, &sport), 5);
	CHECK(t_has_pattern(rbuf, 5, 9));
}

/* One IPv4 fragment of dgram from the peer: bytes [off, off + n). */
static void t_inject_fragment(size_t off, size_t n, bool more)
{
	struct fake_ip h = t_ip(FAKE_PEER_IP, FAKE_IP, 17);

	h.frag = (uint16_t)((more ? 0x2000 : 0) | off / 8);
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &h, dgram + off, n));
	net_poll(now);
}

TEST(fragmented_datagram_received)
{
	size_t n;
	int s;

	t_setup();
	s = t_open_bound(7000);
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 7000, 2500, 7);
	t_inject_fragment(1480, n - 1480, false);
	t_inject_fragment(0, 1480, true);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 1);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), 2500);
	CHECK(t_has_pattern(rbuf, 2500, 7));
}

/* ---- port unreachable ------------------------------------------------- */

TEST(port_unreachable_sent)
{
	const uint8_t *ip, *icmp;
	size_t n;

	t_setup();
	n = t_dgram(FAKE_PEER_IP, FAKE_IP, PEER_PORT, 9999, 40, 1);
	t_inject(fake_mac, FAKE_IP, 17, dgram, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_peer_mac, 6);
	ip = fake_tx_ipv4(0, 1);
	CHECK(ip != NULL);
	CHECK_EQ(ld_be32(ip + 12), FAKE_IP);
	CHECK_EQ(ld_be32(ip + 16), FAKE_PEER_IP);
	/* Header, then the offending IP header and 8 bytes of UDP. */
	CHECK_EQ(ld_be16(ip + 2), 20 + 8 + 20 + 8);
	icmp = ip + 20;
	CHECK_EQ(icmp[0], 3);
	CHECK_EQ(icmp[1], 3);
	CHECK_EQ(fake_csum(icmp, 36), 0);
	CHECK_MEM(icmp + 8, frame + 14, 20);
	CHECK_MEM(icmp + 28, dgram, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), 1);
}

TEST(no_port_unreachable_for_broadcast)
{
	size_t n;

	t_setup();
	n = t_dgram(FAKE_PEER_IP, NET_IPV4_BROADCAST, PEER_PORT, 9999, 40, 1);
	t_inject(fake_bcast_mac, NET_IPV4_BROADCAST, 17, dgram, n);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

/* ---- ICMP errors ------------------------------------------------------ */

/* A quoted IP header and UDP header: what an ICMP error carries. */
static void t_quote(uint8_t q[28], uint32_t src, uint32_t dst, uint16_t sport,
		    uint16_t dport)
{
	t_ip_hdr(q, src, dst, 17, 8 + 1);
	st_be16(q + 20, sport);
	st_be16(q + 22, dport);
	st_be16(q + 24, 9);
	st_be16(q + 26, 0x4242);
}

/* A socket on port 40000 that has sent one datagram to the peer:53. */
static int t_sender(void)
{
	int s = t_open_bound(40000);

	if (net_udp_sendto(s, "q", 1, FAKE_PEER_IP, 53, now) != 1)
		return -1;
	fake_netdev_tx_clear();
	return s;
}

static void t_error(uint8_t type, uint8_t code, uint32_t src, uint32_t dst,
		    uint16_t sport, uint16_t dport)
{
	uint8_t q[28];

	t_quote(q, src, dst, sport, dport);
	udp_icmp_error(type, code, src, dst, q + 20);
}

TEST(icmp_error_matching_reported_once)
{
	int s;

	t_setup();
	s = t_sender();
	CHECK(s >= 0);
	t_error(3, 3, FAKE_IP, FAKE_PEER_IP, 40000, 53);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 0);
	CHECK(net_udp_is_readable(s));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_ECONNREFUSED);
	CHECK(!net_udp_is_readable(s));
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_EAGAIN);
}

TEST(icmp_error_spoofed_tuples_ignored)
{
	static const struct {
		uint32_t src, dst;
		uint16_t sport, dport;
	} spoof[] = {
	    {FAKE_IP, FAKE_PEER_IP, 40000, 54},	 /* another remote port */
	    {FAKE_IP, FAKE_PEER2_IP, 40000, 53}, /* another remote host */
	    {FAKE_IP, FAKE_PEER_IP, 40001, 53},	 /* another local port */
	    {OTHER_IP, FAKE_PEER_IP, 40000, 53}, /* not our address */
	    {FAKE_IP, NET_IPV4_BROADCAST, 40000, 53},
	};
	int s;

	t_setup();
	s = t_sender();
	CHECK(s >= 0);
	for (size_t i = 0; i < sizeof(spoof) / sizeof(spoof[0]); i++) {
		t_error(3, 3, spoof[i].src, spoof[i].dst, spoof[i].sport,
			spoof[i].dport);
		CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), i + 1);
		CHECK(!net_udp_is_readable(s));
	}
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_EAGAIN);
}

TEST(icmp_error_before_any_send_ignored)
{
	int s;

	t_setup();
	s = t_open_bound(40000);
	t_error(3, 3, FAKE_IP, FAKE_PEER_IP, 40000, 53);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 1);
	CHECK(!net_udp_is_readable(s));
	/* Nor for a port no socket has. */
	t_error(3, 3, FAKE_IP, FAKE_PEER_IP, 40001, 53);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 2);
}

TEST(icmp_error_only_about_last_destination)
{
	int s;

	t_setup();
	s = t_sender();
	CHECK(s >= 0);
	CHECK_EQ(net_udp_sendto(s, "r", 1, FAKE_PEER_IP, 123, now), 1);
	t_error(3, 3, FAKE_IP, FAKE_PEER_IP, 40000, 53);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 1);
	t_error(3, 3, FAKE_IP, FAKE_PEER_IP, 40000, 123);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_ECONNREFUSED);
}

TEST(icmp_error_codes)
{
	static const struct {
		uint8_t type, code;
		int err; /* NET_OK: ignored */
	} codes[] = {
	    {3, 0, NET_EHOSTUNREACH}, {3, 1, NET_EHOSTUNREACH},
	    {3, 2, NET_ECONNREFUSED}, {3, 3, NET_ECONNREFUSED},
	    {3, 4, NET_OK},	      {3, 13, NET_OK},
	    {11, 0, NET_OK},	      {12, 0, NET_OK},
	    {4, 0, NET_OK},
	};
	uint64_t ignored = 0;
	int s;

	t_setup();
	s = t_sender();
	CHECK(s >= 0);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		t_error(codes[i].type, codes[i].code, FAKE_IP, FAKE_PEER_IP,
			40000, 53);
		if (codes[i].err == NET_OK) {
			ignored++;
			CHECK(!net_udp_is_readable(s));
		} else {
			CHECK_EQ(
			    net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
			    codes[i].err);
		}
		CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), ignored);
	}
}

TEST(icmp_error_comes_before_queued_data)
{
	int s;

	t_setup();
	s = t_sender();
	CHECK(s >= 0);
	t_input_peer(40000, 12, 3);
	t_error(3, 1, FAKE_IP, FAKE_PEER_IP, 40000, 53);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_EHOSTUNREACH);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL), 12);
	CHECK(t_has_pattern(rbuf, 12, 3));
}

TEST(icmp_error_through_the_stack)
{
	uint8_t msg[8 + 28];
	int s;

	t_setup();
	s = t_sender();
	CHECK(s >= 0);
	memset(msg, 0, 8);
	msg[0] = 3;
	msg[1] = 3;
	t_quote(msg + 8, FAKE_IP, FAKE_PEER_IP, 40000, 53);
	st_be16(msg + 2, fake_csum(msg, sizeof(msg)));
	t_inject(fake_mac, FAKE_IP, 1, msg, sizeof(msg));
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 0);
	CHECK_EQ(net_udp_recvfrom(s, rbuf, sizeof(rbuf), NULL, NULL),
		 NET_ECONNREFUSED);
	/* A spoof quoting another remote port changes nothing. */
	t_quote(msg + 8, FAKE_IP, FAKE_PEER_IP, 40000, 54);
	st_be16(msg + 2, 0);
	st_be16(msg + 2, fake_csum(msg, sizeof(msg)));
	t_inject(fake_mac, FAKE_IP, 1, msg, sizeof(msg));
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 1);
	CHECK(!net_udp_is_readable(s));
}

/* ---- output ----------------------------------------------------------- */

TEST(send_argument_checks)
{
	int s;

	t_setup();
	s = t_open_bound(40000);
	CHECK_EQ(net_udp_sendto(s, "x", 1, 0, 53, now), NET_EINVAL);
	CHECK_EQ(net_udp_sendto(s, "x", 1, FAKE_PEER_IP, 0, now), NET_EINVAL);
	CHECK_EQ(net_udp_sendto(s, NULL, 5, FAKE_PEER_IP, 53, now), NET_EINVAL);
	CHECK_EQ(
	    net_udp_sendto(s, big, t_max_data() + 1, FAKE_PEER_IP, 53, now),
	    NET_EMSGSIZE);
	CHECK_EQ(net_udp_sendto(s, big, 65536, FAKE_PEER_IP, 53, now),
		 NET_EMSGSIZE);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX_FAILED), 5);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	/* An empty datagram is fine, with or without a buffer. */
	CHECK_EQ(net_udp_sendto(s, NULL, 0, NET_IPV4_BROADCAST, 9, now), 0);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX), 1);
}

TEST(send_without_address)
{
	struct net_ipv4_config none = {0, 0, 0};
	int s;

	t_setup();
	net_set_ipv4(&none, now);
	s = net_udp_open();
	CHECK_EQ(net_udp_sendto(s, "x", 1, FAKE_PEER_IP, 53, now),
		 NET_ENETUNREACH);
	CHECK_EQ(net_udp_local_port(s), NET_EINVAL); /* not bound either */
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX_FAILED), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(send_from_address_no_longer_ours)
{
	struct net_ipv4_config moved = {OTHER_IP, FAKE_MASK, FAKE_GW};
	int s;

	t_setup();
	s = net_udp_open();
	CHECK_EQ(net_udp_bind(s, FAKE_IP, 7000), NET_OK);
	CHECK_EQ(net_set_ipv4(&moved, now), NET_OK);
	fake_netdev_tx_clear();
	CHECK_EQ(net_udp_sendto(s, "x", 1, FAKE_PEER_IP, 53, now),
		 NET_EADDRNOTAVAIL);
	t_input(FAKE_PEER_IP, OTHER_IP,
		t_dgram(FAKE_PEER_IP, OTHER_IP, PEER_PORT, 7000, 1, 0));
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 1);
}

/* The UDP datagram of transmitted frame i (unfragmented), or NULL. */
static const uint8_t *t_tx_udp(size_t i, size_t *len)
{
	const uint8_t *ip = fake_tx_ipv4(i, 17);

	if (!ip || (ld_be16(ip + 6) & 0x3fff) != 0)
		return NULL;
	*len = ld_be16(ip + 2) - 20u;
	return ip + 20;
}

TEST(send_to_peer_emits_correct_frame)
{
	static const char msg[] = "hello, keel"; /* odd length: 11 */
	const uint8_t *ip, *u;
	size_t len;
	int s;

	t_setup();
	s = t_open_bound(40000);
	CHECK_EQ(net_udp_sendto(s, msg, 11, FAKE_PEER_IP, PEER_PORT, now), 11);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_peer_mac, 6);
	CHECK_MEM(fake_netdev_tx(0)->data + 6, fake_mac, 6);
	ip = fake_tx_ipv4(0, 17);
	CHECK(ip != NULL);
	CHECK_EQ(ld_be32(ip + 12), FAKE_IP);
	CHECK_EQ(ld_be32(ip + 16), FAKE_PEER_IP);
	u = t_tx_udp(0, &len);
	CHECK(u != NULL);
	CHECK_EQ(len, 8 + 11);
	CHECK_EQ(ld_be16(u), 40000);
	CHECK_EQ(ld_be16(u + 2), PEER_PORT);
	CHECK_EQ(ld_be16(u + 4), 8 + 11);
	CHECK(ld_be16(u + 6) != 0); /* always computed */
	CHECK_EQ(t_udp_csum(FAKE_IP, FAKE_PEER_IP, u, len), 0);
	CHECK_MEM(u + 8, msg, 11);
}

TEST(send_broadcast)
{
	const uint8_t *u;
	size_t len;
	int s;

	t_setup();
	s = t_open_bound(68);
	CHECK_EQ(net_udp_sendto(s, "dhcp?", 5, NET_IPV4_BROADCAST, 67, now), 5);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	u = t_tx_udp(0, &len);
	CHECK(u != NULL);
	CHECK_EQ(ld_be16(u), 68);
	CHECK_EQ(t_udp_csum(FAKE_IP, NET_IPV4_BROADCAST, u, len), 0);
}

TEST(send_when_ring_full_is_eagain)
{
	int s;

	t_setup();
	s = t_open_bound(40000);
	fake_netdev_set_tx_full(true);
	CHECK_EQ(net_udp_sendto(s, "x", 1, FAKE_PEER_IP, 53, now), NET_EAGAIN);
	CHECK_EQ(net_udp_sendto(s, "x", 1, NET_IPV4_BROADCAST, 53, now),
		 NET_EAGAIN);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX_FAILED), 2);
	fake_netdev_set_tx_full(false);
	CHECK_EQ(net_udp_sendto(s, "x", 1, NET_IPV4_BROADCAST, 53, now), 1);
}

TEST(send_link_down_passed_through)
{
	int s;

	t_setup();
	s = t_open_bound(40000);
	fake_netdev_set_link(false);
	CHECK_EQ(net_udp_sendto(s, "x", 1, NET_IPV4_BROADCAST, 53, now),
		 NET_ENETUNREACH);
	CHECK_EQ(fake_stat(NET_STAT_UDP_TX_FAILED), 1);
}

/* Reassemble the fragments captured in the fake's TX queue into `out`. */
static size_t t_reassemble_tx(uint8_t *out, size_t cap)
{
	const uint8_t *first = fake_tx_ipv4(0, 17);
	size_t total = 0;

	for (size_t i = 0; first && i < fake_netdev_tx_count(); i++) {
		const uint8_t *ip = fake_tx_ipv4(i, 17);
		size_t off, n;

		if (!ip || ld_be16(ip + 4) != ld_be16(first + 4))
			return 0;
		off = (size_t)(ld_be16(ip + 6) & 0x1fff) * 8;
		n = ld_be16(ip + 2) - 20u;
		if (off + n > cap)
			return 0;
		memcpy(out + off, ip + 20, n);
		/* All but the last carry MF and a multiple of 8 bytes. */
		if (ld_be16(ip + 6) & 0x2000) {
			if (n % 8 != 0)
				return 0;
		} else {
			total = off + n;
		}
	}
	return total;
}

TEST(send_large_datagram_fragmented)
{
	static uint8_t got[65536];
	const size_t len = 3000;
	size_t total;
	int s;

	t_setup();
	s = t_open_bound(40000);
	for (size_t i = 0; i < len; i++)
		big[i] = t_pattern(11, i);
	CHECK_EQ(net_udp_sendto(s, big, len, FAKE_PEER_IP, PEER_PORT, now),
		 (int)len);
	/* 3008 bytes of UDP in 1480-byte pieces. */
	CHECK_EQ(fake_netdev_tx_count(), 3);
	total = t_reassemble_tx(got, sizeof(got));
	CHECK_EQ(total, 8 + len);
	CHECK_EQ(ld_be16(got + 4), 8 + len);
	CHECK_EQ(t_udp_csum(FAKE_IP, FAKE_PEER_IP, got, total), 0);
	CHECK(t_has_pattern(got + 8, len, 11));
}

TEST(send_largest_datagram)
{
	static uint8_t got[65536];
	size_t max = t_max_data();
	int s;

	t_setup();
	s = t_open_bound(40000);
	for (size_t i = 0; i < max; i++)
		big[i] = t_pattern(12, i);
	CHECK_EQ(net_udp_sendto(s, big, max, FAKE_PEER_IP, PEER_PORT, now),
		 (int)max);
	CHECK_EQ(t_reassemble_tx(got, sizeof(got)), 8 + max);
	CHECK_EQ(t_udp_csum(FAKE_IP, FAKE_PEER_IP, got, 8 + max), 0);
	CHECK(t_has_pattern(got + 8, max, 12));
	fake_netdev_tx_clear();
	CHECK_EQ(net_udp_sendto(s, big, max + 1, FAKE_PEER_IP, PEER_PORT, now),
		 NET_EMSGSIZE);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}
