/*
 * test_icmp.c - ICMP (net/icmp.c, net/icmp_wire.c).
 *
 * The wire format against an echo request and reply captured from Linux
 * 6.x (ping 10.9.0.1 -> 10.9.0.2 over a veth pair); echo replies through
 * the fake netdev, including a 10000-ping flood; received errors with good
 * and bogus quotes; the RFC 1122 §3.2.2 "never" rules of error generation
 * one by one; and the token bucket against a fake clock.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "fake_netdev.h"
#include "icmp.h"
#include "icmp_wire.h"
#include "ipv4_wire.h"
#include "net_config.h"

/* The ICMP part of a captured 56-byte ping and of Linux's answer. */
static const uint8_t cap_request[64] = {
    0x08, 0x00, 0xd6, 0x3b, 0x2a, 0xb7, 0x00, 0x01, 0x29, 0xc8, 0x0a,
    0x6b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x04, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
    0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
    0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e,
    0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};
static const uint8_t cap_reply_hdr[8] = {0x00, 0x00, 0xde, 0x3b,
					 0x2a, 0xb7, 0x00, 0x01};

static uint64_t now;
static uint8_t frame[1600];

/* ---- helpers -------------------------------------------------------- */

static void t_setup(void)
{
	now = 1000;
	fake_stack_up_peer(now);
}

/* An IPv4 header (20 bytes, checksummed) into buf. */
static void t_ip_hdr(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto,
		     size_t payload_len)
{
	struct fake_ip h = {
	    .src = src, .dst = dst, .proto = proto, .ttl = 64, .id = 0x5151};

	fake_ipv4_hdr(buf, &h, payload_len);
}

/* A frame from the peer to `dst` carrying `msg`; returns its length. */
static size_t t_frame(uint32_t dst, const uint8_t *l2_dst, const uint8_t *msg,
		      size_t len)
{
	struct fake_ip h = {.src = FAKE_PEER_IP,
			    .dst = dst,
			    .proto = 1,
			    .ttl = 64,
			    .id = 0x5151,
			    .l2_dst = l2_dst};

	return fake_ipv4_frame(frame, &h, msg, len);
}

static void t_send_icmp(const uint8_t *msg, size_t len)
{
	fake_netdev_inject(frame, t_frame(FAKE_IP, fake_mac, msg, len));
	net_poll(now);
}

/* The ICMP message of transmitted frame i (NULL if not one). */
static const uint8_t *t_tx_icmp(size_t i, size_t *len)
{
	const uint8_t *ip = fake_tx_ipv4(i, 1);

	if (!ip || fake_netdev_tx(i)->len < 42)
		return NULL;
	*len = ld_be16(ip + 2) - 20u;
	return ip + 20;
}

/* An error message `type/code` quoting `quote` (quote_len bytes). */
static size_t t_error_msg(uint8_t *msg, uint8_t type, uint8_t code,
			  const uint8_t *quote, size_t quote_len)
{
	memcpy(msg + 8, quote, quote_len);
	return fake_icmp_msg(msg, type, code, 0, quote_len);
}

/* A quote of a UDP datagram we sent to the peer: header + 8 bytes. */
static void t_udp_quote(uint8_t *q)
{
	t_ip_hdr(q, FAKE_IP, FAKE_PEER_IP, 17, 20);
	st_be16(q + 20, 40000);
	st_be16(q + 22, 53);
	st_be16(q + 24, 28);
	st_be16(q + 26, 0);
}

/* ---- wire ----------------------------------------------------------- */

TEST(wire_parse_captured_request)
{
	struct icmp_hdr h;

	CHECK_EQ(icmp_wire_parse(cap_request, sizeof(cap_request), &h),
		 ICMP_WIRE_OK);
	CHECK_EQ(h.type, ICMP_ECHO_REQUEST);
	CHECK_EQ(h.code, 0);
	CHECK_EQ(h.checksum, 0xd63b);
	CHECK_EQ(h.id, 0x2ab7);
	CHECK_EQ(h.seq, 1);
}

TEST(wire_emit_reproduces_captured_reply)
{
	struct icmp_hdr h = {ICMP_ECHO_REPLY, 0, 0, 0x2ab7, 1};
	uint8_t out[ICMP_HDR_LEN];

	CHECK_EQ(
	    icmp_wire_emit(out, &h, cap_request + 8, sizeof(cap_request) - 8),
	    ICMP_HDR_LEN);
	CHECK_MEM(out, cap_reply_hdr, sizeof(out));
}

TEST(wire_short_and_bad_checksum)
{
	uint8_t m[sizeof(cap_request)];
	struct icmp_hdr h;

	for (size_t n = 0; n < ICMP_HDR_LEN; n++)
		CHECK_EQ(icmp_wire_parse(cap_request, n, &h), ICMP_WIRE_SHORT);
	/* A truncated message fails its checksum. */
	CHECK_EQ(icmp_wire_parse(cap_request, sizeof(m) - 1, &h),
		 ICMP_WIRE_BAD_CHECKSUM);
	memcpy(m, cap_request, sizeof(m));
	for (size_t i = 0; i < sizeof(m); i++) {
		m[i] ^= 0x10;
		CHECK_EQ(icmp_wire_parse(m, sizeof(m), &h),
			 ICMP_WIRE_BAD_CHECKSUM);
		m[i] ^= 0x10;
	}
}

TEST(wire_quote_valid)
{
	uint8_t q[28];
	struct icmp_quote out;

	t_udp_quote(q);
	CHECK_EQ(icmp_wire_parse_quote(q, sizeof(q), &out), NET_OK);
	CHECK_EQ(out.src, FAKE_IP);
	CHECK_EQ(out.dst, FAKE_PEER_IP);
	CHECK_EQ(out.proto, 17);
	CHECK(out.l4 == q + 20);
}

TEST(wire_quote_bogus)
{
	uint8_t q[40];
	struct icmp_quote out;

	t_udp_quote(q);
	for (size_t n = 0; n < 28; n++)
		CHECK_EQ(icmp_wire_parse_quote(q, n, &out), NET_EBADMSG);
	q[0] = 0x65; /* version 6 */
	CHECK_EQ(icmp_wire_parse_quote(q, 28, &out), NET_EBADMSG);
	q[0] = 0x44; /* IHL 4 */
	CHECK_EQ(icmp_wire_parse_quote(q, 28, &out), NET_EBADMSG);
	q[0] = 0x46; /* IHL 6 leaves 4 transport bytes */
	CHECK_EQ(icmp_wire_parse_quote(q, 28, &out), NET_EBADMSG);
	CHECK_EQ(icmp_wire_parse_quote(q, 32, &out), NET_OK);
	q[0] = 0x45;
	st_be16(q + 6, 0x2001); /* not the first fragment */
	CHECK_EQ(icmp_wire_parse_quote(q, 28, &out), NET_EBADMSG);
	st_be16(q + 6, 0x2000); /* the first: fine */
	CHECK_EQ(icmp_wire_parse_quote(q, 28, &out), NET_OK);
}

TEST(wire_query_types)
{
	static const uint8_t queries[] = {0, 8, 9, 10, 13, 14, 15, 16, 17, 18};
	static const uint8_t errors[] = {3, 4, 5,  11, 12, 1,  2,
					 6, 7, 19, 40, 42, 255};

	for (size_t i = 0; i < sizeof(queries); i++)
		CHECK(icmp_wire_is_query(queries[i]));
	for (size_t i = 0; i < sizeof(errors); i++)
		CHECK(!icmp_wire_is_query(errors[i]));
}

/* ---- echo ----------------------------------------------------------- */

TEST(echo_reply_matches_linux)
{
	const uint8_t *r;
	size_t len;

	t_setup();
	t_send_icmp(cap_request, sizeof(cap_request));
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ECHO_REPLY), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	r = t_tx_icmp(0, &len);
	CHECK(r);
	CHECK_EQ(len, sizeof(cap_request));
	CHECK_MEM(r, cap_reply_hdr, 8);
	CHECK_MEM(r + 8, cap_request + 8, sizeof(cap_request) - 8);
	CHECK_EQ(ld_be32(fake_netdev_tx(0)->data + 14 + 16), FAKE_PEER_IP);
}

TEST(echo_any_size)
{
	static const size_t sizes[] = {0, 1, 7, 255, 1472};
	static uint8_t msg[8 + 1472];

	t_setup();
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		const uint8_t *r;
		size_t len;

		memset(msg, 0, 8);
		msg[0] = 8;
		st_be16(msg + 4, 0x77);
		st_be16(msg + 6, (uint16_t)k);
		for (size_t i = 0; i < sizes[k]; i++)
			msg[8 + i] = (uint8_t)(i + k);
		st_be16(msg + 2, fake_csum(msg, 8 + sizes[k]));
		t_send_icmp(msg, 8 + sizes[k]);
		r = t_tx_icmp(k, &len);
		CHECK(r);
		CHECK_EQ(len, 8 + sizes[k]);
		CHECK_EQ(r[0], 0);
		CHECK_EQ(fake_csum(r, len), 0);
		CHECK_MEM(r + 4, msg + 4, len - 4);
	}
}

TEST(echo_short_and_bad_checksum_dropped)
{
	uint8_t m[sizeof(cap_request)];

	t_setup();
	t_send_icmp(cap_request, 7);
	memcpy(m, cap_request, sizeof(m));
	m[40] ^= 1;
	t_send_icmp(m, sizeof(m));
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_SHORT), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_BAD_CHECKSUM), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(echo_to_broadcast_ignored)
{
	t_setup();
	fake_netdev_inject(frame, t_frame(NET_IPV4_BROADCAST, fake_bcast_mac,
					  cap_request, sizeof(cap_request)));
	fake_netdev_inject(frame, t_frame(FAKE_SUBNET_BCAST, fake_bcast_mac,
					  cap_request, sizeof(cap_request)));
	fake_netdev_inject(frame, t_frame(FAKE_SUBNET_BCAST, fake_mac,
					  cap_request, sizeof(cap_request)));
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_BROADCAST_ECHO), 3);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(ping_flood_never_rate_limited)
{
	uint8_t msg[8 + 56];
	uint8_t data[8];
	struct ipv4_rx rx = {0};
	int sent = 0;

	t_setup();
	/* Empty the error bucket first: echo replies must not care. */
	t_ip_hdr(frame, FAKE_PEER_IP, FAKE_IP, 99, 8);
	rx.src = FAKE_PEER_IP;
	rx.dst = FAKE_IP;
	rx.proto = 99;
	rx.hdr = frame;
	rx.hdr_len = 20;
	memset(data, 0, sizeof(data));
	for (int i = 0; i < CONFIG_ICMP_BURST + 1; i++)
		icmp_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, &rx,
				data, sizeof(data), now);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 1);
	while (sent < 10000) {
		for (int b = 0; b < 50; b++, sent++) {
			memcpy(msg, cap_request, sizeof(msg));
			st_be16(msg + 6, (uint16_t)sent);
			st_be16(msg + 2, 0);
			st_be16(msg + 2, fake_csum(msg, sizeof(msg)));
			CHECK(fake_netdev_inject(
			    frame,
			    t_frame(FAKE_IP, fake_mac, msg, sizeof(msg))));
		}
		fake_netdev_tx_clear();
		net_poll(now);
	}
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 10000);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ECHO_REPLY), 10000);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 1);
}

TEST(unknown_and_ignored_types)
{
	/* Echo reply, redirect, router advert/solicit, timestamp, info,
	 * address mask, and types nobody defined. */
	static const uint8_t types[] = {0, 5, 9, 10, 13, 15, 17, 42, 255};
	uint8_t m[8 + 12];

	t_setup();
	for (size_t i = 0; i < sizeof(types); i++) {
		memset(m, 0, sizeof(m));
		m[0] = types[i];
		st_be16(m + 2, fake_csum(m, sizeof(m)));
		t_send_icmp(m, sizeof(m));
	}
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_UNKNOWN_TYPE), sizeof(types));
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

/* ---- received errors ------------------------------------------------ */

/*
 * A UDP socket bound to port 40000 that has sent one datagram to the
 * peer's port 53; q gets what the peer would quote of it (header + 8).
 */
static int t_udp_sender(uint8_t q[28])
{
	int s = net_udp_open();

	if (s < 0 || net_udp_bind(s, 0, 40000) != NET_OK ||
	    net_udp_sendto(s, "ping", 4, FAKE_PEER_IP, 53, now) != 4 ||
	    fake_netdev_tx_count() != 1) {
		net_udp_close(s);
		return -1;
	}
	memcpy(q, fake_netdev_tx(0)->data + 14, 28);
	fake_netdev_tx_clear();
	net_stats_reset();
	return s;
}

/* Send an error of type/code quoting qlen bytes of q. */
static void t_send_error(uint8_t type, uint8_t code, const uint8_t *q,
			 size_t qlen)
{
	uint8_t m[8 + 28];

	t_send_icmp(m, t_error_msg(m, type, code, q, qlen));
}

TEST(udp_errors_reach_the_socket)
{
	uint8_t q[28], buf[8];
	int s;

	t_setup();
	s = t_udp_sender(q);
	CHECK(s >= 0);
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, q, sizeof(q));
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 0);
	CHECK_EQ(net_udp_recvfrom(s, buf, sizeof(buf), NULL, NULL),
		 NET_ECONNREFUSED);
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, q, sizeof(q));
	CHECK_EQ(net_udp_recvfrom(s, buf, sizeof(buf), NULL, NULL),
		 NET_EHOSTUNREACH);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	net_udp_close(s);
}

TEST(bogus_quotes_ignored)
{
	uint8_t good[28], q[28], m[8 + 28], buf[8];
	int s;

	t_setup();
	s = t_udp_sender(good);
	CHECK(s >= 0);
	/* Truncated: header only, less than a header, nothing. */
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, good, 20);
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, good, 10);
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, good, 0);
	memcpy(q, good, sizeof(q));
	q[0] = 0x65; /* version 6 */
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, q, 28);
	q[0] = 0x43; /* IHL 3 */
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, q, 28);
	/* Not about a datagram of ours (RFC 5927 §4.1). */
	memcpy(q, good, sizeof(q));
	st_be32(q + 12, 0x0a000009);
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, q, 28);
	/* About TCP (not yet), and about a later fragment. */
	memcpy(q, good, sizeof(q));
	q[9] = 6;
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, q, 28);
	memcpy(q, good, sizeof(q));
	st_be16(q + 6, 0x0010);
	t_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, q, 28);
	/* Source quench is deprecated (RFC 6633). */
	t_send_error(ICMP_SOURCE_QUENCH, 0, good, 28);
	/* An "error" sent to a broadcast address. */
	fake_netdev_inject(frame,
			   t_frame(NET_IPV4_BROADCAST, fake_bcast_mac, m,
				   t_error_msg(m, ICMP_DEST_UNREACH,
					       ICMP_UNREACH_PORT, good, 28)));
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR), 10);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ERROR_IGNORED), 10);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	/* None of them reached the socket. */
	CHECK_EQ(net_udp_recvfrom(s, buf, sizeof(buf), NULL, NULL), NET_EAGAIN);
	net_udp_close(s);
}

/* ---- error generation ----------------------------------------------- */

static uint8_t gen_hdr[24];
static uint8_t gen_payload[16];

/* A datagram from the peer to us that deserves an error, as ipv4 sees it. */
static struct ipv4_rx t_offender(uint8_t proto)
{
	struct ipv4_rx rx = {0};

	t_ip_hdr(gen_hdr, FAKE_PEER_IP, FAKE_IP, proto, sizeof(gen_payload));
	for (size_t i = 0; i < sizeof(gen_payload); i++)
		gen_payload[i] = (uint8_t)(0xc0 + i);
	rx.src = FAKE_PEER_IP;
	rx.dst = FAKE_IP;
	rx.proto = proto;
	rx.ttl = 64;
	rx.hdr = gen_hdr;
	rx.hdr_len = 20;
	return rx;
}

static void t_gen(const struct ipv4_rx *rx, const uint8_t *payload, size_t len)
{
	icmp_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, rx, payload,
			len, now);
}

TEST(error_quotes_header_and_8_bytes)
{
	struct ipv4_rx rx;
	const uint8_t *r;
	size_t len;

	t_setup();
	rx = t_offender(99);
	t_gen(&rx, gen_payload, sizeof(gen_payload));
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), 1);
	r = t_tx_icmp(0, &len);
	CHECK(r);
	CHECK_EQ(len, 8 + 20 + 8);
	CHECK_EQ(r[0], 3);
	CHECK_EQ(r[1], 2);
	CHECK_EQ(fake_csum(r, len), 0);
	CHECK_MEM(r + 8, gen_hdr, 20);
	CHECK_MEM(r + 28, gen_payload, 8);
	/* Shorter payloads are quoted whole. */
	t_gen(&rx, gen_payload, 3);
	r = t_tx_icmp(1, &len);
	CHECK(r);
	CHECK_EQ(len, 8 + 20 + 3);
	CHECK_EQ(fake_csum(r, len), 0);
}

TEST(never_about_icmp_errors)
{
	static const uint8_t err_types[] = {3, 4, 5, 11, 12, 200};
	struct ipv4_rx rx;

	t_setup();
	rx = t_offender(IPV4_PROTO_ICMP);
	for (size_t i = 0; i < sizeof(err_types); i++) {
		gen_payload[0] = err_types[i];
		t_gen(&rx, gen_payload, sizeof(gen_payload));
	}
	t_gen(&rx, gen_payload, 0);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED),
		 sizeof(err_types) + 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	/* About an ICMP query (an echo request) is fine. */
	gen_payload[0] = ICMP_ECHO_REQUEST;
	t_gen(&rx, gen_payload, sizeof(gen_payload));
	CHECK_EQ(fake_netdev_tx_count(), 1);
}

TEST(never_about_broadcast_or_multicast)
{
	struct ipv4_rx rx;

	t_setup();
	rx = t_offender(99);
	rx.dst_broadcast = true;
	t_gen(&rx, gen_payload, 8);
	rx = t_offender(99);
	rx.l2_broadcast = true;
	t_gen(&rx, gen_payload, 8);
	rx = t_offender(99);
	rx.dst = 0xe0000001;
	t_gen(&rx, gen_payload, 8);
	rx.dst = 0x0a000003; /* not even ours */
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED), 4);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(never_about_later_fragments)
{
	struct ipv4_rx rx;

	t_setup();
	rx = t_offender(99);
	st_be16(gen_hdr + 6, 0x0001);
	t_gen(&rx, gen_payload, 8);
	st_be16(gen_hdr + 6, 0x2003);
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED), 2);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	/* The first fragment (MF, offset 0) may be reported. */
	st_be16(gen_hdr + 6, 0x2000);
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_netdev_tx_count(), 1);
}

TEST(never_to_non_unicast_sources)
{
	static const uint32_t bad[] = {
	    0x00000000,	       0x7f000001, 0xe0000005, NET_IPV4_BROADCAST,
	    FAKE_SUBNET_BCAST, 0x0a000000, FAKE_IP,    0xf0000001,
	};
	struct ipv4_rx rx;

	t_setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rx = t_offender(99);
		rx.src = bad[i];
		t_gen(&rx, gen_payload, 8);
	}
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED),
		 sizeof(bad) / sizeof(bad[0]));
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(rate_limited_by_token_bucket)
{
	uint64_t per_token =
	    (1000 + CONFIG_ICMP_RATE_PER_S - 1) / CONFIG_ICMP_RATE_PER_S;
	struct ipv4_rx rx;

	t_setup();
	rx = t_offender(99);
	for (int i = 0; i < CONFIG_ICMP_BURST; i++)
		t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), CONFIG_ICMP_BURST);
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 1);
	/* One token per 1000 / rate ms, not sooner. */
	now += per_token - 1;
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 2);
	now += 1;
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), CONFIG_ICMP_BURST + 1);
	t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 3);
	/* A long quiet spell refills the burst, and no more. */
	now += 3600 * 1000;
	for (int i = 0; i < CONFIG_ICMP_BURST + 5; i++)
		t_gen(&rx, gen_payload, 8);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH),
		 2 * CONFIG_ICMP_BURST + 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 3 + 5);
}

TEST(rate_limit_through_the_stack)
{
	uint8_t data[8] = {0};
	int n = CONFIG_ICMP_BURST + 10;

	t_setup();
	for (int i = 0; i < n; i++) {
		memcpy(frame, fake_mac, 6);
		memcpy(frame + 6, fake_peer_mac, 6);
		st_be16(frame + 12, 0x0800);
		t_ip_hdr(frame + 14, FAKE_PEER_IP, FAKE_IP, 99, sizeof(data));
		memcpy(frame + 34, data, sizeof(data));
		fake_netdev_inject(frame, 42);
		net_poll(now);
	}
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_PROTO), n);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), CONFIG_ICMP_BURST);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED), 10);
}
