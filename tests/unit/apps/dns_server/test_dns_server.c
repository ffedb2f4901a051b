/*
 * test_dns_server.c - the dns-server application's transport
 * (apps/dns_server/dns_server.c): UDP queries and rate limiting, TCP
 * framing, pipelining, the connection limit, the idle timeout, a query
 * announced too long, and the command line.
 *
 * The stack runs on the fake netdev (tests/unit/net/fake_netdev.h) with
 * the unit configuration (tests/unit/unit.toml: the dns-server with
 * test.zone, tcp_clients 4, tcp_idle_ms 10000); the peer is 10.0.0.1 and
 * builds its UDP datagrams and TCP segments here byte by byte. The kernel
 * and platform calls are fake_kernel.h's.
 */
#include "test.h"

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <keel_config.h>
#include <klib/bytes.h>
#include <net/net.h>

#include "fake_kernel.h"
#include "fake_netdev.h"

#define PPORT 40000
#define PISS  7000u

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

static uint8_t t_frame[FAKE_FRAME_MAX];
static uint8_t t_pkt[FAKE_FRAME_MAX];
static uint8_t t_q[600];
static uint8_t t_stream[8192];

static uint64_t t_stat(const char *name)
{
	char full[64];

	snprintf(full, sizeof(full), "dns_server.%s", name);
	return fake_kernel_app_stat(full);
}

static int t_start(const char *cmdline)
{
	int rc;

	fake_kernel_now = 1000;
	fake_stack_up_peer(fake_kernel_now);
	cmdline_set(cmdline);
	rc = app_init();
	fake_netdev_tx_clear();
	return rc;
}

/* One turn of the loop, `ms` later. */
static void t_poll(uint64_t ms)
{
	fake_kernel_now += ms;
	net_poll(fake_kernel_now);
	app_poll(fake_kernel_now);
	net_poll(fake_kernel_now); /* what the app queued goes out */
}

/* A query for `name` ("a.test") of `type`, id `id`; returns its length. */
static size_t t_query(uint8_t *q, uint16_t id, const char *name, uint16_t type)
{
	size_t n = 12;

	memset(q, 0, 12);
	st_be16(q, id);
	st_be16(q + 4, 1);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		q[n++] = (uint8_t)l;
		memcpy(q + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	q[n++] = 0;
	st_be16(q + n, type);
	st_be16(q + n + 2, 1);
	return n + 4;
}

/* ---- UDP ----------------------------------------------------------------- */

static void t_udp_send(uint16_t sport, const uint8_t *d, size_t len)
{
	struct fake_ip ip = {
	    .src = FAKE_PEER_IP, .dst = FAKE_IP, .proto = 17, .ttl = 64};

	st_be16(t_pkt, sport);
	st_be16(t_pkt + 2, 53);
	st_be16(t_pkt + 4, (uint16_t)(8 + len));
	st_be16(t_pkt + 6, 0); /* no checksum (RFC 768) */
	memcpy(t_pkt + 8, d, len);
	fake_netdev_inject(t_frame,
			   fake_ipv4_frame(t_frame, &ip, t_pkt, 8 + len));
}

/* The i-th UDP datagram keel sent (its DNS message), or NULL. */
static const uint8_t *t_udp_reply(size_t i, size_t *len)
{
	for (size_t k = 0; k < fake_netdev_tx_count(); k++) {
		size_t iplen;
		const uint8_t *ip = fake_tx_ipv4_sane(k, &iplen);

		if (!ip || ip[9] != 17)
			continue;
		if (i-- == 0) {
			*len = ld_be16(ip + 20 + 4) - 8;
			return ip + 28;
		}
	}
	return NULL;
}

static size_t t_udp_count(void)
{
	size_t n = 0, len;

	while (t_udp_reply(n, &len))
		n++;
	return n;
}

TEST(udp_query_answered)
{
	size_t len;
	const uint8_t *r;

	CHECK_EQ(t_start(""), NET_OK);
	t_udp_send(PPORT, t_q, t_query(t_q, 0x1234, "a.test", 1));
	t_poll(1);
	r = t_udp_reply(0, &len);
	CHECK(r != NULL);
	CHECK_EQ(ld_be16(r), 0x1234);
	CHECK_EQ(ld_be16(r + 2) & 0x840f, 0x8400); /* QR AA NOERROR */
	CHECK_EQ(ld_be16(r + 6), 2);
	CHECK_EQ(t_stat("queries_udp"), 1);
	CHECK_EQ(t_stat("noerror"), 1);
	/* NXDOMAIN, FORMERR and a response (no answer) are counted */
	t_udp_send(PPORT, t_q, t_query(t_q, 1, "nope.test", 1));
	t_udp_send(PPORT, t_q, 5); /* shorter than a header */
	len = t_query(t_q, 2, "a.test", 1);
	st_be16(t_q + 2, 0x8000); /* QR: a response */
	t_udp_send(PPORT, t_q, len);
	fake_netdev_tx_clear();
	t_poll(1);
	CHECK_EQ(t_udp_count(), 1);
	CHECK_EQ(t_stat("nxdomain"), 1);
	CHECK_EQ(t_stat("dropped"), 2);
	CHECK_EQ(t_stat("queries_udp"), 4);
	CHECK(t_stat("no_such_counter") == UINT64_MAX);
}

TEST(udp_query_too_long_is_dropped)
{
	static uint8_t big[1100];

	t_query(big, 7, "a.test", 1);
	CHECK_EQ(t_start(""), NET_OK);
	t_udp_send(PPORT, big, sizeof(big));
	t_poll(1);
	CHECK_EQ(t_udp_count(), 0);
	CHECK_EQ(t_stat("rx_too_long"), 1);
}

TEST(udp_rate_limited_with_slip)
{
	size_t full = 0, tc = 0;

	CHECK_EQ(t_start("rrl_rate=5 rrl_slip=2"), NET_OK);
	for (int i = 0; i < 20; i++)
		t_udp_send((uint16_t)(PPORT + i), t_q,
			   t_query(t_q, (uint16_t)i, "a.test", 1));
	t_poll(0);
	for (size_t i = 0; i < t_udp_count(); i++) {
		size_t len;
		const uint8_t *r = t_udp_reply(i, &len);

		if (ld_be16(r + 2) & 0x0200) {
			tc++;
			CHECK_EQ(ld_be16(r + 6), 0);
		} else {
			full++;
		}
	}
	CHECK_EQ(full, 5);
	CHECK_EQ(tc, 7); /* limited responses 2, 4, ..., 14 of 15 */
	CHECK_EQ(t_stat("rrl_limited"), 15);
	CHECK_EQ(t_stat("rrl_slipped"), 7);
	CHECK_EQ(t_stat("rrl_dropped"), 8);
	/* a second later the bucket is full again */
	fake_netdev_tx_clear();
	t_udp_send(PPORT, t_q, t_query(t_q, 99, "a.test", 1));
	t_poll(1000);
	CHECK_EQ(t_udp_count(), 1);
}

TEST(command_line_checked)
{
	CHECK_EQ(t_start("rrl_rate=abc"), NET_EINVAL);
	CHECK_EQ(t_start("rrl_slip=11"), NET_EINVAL);
	CHECK_EQ(t_start("port=0"), NET_EINVAL);
	CHECK_EQ(t_start("port=5353"), NET_OK);
	t_udp_send(PPORT, t_q, t_query(t_q, 1, "a.test", 1));
	t_poll(1);
	CHECK_EQ(t_udp_count(), 0); /* nothing on 53 */
}

/* ---- TCP ----------------------------------------------------------------- */

static void t_tcp_send(uint16_t sport, uint8_t flags, uint32_t seq,
		       uint32_t ack, const void *d, size_t len)
{
	struct fake_ip ip = {
	    .src = FAKE_PEER_IP, .dst = FAKE_IP, .proto = 6, .ttl = 64};
	uint8_t ph[12];

	memset(t_pkt, 0, 20);
	st_be16(t_pkt, sport);
	st_be16(t_pkt + 2, 53);
	st_be32(t_pkt + 4, seq);
	st_be32(t_pkt + 8, ack);
	t_pkt[12] = 5 << 4;
	t_pkt[13] = flags;
	st_be16(t_pkt + 14, 65535);
	if (len)
		memcpy(t_pkt + 20, d, len);
	st_be32(ph, FAKE_PEER_IP);
	st_be32(ph + 4, FAKE_IP);
	st_be16(ph + 8, 6);
	st_be16(ph + 10, (uint16_t)(20 + len));
	st_be16(t_pkt + 16,
		fake_csum_fold(fake_csum_add(fake_csum_add(0, ph, sizeof(ph)),
					     t_pkt, 20 + len)));
	fake_netdev_inject(t_frame,
			   fake_ipv4_frame(t_frame, &ip, t_pkt, 20 + len));
}

/* keel's TCP segment number i to `sport` in the capture, or NULL. */
static const uint8_t *t_seg(uint16_t sport, size_t i, size_t *datalen)
{
	for (size_t k = 0; k < fake_netdev_tx_count(); k++) {
		size_t len;
		const uint8_t *ip = fake_tx_ipv4_sane(k, &len);

		if (!ip || ip[9] != 6 || ld_be16(ip + 22) != sport)
			continue;
		if (i-- == 0) {
			*datalen = len - 20 - (size_t)(ip[32] >> 4) * 4;
			return ip + 20;
		}
	}
	return NULL;
}

/* Whether keel sent a segment with all of `flags` to `sport`. */
static bool t_sent(uint16_t sport, uint8_t flags)
{
	size_t n;
	const uint8_t *t;

	for (size_t i = 0; (t = t_seg(sport, i, &n)) != NULL; i++)
		if ((t[13] & flags) == flags)
			return true;
	return false;
}

/* A connection from `sport`; keel's next sequence number into *kseq. */
static bool t_connect(uint16_t sport, uint32_t *kseq)
{
	size_t n;
	const uint8_t *t;

	fake_netdev_tx_clear();
	t_tcp_send(sport, F_SYN, PISS, 0, NULL, 0);
	t_poll(1);
	t = t_seg(sport, 0, &n);
	if (!t || (t[13] & (F_SYN | F_ACK)) != (F_SYN | F_ACK))
		return false;
	*kseq = ld_be32(t + 4) + 1;
	t_tcp_send(sport, F_ACK, PISS + 1, *kseq, NULL, 0);
	fake_netdev_tx_clear();
	t_poll(1);
	return true;
}

/* The bytes keel sent to `sport` since the capture was cleared; each
 * acknowledged. */
static size_t t_tcp_data(uint16_t sport, uint32_t pseq, uint32_t *kseq)
{
	size_t total = 0, n;
	const uint8_t *t;

	for (size_t i = 0; (t = t_seg(sport, i, &n)) != NULL; i++) {
		if (n == 0 || ld_be32(t + 4) != *kseq ||
		    total + n > sizeof(t_stream))
			continue;
		memcpy(t_stream + total, t + (t[12] >> 4) * 4, n);
		total += n;
		*kseq += (uint32_t)n;
	}
	if (total)
		t_tcp_send(sport, F_ACK, pseq, *kseq, NULL, 0);
	return total;
}

/* A length-prefixed query into t_q + off; returns the bytes added. */
static size_t t_framed(size_t off, uint16_t id, const char *name, uint16_t type)
{
	size_t n = t_query(t_q + off + 2, id, name, type);

	st_be16(t_q + off, (uint16_t)n);
	return n + 2;
}

TEST(tcp_pipelined_and_split)
{
	uint32_t kseq, pseq = PISS + 1;
	size_t n = 0, got, off = 0;

	CHECK_EQ(t_start(""), NET_OK);
	CHECK(t_connect(PPORT, &kseq));
	/* two queries in one segment, a third cut in three */
	n += t_framed(n, 1, "a.test", 1);
	n += t_framed(n, 2, "big.test", 16);
	n += t_framed(n, 3, "nope.test", 1);
	fake_netdev_tx_clear();
	t_tcp_send(PPORT, F_ACK | F_PSH, pseq, kseq, t_q, n - 20);
	pseq += (uint32_t)(n - 20);
	t_poll(1);
	t_tcp_send(PPORT, F_ACK | F_PSH, pseq, kseq, t_q + n - 20, 1);
	pseq += 1;
	t_poll(1);
	t_tcp_send(PPORT, F_ACK | F_PSH, pseq, kseq, t_q + n - 19, 19);
	pseq += 19;
	t_poll(1);
	got = t_tcp_data(PPORT, pseq, &kseq);
	/* three answers, in order, each whole, big.test not truncated */
	for (uint16_t id = 1; id <= 3; id++) {
		size_t len;

		CHECK(off + 2 <= got);
		len = ld_be16(t_stream + off);
		CHECK(off + 2 + len <= got);
		CHECK_EQ(ld_be16(t_stream + off + 2), id);
		CHECK_EQ(ld_be16(t_stream + off + 4) & 0x0200, 0);
		if (id == 2)
			CHECK_EQ(ld_be16(t_stream + off + 2 + 6), 5);
		if (id == 3)
			CHECK_EQ(ld_be16(t_stream + off + 4) & 0xf, 3);
		off += 2 + len;
	}
	CHECK_EQ(off, got);
	CHECK_EQ(t_stat("queries_tcp"), 3);
	CHECK_EQ(t_stat("tcp_accepted"), 1);
	/* the client's FIN is answered by ours */
	fake_netdev_tx_clear();
	t_tcp_send(PPORT, F_ACK | F_FIN, pseq, kseq, NULL, 0);
	t_poll(1);
	CHECK(t_sent(PPORT, F_FIN));
	CHECK_EQ(t_stat("tcp_closed"), 1);
}

TEST(tcp_connection_limit)
{
	uint32_t kseq;

	CHECK_EQ(t_start(""), NET_OK);
	for (int i = 0; i < CONFIG_APP_DNS_SERVER_TCP_CLIENTS; i++)
		CHECK(t_connect((uint16_t)(PPORT + i), &kseq));
	CHECK(t_connect(PPORT + 100, &kseq));
	CHECK(t_sent(PPORT + 100, F_RST));
	CHECK_EQ(t_stat("tcp_accepted"), CONFIG_APP_DNS_SERVER_TCP_CLIENTS);
	CHECK_EQ(t_stat("tcp_refused"), 1);
}

TEST(tcp_idle_timeout)
{
	uint32_t kseq;

	CHECK_EQ(t_start(""), NET_OK);
	CHECK(t_connect(PPORT, &kseq));
	t_poll(CONFIG_APP_DNS_SERVER_TCP_IDLE_MS - 10);
	CHECK(!t_sent(PPORT, F_FIN));
	t_poll(20);
	CHECK(t_sent(PPORT, F_FIN));
	CHECK_EQ(t_stat("tcp_idle_closed"), 1);
}

TEST(tcp_query_announced_too_long)
{
	uint32_t kseq;
	uint8_t len[2];

	CHECK_EQ(t_start(""), NET_OK);
	CHECK(t_connect(PPORT, &kseq));
	st_be16(len, 2000);
	t_tcp_send(PPORT, F_ACK | F_PSH, PISS + 1, kseq, len, 2);
	t_poll(1);
	CHECK(t_sent(PPORT, F_RST));
	CHECK_EQ(t_stat("tcp_too_long"), 1);
}
