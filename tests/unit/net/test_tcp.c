/*
 * test_tcp.c - the TCP state machine (net/tcp*.c) driven through the fake
 * netdev with crafted segments and a fake clock.
 *
 * The peer is 10.0.0.1 (FAKE_PEER_IP), port 40000; keel listens on port 80
 * or connects from an ephemeral port. Segments from the peer are written
 * here at literal offsets and checksummed with the reference checksum;
 * what keel sends is parsed here the same way, independently of
 * net/tcp_wire.c. Each test walks a path of RFC 9293's state diagram
 * (§3.3.2, Figure 5) and checks the state, the segments sent and the
 * counters on the way: passive and active open, simultaneous open and
 * close, both closes, TIME_WAIT, RST in every state, RFC 5961 challenge
 * ACKs, retransmission timing and backoff, delayed ACK, Nagle, zero window
 * and persist, out-of-order reassembly in the ring, TIME_WAIT reuse, the
 * listen backlog, ICMP errors.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>
#include <net/tcp.h>

#include "fake_netdev.h"
#include "net_config.h"
#include "tcp.h"

#define LPORT 80
#define PPORT 40000
#define PISS  1000u /* the peer's ISN */

static uint64_t now;
static uint16_t t_lport = LPORT; /* keel's port in segments we inject */
static uint16_t t_pport = PPORT;
static uint8_t frame[FAKE_FRAME_MAX];
static uint8_t segbuf[FAKE_FRAME_MAX];
static uint8_t rbuf[CONFIG_TCP_RX_RING + 100];
static uint8_t big[CONFIG_TCP_TX_RING + 100];

/* ---- the peer's segments ------------------------------------------- */

struct t_seg {
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt;
	size_t olen;
	const uint8_t *data;
	size_t len;
};

static uint16_t t_csum(uint32_t src, uint32_t dst, const uint8_t *p, size_t len)
{
	uint8_t ph[12];

	st_be32(ph, src);
	st_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 6;
	st_be16(ph + 10, (uint16_t)len);
	return fake_csum_fold(
	    fake_csum_add(fake_csum_add(0, ph, sizeof(ph)), p, len));
}

static void t_inject(const struct t_seg *s)
{
	size_t hl = 20 + s->olen;
	struct fake_ip ip = {.src = FAKE_PEER_IP,
			     .dst = FAKE_IP,
			     .proto = 6,
			     .ttl = 64,
			     .id = 7};

	memset(segbuf, 0, hl);
	st_be16(segbuf, t_pport);
	st_be16(segbuf + 2, t_lport);
	st_be32(segbuf + 4, s->seq);
	st_be32(segbuf + 8, s->ack);
	segbuf[12] = (uint8_t)((hl / 4) << 4);
	segbuf[13] = s->flags;
	st_be16(segbuf + 14, s->win);
	if (s->olen)
		memcpy(segbuf + 20, s->opt, s->olen);
	if (s->len)
		memcpy(segbuf + hl, s->data, s->len);
	st_be16(segbuf + 16,
		t_csum(FAKE_PEER_IP, FAKE_IP, segbuf, hl + s->len));
	fake_netdev_inject(frame,
			   fake_ipv4_frame(frame, &ip, segbuf, hl + s->len));
	net_poll(now);
}

/* A segment with window 65535 and no options. */
static void t_peer(uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
		   size_t len)
{
	struct t_seg s = {seq, ack, flags, 65535, NULL, 0, data, len};

	t_inject(&s);
}

/* ---- keel's segments ------------------------------------------------ */

struct t_out {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *data;
	size_t len;
	bool has_mss, has_ws, has_ts, sack_perm;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
	int nsack;
	uint32_t sack[8];
};

static void t_out_options(const uint8_t *p, size_t n, struct t_out *o)
{
	for (size_t i = 0; i < n;) {
		if (p[i] == 0)
			break;
		if (p[i] == 1) {
			i++;
			continue;
		}
		if (p[i] == 2)
			o->has_mss = true, o->mss = ld_be16(p + i + 2);
		if (p[i] == 3)
			o->has_ws = true, o->ws = p[i + 2];
		if (p[i] == 4)
			o->sack_perm = true;
		if (p[i] == 8) {
			o->has_ts = true;
			o->tsval = ld_be32(p + i + 2);
			o->tsecr = ld_be32(p + i + 6);
		}
		if (p[i] == 5)
			for (int k = 0; k < (p[i + 1] - 2) / 4; k++)
				o->sack[o->nsack++] =
				    ld_be32(p + i + 2 + 4 * k);
		i += p[i + 1];
	}
	o->nsack /= 2;
}

/* Captured frame i as a TCP segment to the peer; false if it is not. */
static bool t_out(size_t i, struct t_out *o)
{
	size_t iplen;
	const uint8_t *ip = fake_tx_ipv4_sane(i, &iplen);
	const uint8_t *t;
	size_t hl;

	memset(o, 0, sizeof(*o));
	if (!ip || ip[9] != 6 || ld_be32(ip + 16) != FAKE_PEER_IP)
		return false;
	t = ip + 20;
	hl = (size_t)(t[12] >> 4) * 4;
	if (t_csum(FAKE_IP, FAKE_PEER_IP, t, iplen - 20) != 0 || hl < 20)
		return false;
	o->sport = ld_be16(t);
	o->dport = ld_be16(t + 2);
	o->seq = ld_be32(t + 4);
	o->ack = ld_be32(t + 8);
	o->flags = t[13];
	o->win = ld_be16(t + 14);
	o->data = t + hl;
	o->len = iplen - 20 - hl;
	t_out_options(t + 20, hl - 20, o);
	return true;
}

/* TCP segments captured (ARP refreshes in long tests are not counted). */
static size_t t_ntx(void)
{
	struct t_out o;
	size_t n = 0;

	for (size_t i = 0; i < fake_netdev_tx_count(); i++)
		n += t_out(i, &o);
	return n;
}

/* The last captured TCP segment. */
static bool t_last(struct t_out *o)
{
	for (size_t i = fake_netdev_tx_count(); i > 0; i--)
		if (t_out(i - 1, o))
			return true;
	return false;
}

static void t_clear(void)
{
	fake_netdev_tx_clear();
}

static void t_at(uint64_t t)
{
	now = t;
	net_poll(now);
}

/* ---- setups --------------------------------------------------------- */

static void t_setup(void)
{
	now = 1000;
	t_lport = LPORT;
	t_pport = PPORT;
	fake_stack_up_peer(now);
}

static int t_listen(uint16_t port, int backlog)
{
	int l = net_tcp_open();

	if (l < 0 || net_tcp_bind(l, 0, port) != NET_OK ||
	    net_tcp_listen(l, backlog) != NET_OK)
		return -100;
	return l;
}

static const uint8_t mss_opt[4] = {2, 4, 0x05, 0xb4};

/* Peer SYN to a listener; returns keel's ISN from the SYN-ACK, 0 if none. */
static uint32_t t_syn(uint32_t piss)
{
	struct t_seg s = {piss, 0, TCP_FLAG_SYN, 65535, mss_opt, 4, NULL, 0};
	struct t_out o;

	t_clear();
	t_inject(&s);
	if (!t_last(&o) || o.flags != (TCP_FLAG_SYN | TCP_FLAG_ACK) ||
	    o.ack != piss + 1)
		return 0;
	return o.seq;
}

/* A listener on LPORT and one accepted connection; *iss is keel's ISN. */
static int t_passive(int *lsock, uint32_t *iss)
{
	int c;

	*lsock = t_listen(LPORT, 4);
	*iss = t_syn(PISS);
	if (*lsock < 0 || *iss == 0)
		return -100;
	t_peer(TCP_FLAG_ACK, PISS + 1, *iss + 1, NULL, 0);
	c = net_tcp_accept(*lsock, NULL, NULL);
	t_clear();
	return c;
}

/* An active open to the peer, completed; *iss is keel's ISN. */
static int t_active(uint32_t *iss)
{
	int s = net_tcp_open();
	struct t_out o;

	if (s < 0 || net_tcp_connect(s, FAKE_PEER_IP, PPORT, now) != NET_OK ||
	    !t_last(&o) || o.flags != TCP_FLAG_SYN)
		return -100;
	*iss = o.seq;
	t_lport = o.sport;
	t_peer(TCP_FLAG_SYN | TCP_FLAG_ACK, PISS, *iss + 1, NULL, 0);
	t_clear();
	return s;
}

/* ---- opening -------------------------------------------------------- */

TEST(passive_open_listen_synrcvd_established)
{
	int l, c;
	uint32_t iss;
	struct t_out o;
	uint32_t peer = 0;
	uint16_t pport = 0;

	t_setup();
	l = t_listen(LPORT, 4);
	CHECK(l >= 0);
	CHECK_EQ(net_tcp_state(l), TCP_STATE_LISTEN);
	iss = t_syn(PISS);
	CHECK(iss != 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.sport, LPORT);
	CHECK_EQ(o.dport, PPORT);
	CHECK(o.has_mss);
	CHECK_EQ(o.mss, CONFIG_NET_MTU - 40);
	CHECK(!o.has_ws); /* the peer offered none */
	CHECK(!o.has_ts);
	CHECK_EQ(net_tcp_accept(l, NULL, NULL), NET_EAGAIN); /* SYN_RCVD */
	CHECK(!net_tcp_is_readable(l));
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	CHECK(net_tcp_is_readable(l));
	c = net_tcp_accept(l, &peer, &pport);
	CHECK(c >= 0);
	CHECK_EQ(peer, FAKE_PEER_IP);
	CHECK_EQ(pport, PPORT);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
	CHECK(net_tcp_is_writable(c));
	CHECK_EQ(fake_stat(NET_STAT_TCP_CONN_PASSIVE), 1);
}

TEST(isn_differs_per_tuple_and_time)
{
	uint32_t a, b, c;

	t_setup();
	a = tcp_isn(1, 2, 3, 4, 1000);
	b = tcp_isn(1, 2, 3, 5, 1000);
	c = tcp_isn(1, 2, 3, 4, 1001);
	CHECK(a != b);
	CHECK_EQ(c - a, 250); /* RFC 6528: a 4 µs clock */
}

TEST(active_open_synsent_established)
{
	int s;
	struct t_out o;

	t_setup();
	s = net_tcp_open();
	CHECK(s >= 0);
	CHECK_EQ(net_tcp_connect(s, FAKE_PEER_IP, PPORT, now), NET_OK);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_SENT);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_SYN);
	CHECK(o.sport >= 49152);
	CHECK(o.has_mss && o.has_ws && o.has_ts && o.sack_perm);
	CHECK(!net_tcp_is_writable(s));
	CHECK_EQ(net_tcp_send(s, "x", 1, now), NET_EAGAIN);
	t_lport = o.sport;
	t_clear();
	t_peer(TCP_FLAG_SYN | TCP_FLAG_ACK, PISS, o.seq + 1, NULL, 0);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_ESTABLISHED);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_ACK);
	CHECK_EQ(o.ack, PISS + 1);
	CHECK(!o.has_ts); /* the peer did not agree */
	CHECK(net_tcp_is_writable(s));
	CHECK_EQ(net_tcp_get_error(s), NET_OK);
}

TEST(simultaneous_open)
{
	int s;
	struct t_out o;
	uint32_t iss;

	t_setup();
	s = net_tcp_open();
	CHECK_EQ(net_tcp_connect(s, FAKE_PEER_IP, PPORT, now), NET_OK);
	CHECK(t_last(&o));
	iss = o.seq;
	t_lport = o.sport;
	t_clear();
	/* RFC 9293 Figure 8: the peer's SYN crosses ours. */
	t_peer(TCP_FLAG_SYN, PISS, 0, NULL, 0);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_RCVD);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	CHECK_EQ(o.seq, iss);
	CHECK_EQ(o.ack, PISS + 1);
	t_peer(TCP_FLAG_SYN | TCP_FLAG_ACK, PISS, iss + 1, NULL, 0);
	/* That SYN-ACK is below rcv_nxt now: the SYN part is old, the ACK
	 * still completes the open. */
	CHECK_EQ(net_tcp_state(s), TCP_STATE_ESTABLISHED);
}

TEST(connect_refused_by_rst)
{
	int s;
	struct t_out o;

	t_setup();
	s = net_tcp_open();
	net_tcp_connect(s, FAKE_PEER_IP, PPORT, now);
	CHECK(t_last(&o));
	t_lport = o.sport;
	t_peer(TCP_FLAG_RST, 0, o.seq + 1, NULL, 0); /* no ACK: ignored */
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_SENT);
	t_peer(TCP_FLAG_RST | TCP_FLAG_ACK, 0, o.seq + 1, NULL, 0);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_CLOSED);
	CHECK(net_tcp_is_writable(s));
	CHECK_EQ(net_tcp_get_error(s), NET_ECONNREFUSED);
	CHECK_EQ(net_tcp_get_error(s), NET_OK);
	CHECK_EQ(net_tcp_close(s, now), NET_OK);
	CHECK_EQ(net_tcp_conns_in_use(), 0);
}

TEST(syn_sent_bad_ack_answered_by_rst)
{
	int s;
	struct t_out o;
	uint32_t iss;

	t_setup();
	s = net_tcp_open();
	net_tcp_connect(s, FAKE_PEER_IP, PPORT, now);
	CHECK(t_last(&o));
	iss = o.seq;
	t_lport = o.sport;
	t_clear();
	t_peer(TCP_FLAG_SYN | TCP_FLAG_ACK, PISS, iss + 7, NULL, 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_RST);
	CHECK_EQ(o.seq, iss + 7);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_SENT);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_BAD_ACK), 1);
}

TEST(connect_times_out_with_backoff)
{
	int s;
	uint64_t t = now, gap = 1000;
	struct t_out o;

	t_setup();
	s = net_tcp_open();
	net_tcp_connect(s, FAKE_PEER_IP, PPORT, now);
	t = now;
	for (int i = 0; i < TCP_SYN_RETRIES; i++) {
		t_clear();
		t_at(t + gap - 1);
		CHECK_EQ(t_ntx(), 0);
		t_at(t + gap);
		CHECK(t_last(&o));
		CHECK_EQ(o.flags, TCP_FLAG_SYN);
		t += gap;
		gap = gap * 2 > CONFIG_TCP_RTO_MAX_MS ? CONFIG_TCP_RTO_MAX_MS
						      : gap * 2;
	}
	t_at(t + gap);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_CLOSED);
	CHECK_EQ(net_tcp_get_error(s), NET_ETIMEDOUT);
	CHECK_EQ(fake_stat(NET_STAT_TCP_CONN_TIMEOUT), 1);
}

TEST(synrcvd_retransmits_synack_and_rst_returns_to_listen)
{
	int l;
	uint32_t iss;
	struct t_out o;

	t_setup();
	l = t_listen(LPORT, 4);
	iss = t_syn(PISS);
	CHECK(iss != 0);
	CHECK_EQ(net_tcp_conns_in_use(), 2);
	t_clear();
	t_at(now + 1000); /* initial RTO */
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	CHECK_EQ(o.seq, iss);
	/* A retransmitted SYN gets the SYN-ACK again. */
	t_clear();
	CHECK_EQ(t_syn(PISS), iss);
	t_peer(TCP_FLAG_RST, PISS + 1, 0, NULL, 0);
	CHECK_EQ(net_tcp_conns_in_use(), 1);
	CHECK_EQ(net_tcp_state(l), TCP_STATE_LISTEN);
	CHECK_EQ(net_tcp_accept(l, NULL, NULL), NET_EAGAIN);
}

TEST(synrcvd_bad_ack_gets_rst)
{
	int l;
	uint32_t iss;
	struct t_out o;

	t_setup();
	l = t_listen(LPORT, 4);
	iss = t_syn(PISS);
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 5, NULL, 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_RST);
	CHECK_EQ(o.seq, iss + 5);
	CHECK_EQ(net_tcp_accept(l, NULL, NULL), NET_EAGAIN);
}

TEST(listen_answers_ack_with_rst_and_ignores_rst)
{
	struct t_out o;

	t_setup();
	t_listen(LPORT, 4);
	t_clear();
	t_peer(TCP_FLAG_ACK, 5, 12345, NULL, 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_RST);
	CHECK_EQ(o.seq, 12345);
	t_clear();
	t_peer(TCP_FLAG_RST, 5, 0, NULL, 0);
	CHECK_EQ(t_ntx(), 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_LISTEN_DROP), 2);
}

TEST(closed_port_rst_per_rfc9293_3_10_7_1)
{
	struct t_out o;

	t_setup();
	t_peer(TCP_FLAG_SYN, 777, 0, NULL, 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_RST | TCP_FLAG_ACK);
	CHECK_EQ(o.seq, 0);
	CHECK_EQ(o.ack, 778);
	t_clear();
	t_peer(TCP_FLAG_ACK, 777, 4242, "abc", 3);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_RST);
	CHECK_EQ(o.seq, 4242);
	t_clear();
	t_peer(TCP_FLAG_RST, 777, 0, NULL, 0);
	CHECK_EQ(t_ntx(), 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_NO_CONN), 3);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_RST), 2);
}

TEST(backlog_full_drops_syn)
{
	int l;

	t_setup();
	l = t_listen(LPORT, 2);
	CHECK(l >= 0);
	t_pport = 40001;
	CHECK(t_syn(PISS) != 0);
	t_pport = 40002;
	CHECK(t_syn(PISS) != 0);
	t_pport = 40003;
	t_clear();
	t_peer(TCP_FLAG_SYN, PISS, 0, NULL, 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_BACKLOG_FULL), 1);
	CHECK_EQ(net_tcp_conns_in_use(), 3); /* no state kept */
	CHECK_EQ(t_ntx(), CONFIG_TCP_SYN_COOKIES ? 1 : 0);
}

TEST(syn_cookie_when_backlog_full)
{
	int l, c;
	struct t_out o;
	uint32_t cookie;

	t_setup();
	l = t_listen(LPORT, 1);
	t_pport = 40001;
	CHECK(t_syn(PISS) != 0); /* a half-open one fills the queue */
	t_pport = 40002;
	cookie = t_syn(PISS + 50);
	CHECK(cookie != 0);
	CHECK(t_last(&o));
	CHECK(o.has_mss);
	CHECK(!o.has_ws && !o.has_ts && !o.sack_perm);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_SYN_COOKIE), 1);
	/* A forged ACK is refused with a RST. */
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 51, cookie + 2, NULL, 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_RST);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_COOKIE_OK), 0);
	/* The real one makes an established connection, with its data. */
	t_peer(TCP_FLAG_ACK, PISS + 51, cookie + 1, "hi", 2);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_COOKIE_OK), 1);
	c = net_tcp_accept(l, NULL, NULL);
	CHECK(c >= 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 2);
	CHECK_EQ(net_tcp_accept(l, NULL, NULL), NET_EAGAIN); /* evicted */
	CHECK_EQ(net_tcp_send(c, "yo", 2, now), 2);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, cookie + 1);
	CHECK_EQ(o.ack, PISS + 53);
}

/* ---- data ----------------------------------------------------------- */

TEST(receive_in_order_and_delayed_ack)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	CHECK(c >= 0);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_PSH, PISS + 1, iss + 1, "hello", 5);
	CHECK_EQ(t_ntx(), 0); /* delayed */
	CHECK(net_tcp_is_readable(c));
	t_at(now + CONFIG_TCP_DELACK_MS - 1);
	CHECK_EQ(t_ntx(), 0);
	t_at(now + 1);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 6);
	t_clear();
	/* Every second segment is acknowledged at once. */
	t_peer(TCP_FLAG_ACK, PISS + 6, iss + 1, "ab", 2);
	CHECK_EQ(t_ntx(), 0);
	t_peer(TCP_FLAG_ACK, PISS + 8, iss + 1, "cd", 2);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 10);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 9);
	CHECK_MEM(rbuf, "helloabcd", 9);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), NET_EAGAIN);
}

TEST(out_of_order_kept_in_ring)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	t_peer(TCP_FLAG_ACK, PISS + 11, iss + 1, "BBBBBBBBBB", 10);
	CHECK(t_last(&o)); /* duplicate ACK at once */
	CHECK_EQ(o.ack, PISS + 1);
	t_peer(TCP_FLAG_ACK, PISS + 31, iss + 1, "DDDDD", 5);
	t_peer(TCP_FLAG_ACK, PISS + 21, iss + 1, "CCCCCCCCCC", 10);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_OOO), 3);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), NET_EAGAIN);
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, "AAAAAAAAAA", 10);
	CHECK(t_last(&o)); /* the hole filled: ACK at once, past all */
	CHECK_EQ(o.ack, PISS + 36);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 35);
	CHECK_MEM(rbuf, "AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDD", 35);
}

TEST(overlapping_and_duplicate_segments_trimmed)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, "0123456789", 10);
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 6, iss + 1, "56789abcde", 10);
	CHECK(t_last(&o)); /* partly old: ACK at once */
	CHECK_EQ(o.ack, PISS + 16);
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, "0123", 4); /* all old */
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 16);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_OUT_OF_WINDOW), 1);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 15);
	CHECK_MEM(rbuf, "0123456789abcde", 15);
}

TEST(receive_window_closes_and_reopens)
{
	int l, c;
	uint32_t iss, seq = PISS + 1;
	struct t_out o;
	size_t mss = CONFIG_NET_MTU - 40;

	t_setup();
	c = t_passive(&l, &iss);
	memset(big, 'x', sizeof(big));
	while (seq - (PISS + 1) + mss <= CONFIG_TCP_RX_RING) {
		t_peer(TCP_FLAG_ACK, seq, iss + 1, big, mss);
		seq += (uint32_t)mss;
	}
	t_peer(TCP_FLAG_ACK, seq, iss + 1, big,
	       CONFIG_TCP_RX_RING - (seq - (PISS + 1)));
	seq = PISS + 1 + CONFIG_TCP_RX_RING;
	t_clear();
	t_at(now + CONFIG_TCP_DELACK_MS);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, seq);
	CHECK_EQ(o.win, 0);
	/* More data: beyond the window, dropped, answered by an ACK. */
	t_clear();
	t_peer(TCP_FLAG_ACK, seq, iss + 1, "z", 1);
	CHECK(t_last(&o));
	CHECK_EQ(o.win, 0);
	CHECK_EQ(o.ack, seq);
	/* Reading a little does not reopen it (receiver SWS avoidance). */
	t_clear();
	CHECK_EQ(net_tcp_recv(c, rbuf, 10, now), 10);
	CHECK_EQ(t_ntx(), 0);
	CHECK_EQ(net_tcp_recv(c, rbuf, mss, now), (int)mss);
	CHECK(t_last(&o));
	CHECK(o.win > 0);
}

TEST(send_and_retransmit_with_backoff)
{
	int l, c;
	uint32_t iss;
	struct t_out o;
	uint64_t t0;

	t_setup();
	c = t_passive(&l, &iss);
	CHECK_EQ(net_tcp_send(c, "data!", 5, now), 5);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(o.len, 5);
	CHECK_EQ(o.flags, TCP_FLAG_ACK | TCP_FLAG_PSH);
	t0 = now;
	t_clear();
	/* The handshake gave an RTT sample of 0: RTO is the minimum. */
	t_at(t0 + CONFIG_TCP_RTO_MIN_MS - 1);
	CHECK_EQ(t_ntx(), 0);
	t_at(t0 + CONFIG_TCP_RTO_MIN_MS);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(o.len, 5);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_RETRANS), 1);
	t_clear();
	t_at(t0 + 3 * CONFIG_TCP_RTO_MIN_MS - 1);
	CHECK_EQ(t_ntx(), 0);
	t_at(t0 + 3 * CONFIG_TCP_RTO_MIN_MS); /* doubled */
	CHECK_EQ(t_ntx(), 1);
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 6, NULL, 0);
	t_at(now + 100000);
	CHECK_EQ(t_ntx(), 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RTO), 2);
}

TEST(rtt_sample_sets_rto)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_send(c, "a", 1, now);
	now += 300;
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 2, NULL, 0);
	/* srtt 0 then 300: RFC 6298 gives RTO well above 300 ms. */
	CHECK(tcp_conns[c].rto > 300);
	CHECK(tcp_conns[c].rto <= CONFIG_TCP_RTO_MAX_MS);
	net_tcp_send(c, "b", 1, now);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, iss + 2);
}

TEST(data_retransmit_gives_up)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_send(c, "x", 1, now);
	for (int i = 0; i <= TCP_DATA_RETRIES + 1; i++)
		t_at(now + CONFIG_TCP_RTO_MAX_MS);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSED);
	/* The silent peer's ARP entry expired meanwhile: the soft error
	 * seen on the way is what is reported (RFC 1122 §4.2.3.9). */
	CHECK_EQ(net_tcp_get_error(c), NET_EHOSTUNREACH);
}

TEST(nagle_holds_small_segments)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	CHECK_EQ(net_tcp_send(c, "aaaa", 4, now), 4);
	CHECK_EQ(t_ntx(), 1);
	CHECK_EQ(net_tcp_send(c, "bbbb", 4, now), 4);
	CHECK_EQ(net_tcp_send(c, "cccc", 4, now), 4);
	CHECK_EQ(t_ntx(), 1); /* held: data in flight */
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 5, NULL, 0);
	CHECK_EQ(t_ntx(), 2);
	CHECK(t_last(&o));
	CHECK_EQ(o.len, 8);
	CHECK_MEM(o.data, "bbbbcccc", 8);
	/* TCP_NODELAY: each goes at once. */
	net_tcp_set_nodelay(c, true);
	net_tcp_send(c, "d", 1, now);
	net_tcp_send(c, "e", 1, now);
	CHECK_EQ(t_ntx(), 4);
}

TEST(send_respects_peer_window_and_initial_cwnd)
{
	int l, c;
	uint32_t iss;
	struct t_out o;
	size_t n = 0, mss = CONFIG_NET_MTU - 40;

	t_setup();
	c = t_passive(&l, &iss);
	memset(big, 'q', sizeof(big));
	CHECK_EQ(net_tcp_send(c, big, 20 * mss, now), (int)(20 * mss));
	for (size_t i = 0; i < t_ntx(); i++) {
		CHECK(t_out(i, &o));
		CHECK(o.len <= mss);
		n += o.len;
	}
	/* RFC 6928: IW = min(10 MSS, max(2 MSS, 14600)). */
	CHECK_EQ(n, 10 * mss < 14600 ? 10 * mss
				     : (mss * 2 > 14600 ? 2 * mss : 14600));
}

TEST(zero_window_persist_probes)
{
	int l, c;
	uint32_t iss;
	struct t_out o;
	struct t_seg z = {PISS + 1, 0, TCP_FLAG_ACK, 0, NULL, 0, NULL, 0};
	uint64_t t0;

	t_setup();
	c = t_passive(&l, &iss);
	z.ack = iss + 1;
	t_inject(&z); /* window 0 */
	t_clear();
	CHECK_EQ(net_tcp_send(c, "abc", 3, now), 3);
	CHECK_EQ(t_ntx(), 0);
	t0 = now;
	t_at(t0 + tcp_conns[c].rto);
	CHECK_EQ(t_ntx(), 1);
	CHECK(t_last(&o));
	CHECK_EQ(o.len, 1); /* one byte past the window */
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_PROBE), 1);
	t_inject(&z); /* still closed: the byte is not taken */
	t_clear();
	t_at(t0 + 3 * tcp_conns[c].rto - 1);
	CHECK_EQ(t_ntx(), 0);
	t_at(t0 + 3 * tcp_conns[c].rto); /* backed off */
	CHECK_EQ(t_ntx(), 1);
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0); /* open again */
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(o.len, 3);
}

/* ---- closing -------------------------------------------------------- */

TEST(passive_close_closewait_lastack)
{
	int l, c, in_use;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	in_use = net_tcp_conns_in_use();
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, iss + 1, "bye", 3);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSE_WAIT);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 5);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 3);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 0);
	CHECK_EQ(net_tcp_send(c, "ok", 2, now), 2); /* half-close */
	t_clear();
	CHECK_EQ(net_tcp_close(c, now), NET_OK);
	CHECK(t_last(&o));
	CHECK(o.flags & TCP_FLAG_FIN);
	CHECK_EQ(o.seq + o.len, iss + 3);
	CHECK_EQ(tcp_conns[c].state, TCP_STATE_LAST_ACK);
	t_peer(TCP_FLAG_ACK, PISS + 5, iss + 4, NULL, 0);
	CHECK_EQ(net_tcp_conns_in_use(), in_use - 1);
}

TEST(active_close_finwait_timewait)
{
	int l, c, in_use;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	in_use = net_tcp_conns_in_use();
	CHECK_EQ(net_tcp_shutdown(c, NET_TCP_SHUT_WR, now), NET_OK);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_FIN_WAIT_1);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_ACK | TCP_FLAG_FIN);
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(net_tcp_send(c, "x", 1, now), NET_ENOTCONN);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 2, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_FIN_WAIT_2);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 2, "late", 4); /* still reads */
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 4);
	t_clear();
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 5, iss + 2, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_TIME_WAIT);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 6);
	CHECK_EQ(net_tcp_close(c, now), NET_OK);
	CHECK_EQ(net_tcp_conns_in_use(), in_use);
	/* A retransmitted FIN is acknowledged again. */
	t_clear();
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 5, iss + 2, NULL, 0);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 6);
	t_at(now + 2 * (uint64_t)CONFIG_TCP_MSL_MS - 1);
	CHECK_EQ(net_tcp_conns_in_use(), in_use);
	t_at(now + 1);
	CHECK_EQ(net_tcp_conns_in_use(), in_use - 1);
}

TEST(simultaneous_close_closing)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
	/* The peer's FIN crosses ours: it does not ack our FIN. */
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, iss + 1, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSING);
	t_peer(TCP_FLAG_ACK, PISS + 2, iss + 2, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_TIME_WAIT);
}

TEST(fin_wait_1_fin_and_ack_together)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, iss + 2, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_TIME_WAIT);
}

TEST(close_with_unread_data_resets)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, "unread", 6);
	t_clear();
	net_tcp_close(c, now);
	CHECK(t_last(&o));
	CHECK(o.flags & TCP_FLAG_RST);
	CHECK_EQ(net_tcp_conns_in_use(), 1);
}

TEST(data_after_close_resets)
{
	int l, c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_close(c, now); /* FIN_WAIT_1, no handle */
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 2, "more", 4);
	CHECK(t_last(&o));
	CHECK(o.flags & TCP_FLAG_RST);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_DATA_AFTER_CLOSE), 1);
	CHECK_EQ(net_tcp_conns_in_use(), 1);
}

TEST(orphan_fin_wait_2_times_out)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_close(c, now);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 2, NULL, 0);
	CHECK_EQ(tcp_conns[c].state, TCP_STATE_FIN_WAIT_2);
	t_at(now + 2 * (uint64_t)CONFIG_TCP_MSL_MS);
	CHECK_EQ(net_tcp_conns_in_use(), 1);
}

/* ---- RST and SYN in synchronized states (RFC 5961) ------------------ */

/* Bring a passive connection to `st`; returns its handle. */
static int t_to_state(enum tcp_state st, uint32_t *iss)
{
	int l, c = t_passive(&l, iss);

	switch (st) {
	case TCP_STATE_FIN_WAIT_1:
		net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
		break;
	case TCP_STATE_FIN_WAIT_2:
		net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
		t_peer(TCP_FLAG_ACK, PISS + 1, *iss + 2, NULL, 0);
		break;
	case TCP_STATE_CLOSE_WAIT:
		t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, *iss + 1, NULL,
		       0);
		break;
	case TCP_STATE_CLOSING:
		net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
		t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, *iss + 1, NULL,
		       0);
		break;
	case TCP_STATE_LAST_ACK:
		t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, *iss + 1, NULL,
		       0);
		net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
		break;
	case TCP_STATE_TIME_WAIT:
		net_tcp_shutdown(c, NET_TCP_SHUT_WR, now);
		t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, *iss + 2, NULL,
		       0);
		break;
	default:
		break;
	}
	t_clear();
	return net_tcp_state(c) == st ? c : -100;
}

TEST(rst_in_each_synchronized_state)
{
	static const struct {
		enum tcp_state st;
		int err;
	} cases[] = {
	    {TCP_STATE_ESTABLISHED, NET_ECONNRESET},
	    {TCP_STATE_FIN_WAIT_1, NET_ECONNRESET},
	    {TCP_STATE_FIN_WAIT_2, NET_ECONNRESET},
	    {TCP_STATE_CLOSE_WAIT, NET_ECONNRESET},
	    {TCP_STATE_CLOSING, NET_OK},
	    {TCP_STATE_LAST_ACK, NET_OK},
	    {TCP_STATE_TIME_WAIT, NET_OK},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t iss, rcv;
		int c;
		struct t_out o;

		t_setup();
		c = t_to_state(cases[i].st, &iss);
		CHECK(c >= 0);
		rcv = tcp_conns[c].rcv_nxt;
		/* In the window but not exact: a challenge ACK. */
		t_peer(TCP_FLAG_RST, rcv + 1, 0, NULL, 0);
		CHECK_EQ(net_tcp_state(c), cases[i].st);
		CHECK(t_last(&o));
		CHECK_EQ(o.flags, TCP_FLAG_ACK);
		CHECK_EQ(o.ack, rcv);
		/* Out of the window: dropped silently. */
		t_clear();
		t_peer(TCP_FLAG_RST, rcv + CONFIG_TCP_RX_RING + 10, 0, NULL, 0);
		CHECK_EQ(t_ntx(), 0);
		CHECK_EQ(net_tcp_state(c), cases[i].st);
		/* Exact: the connection is reset. */
		t_peer(TCP_FLAG_RST, rcv, 0, NULL, 0);
		CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSED);
		CHECK_EQ(net_tcp_get_error(c), cases[i].err);
		CHECK_EQ(fake_stat(NET_STAT_TCP_RX_RST_CHALLENGED), 1);
	}
}

TEST(syn_in_established_gets_challenge_ack)
{
	int c;
	uint32_t iss;
	struct t_out o;

	t_setup();
	c = t_to_state(TCP_STATE_ESTABLISHED, &iss);
	t_peer(TCP_FLAG_SYN, PISS + 1, 0, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_ACK);
	CHECK_EQ(o.ack, PISS + 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_SYN_CHALLENGED), 1);
}

TEST(challenge_acks_rate_limited)
{
	int c;
	uint32_t iss, lim = CONFIG_TCP_CHALLENGE_ACK_PER_S;
	uint32_t lo = (lim + 1) / 2, n = 2 * lim, sent, seen[2] = {0, 0};

	t_setup();
	c = t_to_state(TCP_STATE_ESTABLISHED, &iss);
	/* Each second's budget is random in [lo, lo + lim): never more,
	 * never fewer, and not the same every second (CVE-2016-5696). */
	for (int sec = 0; sec < 8; sec++) {
		uint64_t before = fake_stat(NET_STAT_TCP_TX_CHALLENGE_ACK);

		now += 1000;
		for (uint32_t i = 0; i < n; i++)
			t_peer(TCP_FLAG_RST, PISS + 2, 0, NULL, 0);
		sent = (uint32_t)(fake_stat(NET_STAT_TCP_TX_CHALLENGE_ACK) -
				  before);
		CHECK(sent >= lo && sent < lo + lim);
		if (sec < 2)
			seen[sec] = sent;
		else if (sent != seen[0])
			seen[1] = sent;
	}
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_CHALLENGE_ACK) +
		     fake_stat(NET_STAT_TCP_TX_CHALLENGE_LIMITED),
		 8 * n);
	CHECK(seen[0] != seen[1]);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
}

TEST(ack_for_unsent_data_challenged)
{
	int c;
	uint32_t iss;

	t_setup();
	c = t_to_state(TCP_STATE_ESTABLISHED, &iss);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1000, "x", 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_BAD_ACK), 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_CHALLENGE_ACK), 1);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), NET_EAGAIN);
}

TEST(segment_without_ack_dropped)
{
	int c;
	uint32_t iss;

	t_setup();
	c = t_to_state(TCP_STATE_ESTABLISHED, &iss);
	t_peer(0, PISS + 1, 0, "x", 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_NO_ACK_FLAG), 1);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), NET_EAGAIN);
}

/* ---- TIME_WAIT reuse ------------------------------------------------ */

TEST(time_wait_reused_when_table_full)
{
	int c, n = 0;
	uint32_t iss;

	t_setup();
	c = t_to_state(TCP_STATE_TIME_WAIT, &iss);
	CHECK(c >= 0);
	net_tcp_close(c, now);
	while (net_tcp_open() >= 0)
		n++;
	/* Every free slot, then the TIME_WAIT one. */
	CHECK_EQ(n, CONFIG_TCP_SOCKETS - 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TIME_WAIT_REUSED), 1);
}

TEST(time_wait_reopened_by_new_syn)
{
	int c;
	uint32_t iss, iss2;

	t_setup();
	c = t_to_state(TCP_STATE_TIME_WAIT, &iss);
	net_tcp_close(c, now);
	now += 10;
	iss2 = t_syn(PISS + 100000); /* beyond the old sequence space */
	CHECK(iss2 != 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TIME_WAIT_REUSED), 1);
	/* An old SYN does not. */
	t_setup();
	c = t_to_state(TCP_STATE_TIME_WAIT, &iss);
	net_tcp_close(c, now);
	t_clear();
	t_peer(TCP_FLAG_SYN, PISS - 5, 0, NULL, 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TIME_WAIT_REUSED), 0);
}

/* ---- misc ------------------------------------------------------------- */

TEST(malformed_segments_counted)
{
	struct t_seg s = {
	    1,	  0, TCP_FLAG_SYN, 100, (const uint8_t *)"\x02\x03\x05\x00", 4,
	    NULL, 0};

	t_setup();
	t_listen(LPORT, 4);
	t_inject(&s);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_BAD_OPTIONS), 1);
	CHECK_EQ(net_tcp_conns_in_use(), 1);
}

TEST(icmp_port_unreachable_refuses_connect)
{
	int s;
	struct t_out o;
	uint8_t msg[8 + 28];
	uint8_t fr[FAKE_FRAME_MAX];
	struct fake_ip ip = {
	    .src = FAKE_PEER_IP, .dst = FAKE_IP, .proto = 1, .ttl = 64};
	struct fake_ip q = {
	    .src = FAKE_IP, .dst = FAKE_PEER_IP, .proto = 6, .ttl = 64};

	t_setup();
	s = net_tcp_open();
	net_tcp_connect(s, FAKE_PEER_IP, PPORT, now);
	CHECK(t_last(&o));
	fake_ipv4_hdr(msg + 8, &q, 8);
	st_be16(msg + 28, o.sport);
	st_be16(msg + 30, PPORT);
	st_be32(msg + 32, o.seq + 5); /* not in flight: ignored */
	fake_icmp_msg(msg, 3, 3, 0, 28);
	fake_netdev_inject(fr, fake_ipv4_frame(fr, &ip, msg, sizeof(msg)));
	net_poll(now);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_SENT);
	st_be32(msg + 32, o.seq);
	fake_icmp_msg(msg, 3, 3, 0, 28);
	fake_netdev_inject(fr, fake_ipv4_frame(fr, &ip, msg, sizeof(msg)));
	net_poll(now);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_CLOSED);
	CHECK_EQ(net_tcp_get_error(s), NET_ECONNREFUSED);
}

TEST(bind_rules_and_bad_handles)
{
	int a, b;

	t_setup();
	a = net_tcp_open();
	b = net_tcp_open();
	CHECK_EQ(net_tcp_bind(a, 0, 80), NET_OK);
	CHECK_EQ(net_tcp_bind(b, 0, 80), NET_EADDRINUSE);
	CHECK_EQ(net_tcp_bind(a, 0, 81), NET_EINVAL);
	CHECK_EQ(net_tcp_local_port(a), 80);
	CHECK_EQ(net_tcp_listen(b, 1), NET_EINVAL); /* unbound */
	CHECK_EQ(net_tcp_send(-1, "x", 1, now), NET_EBADF);
	CHECK_EQ(net_tcp_recv(CONFIG_TCP_SOCKETS, rbuf, 1, now), NET_EBADF);
	CHECK_EQ(net_tcp_close(b, now), NET_OK);
	CHECK_EQ(net_tcp_close(b, now), NET_EBADF);
}

TEST(poll_reports_events)
{
	int l, c;
	uint32_t iss;
	struct net_pollfd fds[3];

	t_setup();
	c = t_passive(&l, &iss);
	fds[0] = (struct net_pollfd){l, NET_POLLIN, 0};
	fds[1] = (struct net_pollfd){c, NET_POLLIN | NET_POLLOUT, 0};
	fds[2] = (struct net_pollfd){-5, NET_POLLIN, 0};
	CHECK_EQ(net_tcp_poll(fds, 3), 2);
	CHECK_EQ(fds[0].revents, 0);
	CHECK_EQ(fds[1].revents, NET_POLLOUT);
	CHECK_EQ(fds[2].revents, NET_POLLERR);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, iss + 1, "x", 1);
	net_tcp_poll(fds, 2);
	CHECK_EQ(fds[1].revents, NET_POLLIN | NET_POLLOUT | NET_POLLHUP);
}

TEST(listener_close_resets_queued)
{
	int l;
	uint32_t iss;
	struct t_out o;

	t_setup();
	l = t_listen(LPORT, 4);
	iss = t_syn(PISS);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	t_clear();
	CHECK_EQ(net_tcp_close(l, now), NET_OK);
	CHECK(t_last(&o));
	CHECK(o.flags & TCP_FLAG_RST);
	CHECK_EQ(net_tcp_conns_in_use(), 0);
}

TEST(deadline_tracks_timers)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive(&l, &iss);
	CHECK_EQ(tcp_next_deadline(), UINT64_MAX);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, "x", 1);
	CHECK_EQ(tcp_next_deadline(), now + CONFIG_TCP_DELACK_MS);
	CHECK(net_next_deadline() <= now + CONFIG_TCP_DELACK_MS);
	(void)c;
}

TEST(active_open_exchange_and_close)
{
	int s;
	uint32_t iss;
	struct t_out o;

	t_setup();
	s = t_active(&iss);
	CHECK(s >= 0);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_ESTABLISHED);
	CHECK_EQ(net_tcp_send(s, "ping", 4, now), 4);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(o.ack, PISS + 1);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_PSH, PISS + 1, iss + 5, "pong", 4);
	CHECK_EQ(net_tcp_recv(s, rbuf, sizeof(rbuf), now), 4);
	CHECK_MEM(rbuf, "pong", 4);
	CHECK_EQ(net_tcp_close(s, now), NET_OK);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 5, iss + 6, NULL, 0);
	CHECK_EQ(net_tcp_conns_in_use(), 1); /* TIME_WAIT, no handle */
	CHECK_EQ(tcp_conns[s].state, TCP_STATE_TIME_WAIT);
}

/* ---- phase 2: options, recovery, keepalive -------------------------- */

/* SYN options like Linux's: MSS 1460, SACK-permitted, TS, NOP, WS 7. */
static uint8_t t_syn_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				 0, 0, 0,    0,	   0, 0, 1, 3,	3, 7};

/* An accepted connection with every option on; *iss is keel's ISN. */
static int t_passive_opts(int *l, uint32_t *iss, uint32_t tsval)
{
	struct t_seg s = {PISS,	      0,  TCP_FLAG_SYN, 65535,
			  t_syn_opts, 20, NULL,		0};
	uint8_t ack_opts[12] = {1, 1, 8, 10};
	struct t_seg a = {PISS + 1, 0,	TCP_FLAG_ACK, 1000,
			  ack_opts, 12, NULL,	      0};
	struct t_out o;

	*l = t_listen(LPORT, 4);
	st_be32(t_syn_opts + 8, tsval);
	t_clear();
	t_inject(&s);
	if (!t_last(&o))
		return -100;
	*iss = o.seq;
	a.ack = o.seq + 1;
	st_be32(ack_opts + 4, tsval + 1);
	st_be32(ack_opts + 8, o.tsval);
	t_inject(&a);
	t_clear();
	return net_tcp_accept(*l, NULL, NULL);
}

TEST(window_scale_timestamps_sack_negotiated)
{
	int l, c;
	uint32_t iss;
	struct t_out o;
	struct t_seg s = {PISS,	      0,  TCP_FLAG_SYN, 65535,
			  t_syn_opts, 20, NULL,		0};

	t_setup();
	l = t_listen(LPORT, 4);
	st_be32(t_syn_opts + 8, 777);
	t_inject(&s);
	CHECK(t_last(&o));
	CHECK(o.has_ws && o.has_ts && o.sack_perm);
	CHECK_EQ(o.ws, tcp_our_wscale());
	CHECK_EQ(o.tsecr, 777);
	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	CHECK(c >= 0);
	/* The peer's window 1000 is scaled by its shift of 7. */
	CHECK_EQ(tcp_conns[c].snd_wnd, 1000u << 7);
	CHECK_EQ(tcp_conns[c].mss, CONFIG_NET_MTU - 40 - 12);
	net_tcp_send(c, "x", 1, now);
	CHECK(t_last(&o));
	CHECK(o.has_ts);
	CHECK_EQ(o.tsecr, 5001);
	CHECK_EQ(o.win,
		 (uint16_t)(CONFIG_TCP_RX_RING >> tcp_our_wscale() > 65535
				? 65535
				: CONFIG_TCP_RX_RING >> tcp_our_wscale()));
}

TEST(paws_drops_old_timestamps)
{
	int l, c;
	uint32_t iss;
	uint8_t opts[12] = {1, 1, 8, 10};
	struct t_seg d = {PISS + 1, 0,	TCP_FLAG_ACK,		1000,
			  opts,	    12, (const uint8_t *)"new", 3};
	struct t_out o;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	d.ack = iss + 1;
	st_be32(opts + 4, 6000);
	t_inject(&d);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 3);
	t_clear();
	/* Reordered by a little: still taken (the slack). */
	d.seq = PISS + 4;
	st_be32(opts + 4, 5500);
	t_inject(&d);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_PAWS), 0);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 3);
	/* An old duplicate: TSval went far back. */
	d.seq = PISS + 7;
	st_be32(opts + 4, 6000 - 1001);
	t_inject(&d);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_PAWS), 1);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 7);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), NET_EAGAIN);
	/* ts_recent followed the in-order segments, never back. */
	CHECK_EQ(tcp_conns[c].ts_recent, 6000);
}

/*
 * RFC 5961 blind segments (in the window, failing the RST, SYN or ACK
 * checks) with a TSval far ahead must not move ts_recent: the real peer's
 * segments would all fail PAWS from then on.
 */
TEST(blind_segments_leave_ts_recent)
{
	int l, c;
	uint32_t iss, far = 5001 + (1u << 30);
	uint8_t opts[12] = {1, 1, 8, 10};
	struct t_seg d = {PISS + 1, 0,	TCP_FLAG_ACK,		1000,
			  opts,	    12, (const uint8_t *)"bad", 3};
	struct t_out o;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	CHECK_EQ(tcp_conns[c].ts_recent, 5001);
	st_be32(opts + 4, far);
	d.ack = iss + 100000; /* data never sent */
	t_inject(&d);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_BAD_ACK), 1);
	d.flags = TCP_FLAG_RST;
	d.seq = PISS + 11; /* in the window, not RCV.NXT */
	d.len = 0;
	t_inject(&d);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_RST_CHALLENGED), 1);
	d.flags = TCP_FLAG_SYN;
	t_inject(&d);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_SYN_CHALLENGED), 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_CHALLENGE_ACK), 3);
	CHECK(t_last(&o));
	CHECK_EQ(o.tsecr, 5001);
	CHECK_EQ(tcp_conns[c].ts_recent, 5001);
	/* The peer's own next segment passes PAWS and is taken. */
	t_clear();
	d.flags = TCP_FLAG_ACK;
	d.seq = PISS + 1;
	d.ack = iss + 1;
	d.data = (const uint8_t *)"new";
	d.len = 3;
	st_be32(opts + 4, 5002);
	t_inject(&d);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_PAWS), 0);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 3);
	CHECK_EQ(tcp_conns[c].ts_recent, 5002);
}

TEST(rtt_from_timestamps)
{
	int l, c;
	uint32_t iss;
	uint8_t opts[12] = {1, 1, 8, 10};
	struct t_seg a = {PISS + 1, 0, TCP_FLAG_ACK, 1000, opts, 12, NULL, 0};
	struct t_out o;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	net_tcp_send(c, "x", 1, now);
	CHECK(t_last(&o));
	now += 120;
	a.ack = iss + 2;
	st_be32(opts + 4, 5002);
	st_be32(opts + 8, o.tsval);
	t_inject(&a);
	CHECK(tcp_conns[c].has_rtt);
	/* Samples 0 (the handshake) and 120: SRTT = 120 / 8. */
	CHECK_EQ(tcp_conns[c].srtt8 >> 3, 15);
}

TEST(fast_retransmit_and_newreno)
{
	int l, c;
	uint32_t iss, mss;
	struct t_out o;

	t_setup();
	c = t_passive(&l, &iss);
	mss = tcp_conns[c].mss;
	memset(big, 'r', sizeof(big));
	net_tcp_send(c, big, 6 * mss, now);
	CHECK_EQ(t_ntx(), 6);
	t_clear();
	/* Segment 1 lost: three duplicate ACKs. */
	for (int i = 0; i < 3; i++)
		t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_DUP_ACK), 3);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_FAST_RETRANS), 1);
	CHECK(t_out(0, &o));
	CHECK_EQ(o.seq, iss + 1);
	CHECK_EQ(o.len, mss);
	CHECK(tcp_conns[c].in_recovery);
	/* A partial ACK (segment 3 lost too) retransmits the next hole. */
	t_clear();
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1 + 2 * mss, NULL, 0);
	CHECK(tcp_conns[c].in_recovery);
	CHECK(t_out(0, &o));
	CHECK_EQ(o.seq, iss + 1 + 2 * mss);
	/* The full ACK ends recovery. */
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1 + 6 * mss, NULL, 0);
	CHECK(!tcp_conns[c].in_recovery);
	/* RFC 6582 §3.2 step 3 (1): min(ssthresh, max(flight, MSS) + MSS). */
	CHECK_EQ(tcp_conns[c].ssthresh, 3 * mss);
	CHECK_EQ(tcp_conns[c].cwnd, 2 * mss);
}

TEST(keepalive_probes_then_drops)
{
	int l, c;
	uint32_t iss;
	struct t_out o;
	uint64_t t;

	t_setup();
	c = t_passive(&l, &iss);
	CHECK_EQ(net_tcp_set_keepalive(c, true), NET_OK);
	t = now + CONFIG_TCP_KEEPALIVE_IDLE_MS;
	t_at(t - 1);
	CHECK_EQ(t_ntx(), 0);
	t_at(t);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, iss); /* SND.NXT - 1 */
	CHECK_EQ(o.len, 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_KEEPALIVE), 1);
	/* An answer restarts the idle time. */
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	t_clear();
	t_at(now + CONFIG_TCP_KEEPALIVE_INTERVAL_MS);
	CHECK_EQ(t_ntx(), 0);
	t = now - CONFIG_TCP_KEEPALIVE_INTERVAL_MS +
	    CONFIG_TCP_KEEPALIVE_IDLE_MS;
	t_at(t);
	for (int i = 1; i < CONFIG_TCP_KEEPALIVE_COUNT; i++)
		t_at(now + CONFIG_TCP_KEEPALIVE_INTERVAL_MS);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_KEEPALIVE),
		 CONFIG_TCP_KEEPALIVE_COUNT + 1);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
	t_at(now + CONFIG_TCP_KEEPALIVE_INTERVAL_MS);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSED);
	CHECK(net_tcp_get_error(c) != NET_OK);
}

/* An ACK of `ack` with the given SACK blocks (and timestamps). */
static void t_sack(uint32_t ack, const uint32_t *blocks, int n)
{
	uint8_t opts[40] = {1, 1, 8, 10, 0, 0, 0x20, 0, 0, 0, 0, 0, 1, 1, 5};
	struct t_seg a = {PISS + 1, ack,  TCP_FLAG_ACK,
			  1000,	    opts, n ? 16 + 8 * (size_t)n : 12,
			  NULL,	    0};

	opts[15] = (uint8_t)(2 + 8 * n);
	for (int i = 0; i < 2 * n; i++)
		st_be32(opts + 16 + 4 * i, blocks[i]);
	t_inject(&a);
}

TEST(sack_recovery_retransmits_every_hole)
{
	int l, c;
	uint32_t iss, m, b;
	struct t_out o;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	CHECK(tcp_conns[c].sack_ok);
	m = tcp_conns[c].mss;
	b = iss + 1; /* segment k covers [b + (k-1) m, b + k m) */
	memset(big, 's', sizeof(big));
	net_tcp_send(c, big, 6 * m, now);
	CHECK_EQ(t_ntx(), 6);
	t_clear();
	/* Segments 1 and 4 lost: the peer SACKs 2, 2-3, then 5. */
	t_sack(b, (uint32_t[]){b + m, b + 2 * m}, 1);
	t_sack(b, (uint32_t[]){b + m, b + 3 * m}, 1);
	CHECK_EQ(t_ntx(), 0);
	t_sack(b, (uint32_t[]){b + 4 * m, b + 5 * m, b + m, b + 3 * m}, 2);
	CHECK(tcp_conns[c].in_recovery);
	CHECK_EQ(tcp_conns[c].sacked_count, 2);
	/* Both holes go at once: pipe 6 - 3 SACKed - 1 lost < cwnd 3. */
	CHECK_EQ(t_ntx(), 2);
	CHECK(t_out(0, &o));
	CHECK_EQ(o.seq, b);
	CHECK(t_out(1, &o));
	CHECK_EQ(o.seq, b + 3 * m);
	CHECK_EQ(o.len, m);
	CHECK_EQ(tcp_sack_pipe(&tcp_conns[c]), 3 * m);
	/* A partial ACK does not resend what SACK says arrived. */
	t_clear();
	t_sack(b + 3 * m, (uint32_t[]){b + 4 * m, b + 6 * m}, 1);
	CHECK_EQ(t_ntx(), 0);
	CHECK(tcp_conns[c].in_recovery);
	t_sack(b + 6 * m, NULL, 0);
	CHECK(!tcp_conns[c].in_recovery);
	CHECK_EQ(tcp_conns[c].sacked_count, 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_RETRANS), 2);
}

TEST(scaled_window_never_offers_past_the_ring)
{
	int l, c;
	uint32_t iss, seq = PISS + 1, off = 0, s, unit;
	uint8_t opts[12] = {1, 1, 8, 10, 0, 0, 0x20, 0};
	struct t_seg d = {0, 0, TCP_FLAG_ACK, 1000, opts, 12, NULL, 0};
	struct t_out o;
	uint32_t mss = CONFIG_NET_MTU - 52;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	s = tcp_conns[c].rcv_wscale;
	unit = 1u << s;
	CHECK(s > 0);
	d.ack = iss + 1;
	for (uint32_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	/* Fill the ring but unit - 1 bytes: the current window is not a
	 * multiple of the scale's unit, and rounding it up would offer
	 * bytes past the ring's end. */
	while (off < CONFIG_TCP_RX_RING - (unit - 1)) {
		uint32_t n = CONFIG_TCP_RX_RING - (unit - 1) - off;

		d.seq = seq + off;
		d.data = big + off;
		d.len = n < mss ? n : mss;
		t_inject(&d);
		off += d.len;
	}
	CHECK_EQ(tcp_conns[c].rx_len, CONFIG_TCP_RX_RING - (unit - 1));
	t_at(now + CONFIG_TCP_DELACK_MS);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, seq + off);
	CHECK((uint32_t)o.win << s <= unit - 1);
	CHECK(!seq_gt(tcp_conns[c].rcv_adv, tcp_conns[c].rcv_nxt + (unit - 1)));
	/* The peer sends a whole unit: only what fits is taken. */
	d.seq = seq + off;
	d.data = big + off;
	d.len = unit;
	t_inject(&d);
	CHECK(tcp_conns[c].rx_len <= CONFIG_TCP_RX_RING);
	/* And every byte read back is the one sent at its place. */
	for (uint32_t got = 0; got < tcp_conns[c].rx_len + got;) {
		int n = net_tcp_recv(c, rbuf, sizeof(rbuf), now);

		if (n <= 0)
			break;
		CHECK(memcmp(rbuf, big + got, (size_t)n) == 0);
		got += (uint32_t)n;
	}
}

TEST(fin_before_out_of_order_data_forgets_it)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive(&l, &iss);
	/* Data at PISS + 2.., then a FIN at PISS + 1: the FIN's sequence
	 * number ends right where that data starts. */
	t_peer(TCP_FLAG_ACK, PISS + 2, iss + 1, "0123456789", 10);
	CHECK_EQ(tcp_conns[c].ooo_count, 1);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, iss + 1, NULL, 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSE_WAIT);
	CHECK_EQ(tcp_conns[c].ooo_count, 0);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RX_DATA_PAST_FIN), 1);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 0);
}

TEST(sack_blocks_sent_for_out_of_order_data)
{
	int l, c;
	uint32_t iss;
	uint8_t opts[12] = {1, 1, 8, 10, 0, 0, 0x20, 0};
	struct t_seg d = {PISS + 11,
			  0,
			  TCP_FLAG_ACK,
			  1000,
			  opts,
			  12,
			  (const uint8_t *)"0123456789",
			  10};
	struct t_out o;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	d.ack = iss + 1;
	t_inject(&d);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, PISS + 1);
	CHECK_EQ(o.nsack, 1);
	CHECK_EQ(o.sack[0], PISS + 11);
	CHECK_EQ(o.sack[1], PISS + 21);
	(void)c;
}

TEST(window_closing_on_data_in_flight_goes_to_persist)
{
	int l, c;
	uint32_t iss;
	struct t_seg z = {PISS + 1, 0, TCP_FLAG_ACK, 0, NULL, 0, NULL, 0};

	t_setup();
	c = t_passive(&l, &iss);
	net_tcp_send(c, "abcdef", 6, now);
	/* The peer takes 3 bytes and closes its window. */
	z.ack = iss + 4;
	t_inject(&z);
	for (int i = 0; i < TCP_DATA_RETRIES + 5; i++) {
		t_at(now + CONFIG_TCP_RTO_MAX_MS);
		t_inject(&z); /* every probe answered: window still 0 */
	}
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
	CHECK(fake_stat(NET_STAT_TCP_TX_PROBE) >= TCP_DATA_RETRIES);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 4, NULL, 0);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 7, NULL, 0);
	CHECK_EQ(tcp_conns[c].tx_len, 0);
}

/* As if every RTT sample so far had been rtt_ms (the TLP waits 2 RTT). */
static void t_rtt(int c, uint32_t rtt_ms)
{
	tcp_conns[c].min_rtt = rtt_ms;
	tcp_conns[c].srtt8 = rtt_ms << 3;
	tcp_conns[c].has_rtt = true;
}

/* Count the data segments sent at sequence number seq. */
static int t_sent_at(uint32_t seq)
{
	struct t_out o;
	int n = 0;

	for (size_t i = 0; i < fake_netdev_tx_count(); i++)
		n += t_out(i, &o) && o.seq == seq && o.len > 0;
	return n;
}

/*
 * A passive connection with SACK and timestamps, every RTT so far 20 ms,
 * that has just sent nseg full segments from b (the peer has none yet).
 */
static int t_rack_conn(uint32_t nseg, uint32_t *m, uint32_t *b)
{
	int l, c;
	uint32_t iss;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	*m = tcp_conns[c].mss;
	*b = iss + 1;
	t_rtt(c, 20);
	memset(big, 'r', sizeof(big));
	net_tcp_send(c, big, nseg * *m, now);
	t_clear();
	return c;
}

TEST(rack_waits_out_the_reordering_window)
{
	uint32_t m, b;
	int c = t_rack_conn(6, &m, &b);

	/* 20 ms later segment 2 arrives, 1 not: perhaps only reordered. */
	now += 20; /* no timer is due meanwhile */
	t_sack(b, (uint32_t[]){b + m, b + 2 * m}, 1);
	CHECK_EQ(t_ntx(), 0);
	CHECK(!tcp_conns[c].in_recovery);
	CHECK_EQ(tcp_conns[c].rack_at, now + 5);
	t_at(now + 4);
	CHECK_EQ(t_ntx(), 0);
	/* RTT + reo_wnd since it went: lost, fast recovery. */
	t_at(now + 1);
	CHECK(tcp_conns[c].in_recovery);
	CHECK_EQ(t_sent_at(b), 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_FAST_RETRANS), 1);
}

TEST(rack_reordering_seen_needs_no_retransmission)
{
	uint32_t m, b;
	int c = t_rack_conn(4, &m, &b);

	now += 20; /* no timer is due meanwhile */
	t_sack(b, (uint32_t[]){b + m, b + 2 * m}, 1);
	/* Segment 1 comes in before the window ran out: no loss, and
	 * reordering is seen. */
	t_at(now + 2);
	t_sack(b + 2 * m, NULL, 0);
	CHECK(tcp_conns[c].rack_reo_seen);
	CHECK_EQ(tcp_conns[c].rack_at, TCP_NONE);
	t_at(now + 50); /* (a tail loss probe for 3-4 may go meanwhile) */
	CHECK_EQ(t_sent_at(b), 0);
	CHECK(!tcp_conns[c].in_recovery);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_FAST_RETRANS), 0);
}

TEST(rack_finds_a_lost_retransmission)
{
	uint32_t m, b;
	int c = t_rack_conn(8, &m, &b);

	/* Segment 1 lost: three SACKed above it, no reordering seen yet:
	 * lost at once (RFC 8985 §6.2 step 4). */
	now += 20; /* no timer is due meanwhile */
	t_sack(b, (uint32_t[]){b + m, b + 4 * m}, 1);
	CHECK(tcp_conns[c].in_recovery);
	CHECK_EQ(t_sent_at(b), 1);
	/* Its retransmission is lost too: segments sent after it (the
	 * rest of the first flight are older; new data is not) arrive a
	 * round trip later, and it goes a third time, without another cut
	 * of the window. */
	net_tcp_send(c, big, 2 * m, now);
	t_at(now + 5);
	t_sack(b, (uint32_t[]){b + m, b + 8 * m}, 1);
	CHECK_EQ(t_sent_at(b), 1);
	now += 20; /* no timer is due meanwhile */
	t_sack(b, (uint32_t[]){b + m, b + 10 * m}, 1);
	CHECK_EQ(t_sent_at(b), 2);
	CHECK_EQ(fake_stat(NET_STAT_TCP_TX_FAST_RETRANS), 1);
	t_sack(b + 10 * m, NULL, 0);
	CHECK(!tcp_conns[c].in_recovery);
}

TEST(prr_paces_recovery_by_deliveries)
{
	int l, c;
	uint32_t iss, m, b, out;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	m = tcp_conns[c].mss;
	b = iss + 1;
	t_rtt(c, 20);
	memset(big, 'p', sizeof(big));
	tcp_conns[c].cwnd = 10 * m;
	net_tcp_send(c, big, 20 * m, now);
	CHECK_EQ(t_ntx(), 10);
	t_clear();
	/* Segment 1 lost; 2-4 SACKed: recovery with ssthresh 5 segments.
	 * pipe is 6 (above ssthresh): the retransmission only. */
	now += 20; /* no timer is due meanwhile */
	t_sack(b, (uint32_t[]){b + m, b + 4 * m}, 1);
	CHECK(tcp_conns[c].in_recovery);
	CHECK_EQ(tcp_conns[c].ssthresh, 5 * m);
	CHECK_EQ(t_ntx(), 1);
	/* Each further delivery lets out about ssthresh / RecoverFS of a
	 * segment: two more SACKed segments, one new segment. */
	t_clear();
	t_sack(b, (uint32_t[]){b + m, b + 5 * m}, 1);
	t_sack(b, (uint32_t[]){b + m, b + 6 * m}, 1);
	out = (uint32_t)t_ntx();
	CHECK_EQ(out, 1);
	CHECK(tcp_conns[c].prr_out <=
	      (tcp_conns[c].prr_delivered * tcp_conns[c].ssthresh +
	       tcp_conns[c].prr_recover_fs - 1) /
		      tcp_conns[c].prr_recover_fs +
		  m);
}

TEST(dsack_undoes_needless_recovery)
{
	int l, c;
	uint32_t iss, m, b, cwnd;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	m = tcp_conns[c].mss;
	b = iss + 1;
	memset(big, 'u', sizeof(big));
	net_tcp_send(c, big, 6 * m, now);
	cwnd = tcp_conns[c].cwnd;
	/* Segment 1 only late (reordered): three SACKs, a fast retransmit. */
	t_sack(b, (uint32_t[]){b + m, b + 2 * m}, 1);
	t_sack(b, (uint32_t[]){b + m, b + 3 * m}, 1);
	t_sack(b, (uint32_t[]){b + m, b + 4 * m}, 1);
	CHECK(tcp_conns[c].in_recovery);
	CHECK(tcp_conns[c].cwnd < cwnd);
	t_sack(b, (uint32_t[]){b + m, b + 6 * m}, 1);
	/* The original arrives, then the retransmission as a D-SACK. */
	t_sack(b + 6 * m, NULL, 0);
	CHECK(!tcp_conns[c].in_recovery);
	CHECK(tcp_conns[c].cwnd < cwnd);
	t_sack(b + 6 * m, (uint32_t[]){b, b + m}, 1);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RECOVERY_UNDONE), 1);
	CHECK(!tcp_conns[c].in_recovery);
	CHECK(tcp_conns[c].cwnd >= cwnd);
}

TEST(timeout_go_back_skips_sacked_and_sends_short_holes)
{
	int l, c;
	uint32_t iss, m, b;
	struct t_out o;

	t_setup();
	c = t_passive_opts(&l, &iss, 5000);
	m = tcp_conns[c].mss;
	b = iss + 1;
	memset(big, 'g', sizeof(big));
	net_tcp_send(c, big, 4 * m, now);
	/* The peer holds [b + 100, b + 4m): only 100 bytes are missing. */
	t_sack(b, (uint32_t[]){b + 100, b + 4 * m}, 1);
	t_clear();
	t_at(now + tcp_conns[c].rto);
	CHECK_EQ(fake_stat(NET_STAT_TCP_RTO), 1);
	CHECK_EQ(t_ntx(), 1);
	CHECK(t_last(&o));
	CHECK_EQ(o.seq, b);
	CHECK_EQ(o.len, 100); /* the hole only, not the SACKed data */
	t_sack(b + 4 * m, NULL, 0);
	CHECK_EQ(tcp_conns[c].tx_len, 0);
}

/* ---- socket options ------------------------------------------------- */

/* len bytes of big from the peer at seq, in segments of 1400 bytes. */
static void t_peer_bulk(uint32_t seq, uint32_t ack, size_t len)
{
	for (size_t off = 0; off < len; off += 1400)
		t_peer(TCP_FLAG_ACK, seq + (uint32_t)off, ack, big + off,
		       len - off < 1400 ? len - off : 1400);
}

static int t_opt(int s, int opt)
{
	int v = -12345;

	if (net_tcp_getsockopt(s, opt, &v) != NET_OK)
		return -12345;
	return v;
}

TEST(sockopt_defaults_roundtrip_and_errors)
{
	int s, v;

	t_setup();
	s = net_tcp_open();
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_OK);
	CHECK_EQ(t_opt(s, NET_TCP_NODELAY), 0);
	CHECK_EQ(t_opt(s, NET_SO_KEEPALIVE), 0);
	CHECK_EQ(t_opt(s, NET_SO_SNDBUF), CONFIG_TCP_TX_RING);
	CHECK_EQ(t_opt(s, NET_SO_RCVBUF), CONFIG_TCP_RX_RING);
	CHECK_EQ(t_opt(s, NET_SO_NONBLOCK), 1);
	CHECK_EQ(t_opt(s, NET_SO_RCVTIMEO), 0);
	CHECK_EQ(t_opt(s, NET_SO_SNDTIMEO), 0);

	CHECK_EQ(net_tcp_setsockopt(s, NET_TCP_NODELAY, 7), NET_OK);
	CHECK_EQ(t_opt(s, NET_TCP_NODELAY), 1);
	CHECK_EQ(net_tcp_set_nodelay(s, false), NET_OK);
	CHECK_EQ(t_opt(s, NET_TCP_NODELAY), 0);
	CHECK_EQ(net_tcp_set_keepalive(s, true), NET_OK);
	CHECK_EQ(t_opt(s, NET_SO_KEEPALIVE), 1);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_NONBLOCK, 0), NET_OK);
	CHECK_EQ(t_opt(s, NET_SO_NONBLOCK), 0);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_RCVTIMEO, 250), NET_OK);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDTIMEO, 750), NET_OK);
	CHECK_EQ(t_opt(s, NET_SO_RCVTIMEO), 250);
	CHECK_EQ(t_opt(s, NET_SO_SNDTIMEO), 750);

	/* Sizes are clamped to [NET_TCP_BUF_MIN, the ring]. */
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, 10), NET_OK);
	CHECK_EQ(t_opt(s, NET_SO_SNDBUF), NET_TCP_BUF_MIN);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_RCVBUF, 1 << 30), NET_OK);
	CHECK_EQ(t_opt(s, NET_SO_RCVBUF), CONFIG_TCP_RX_RING);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_RCVBUF, 5000), NET_OK);
	CHECK_EQ(t_opt(s, NET_SO_RCVBUF), 5000);

	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_ERROR, 0), NET_EINVAL);
	CHECK_EQ(net_tcp_setsockopt(s, 99, 1), NET_EINVAL);
	CHECK_EQ(net_tcp_getsockopt(s, 99, &v), NET_EINVAL);
	CHECK_EQ(net_tcp_getsockopt(s, 0, &v), NET_EINVAL);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, -1), NET_EINVAL);
	CHECK_EQ(net_tcp_getsockopt(s, NET_SO_SNDBUF, NULL), NET_EINVAL);
	CHECK_EQ(net_tcp_setsockopt(-1, NET_TCP_NODELAY, 1), NET_EBADF);
	CHECK_EQ(net_tcp_getsockopt(CONFIG_TCP_SOCKETS, NET_SO_ERROR, &v),
		 NET_EBADF);
	CHECK_EQ(net_tcp_close(s, now), NET_OK);
	CHECK_EQ(net_tcp_getsockopt(s, NET_TCP_NODELAY, &v), NET_EBADF);
	CHECK_EQ(net_tcp_setsockopt(s, NET_TCP_NODELAY, 1), NET_EBADF);
}

TEST(so_error_reports_a_refused_connect_once)
{
	int s;
	struct t_out o;

	t_setup();
	s = net_tcp_open();
	CHECK_EQ(net_tcp_connect(s, FAKE_PEER_IP, PPORT, now), NET_OK);
	CHECK(!net_tcp_is_writable(s));
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_OK);
	CHECK(t_last(&o));
	t_lport = o.sport;
	t_peer(TCP_FLAG_RST | TCP_FLAG_ACK, 0, o.seq + 1, NULL, 0);
	CHECK(net_tcp_is_writable(s));
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_ECONNREFUSED);
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_OK);
	CHECK_EQ(net_tcp_close(s, now), NET_OK);
}

TEST(so_error_reports_a_timed_out_connect)
{
	int s;

	t_setup();
	s = net_tcp_open();
	CHECK_EQ(net_tcp_connect(s, FAKE_PEER_IP, PPORT, now), NET_OK);
	for (int i = 0; i < 50 && net_tcp_state(s) != TCP_STATE_CLOSED; i++)
		t_at(now + CONFIG_TCP_RTO_MAX_MS);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_CLOSED);
	CHECK(net_tcp_is_writable(s));
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_ETIMEDOUT);
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_OK);
	CHECK_EQ(net_tcp_send(s, "x", 1, now), NET_ENOTCONN);
}

TEST(rcvbuf_limits_the_advertised_window)
{
	int l, c;
	uint32_t iss, seq = PISS + 1;
	struct t_out o;

	t_setup();
	/* Active open: the SYN offers SO_RCVBUF. */
	c = net_tcp_open();
	CHECK_EQ(net_tcp_setsockopt(c, NET_SO_RCVBUF, 4096), NET_OK);
	CHECK_EQ(net_tcp_connect(c, FAKE_PEER_IP, PPORT, now), NET_OK);
	CHECK(t_last(&o));
	CHECK_EQ(o.flags, TCP_FLAG_SYN);
	CHECK_EQ(o.win, 4096);
	CHECK_EQ(net_tcp_abort(c, now), NET_OK);

	/* Passive: a listener's SO_RCVBUF goes to its connections. */
	l = t_listen(LPORT, 4);
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_RCVBUF, 4096), NET_OK);
	iss = t_syn(PISS);
	CHECK(t_last(&o));
	CHECK_EQ(o.win, 4096);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	c = net_tcp_accept(l, NULL, NULL);
	CHECK(c >= 0);
	CHECK_EQ(t_opt(c, NET_SO_RCVBUF), 4096);
	memset(big, 'r', sizeof(big));
	t_clear();
	t_peer(TCP_FLAG_ACK, seq, iss + 1, big, 1000);
	seq += 1000;
	t_at(now + CONFIG_TCP_DELACK_MS);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, seq);
	CHECK_EQ(o.win, 4096 - 1000);
	/* Fill it: the window closes, a byte more is dropped. */
	t_peer_bulk(seq, iss + 1, 3096);
	seq += 3096;
	t_clear();
	t_peer(TCP_FLAG_ACK, seq, iss + 1, big, 1);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, seq);
	CHECK_EQ(o.win, 0);
	/* Reading reopens it to SO_RCVBUF, not to the ring. */
	t_clear();
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 4096);
	CHECK(t_last(&o));
	CHECK_EQ(o.win, 4096);
}

TEST(rcvbuf_lowered_keeps_the_advertised_window)
{
	int l, c;
	uint32_t iss, seq = PISS + 1;
	struct t_out o;
	int got = 0, n;

	t_setup();
	c = t_passive(&l, &iss);
	memset(big, 's', sizeof(big));
	t_peer(TCP_FLAG_ACK | TCP_FLAG_PSH, seq, iss + 1, big, 1);
	seq += 1;
	t_at(now + CONFIG_TCP_DELACK_MS);
	CHECK(t_last(&o));
	CHECK_EQ(o.win, 65535); /* no window scale: the field's maximum */
	CHECK_EQ(net_tcp_setsockopt(c, NET_SO_RCVBUF, 1024), NET_OK);
	/* What was advertised is still taken (RFC 9293 §3.8.6.2.2). */
	t_clear();
	t_peer(TCP_FLAG_ACK, seq, iss + 1, big, 1400);
	seq += 1400;
	t_peer(TCP_FLAG_ACK, seq, iss + 1, big, 1400);
	seq += 1400;
	t_at(now + CONFIG_TCP_DELACK_MS);
	CHECK(t_last(&o));
	CHECK_EQ(o.ack, seq);
	CHECK_EQ(o.win, 65535 - 2800); /* the right edge stays */
	while ((n = net_tcp_recv(c, rbuf, sizeof(rbuf), now)) > 0)
		got += n;
	CHECK_EQ(got, 2801);
	/* Once it is used up, SO_RCVBUF rules. */
	t_peer_bulk(seq, iss + 1, 65535 - 2801);
	t_clear();
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 65535 - 2801);
	CHECK(t_last(&o));
	CHECK_EQ(o.win, 1024);
}

TEST(sndbuf_limits_send_space)
{
	int s;
	uint32_t iss;

	t_setup();
	s = t_active(&iss);
	CHECK(s >= 0);
	CHECK_EQ(net_tcp_send_space(s), CONFIG_TCP_TX_RING);
	CHECK_EQ(net_tcp_set_nodelay(s, true), NET_OK); /* all goes out */
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, 3000), NET_OK);
	CHECK_EQ(net_tcp_send_space(s), 3000);
	memset(big, 'w', sizeof(big));
	CHECK_EQ(net_tcp_send(s, big, 5000, now), 3000);
	CHECK_EQ(net_tcp_send_space(s), 0);
	CHECK(!net_tcp_is_writable(s));
	CHECK_EQ(net_tcp_send(s, big, 1, now), NET_EAGAIN);
	/* Acknowledged bytes leave the ring and make room. */
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1 + 1000, NULL, 0);
	CHECK_EQ(net_tcp_send_space(s), 1000);
	CHECK(net_tcp_is_writable(s));
	/* Lowered below what is queued: nothing more until it drains. */
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, 1024), NET_OK);
	CHECK_EQ(net_tcp_send_space(s), 0);
	CHECK_EQ(net_tcp_send(s, big, 1, now), NET_EAGAIN);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1 + 3000, NULL, 0);
	CHECK_EQ(net_tcp_send_space(s), 1024);
}

TEST(accepted_connection_takes_the_listener_options)
{
	int l, c;
	uint32_t iss;

	t_setup();
	l = t_listen(LPORT, 4);
	CHECK_EQ(net_tcp_setsockopt(l, NET_TCP_NODELAY, 1), NET_OK);
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_KEEPALIVE, 1), NET_OK);
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_SNDBUF, 2048), NET_OK);
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_NONBLOCK, 0), NET_OK);
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_RCVTIMEO, 300), NET_OK);
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_SNDTIMEO, 400), NET_OK);
	iss = t_syn(PISS);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	c = net_tcp_accept(l, NULL, NULL);
	CHECK(c >= 0);
	CHECK_EQ(t_opt(c, NET_TCP_NODELAY), 1);
	CHECK_EQ(t_opt(c, NET_SO_KEEPALIVE), 1);
	CHECK_EQ(t_opt(c, NET_SO_SNDBUF), 2048);
	CHECK_EQ(t_opt(c, NET_SO_RCVBUF), CONFIG_TCP_RX_RING);
	CHECK_EQ(t_opt(c, NET_SO_NONBLOCK), 0);
	CHECK_EQ(t_opt(c, NET_SO_RCVTIMEO), 300);
	CHECK_EQ(t_opt(c, NET_SO_SNDTIMEO), 400);
	CHECK(tcp_conns[c].keep_at != TCP_NONE);
	CHECK_EQ(net_tcp_send_space(c), 2048);
}

/* ---- readiness callbacks -------------------------------------------- */

struct t_cb {
	int calls;
	int sock;
	uint8_t last;
	uint8_t all;  /* every bit reported */
	bool close;   /* close the socket from the callback */
	bool drain;   /* recv until NET_EAGAIN */
	int accepted; /* listener: the last accepted handle */
};

static void t_cb_record(int sock, uint8_t revents, void *ctx)
{
	struct t_cb *r = ctx;

	r->calls++;
	r->sock = sock;
	r->last = revents;
	r->all |= revents;
	if (r->drain)
		while (net_tcp_recv(sock, rbuf, sizeof(rbuf), now) > 0)
			;
	if (r->close)
		net_tcp_close(sock, now);
}

static void t_cb_accept(int sock, uint8_t revents, void *ctx)
{
	struct t_cb *r = ctx;
	int c;

	r->calls++;
	r->last = revents;
	while ((c = net_tcp_accept(sock, NULL, NULL)) >= 0)
		r->accepted = c;
}

TEST(callback_fires_once_per_edge)
{
	int l, c;
	uint32_t iss, seq = PISS + 1;
	struct t_cb r = {0};

	t_setup();
	c = t_passive(&l, &iss);
	CHECK_EQ(net_tcp_set_callback(c, t_cb_record, &r), NET_OK);
	CHECK_EQ(r.calls, 0); /* only from net_poll() */
	t_at(now);
	CHECK_EQ(r.calls, 1);
	CHECK_EQ(r.sock, c);
	CHECK_EQ(r.last, NET_POLLOUT); /* what was already true */
	t_at(now + 1);
	CHECK_EQ(r.calls, 1);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_PSH, seq, iss + 1, "ab", 2);
	seq += 2;
	CHECK_EQ(r.calls, 2);
	CHECK_EQ(r.last, NET_POLLIN);
	/* More data while unread: no new edge. A partial read neither. */
	t_peer(TCP_FLAG_ACK | TCP_FLAG_PSH, seq, iss + 1, "cd", 2);
	seq += 2;
	CHECK_EQ(net_tcp_recv(c, rbuf, 1, now), 1);
	t_at(now + 1);
	CHECK_EQ(r.calls, 2);
	/* Emptied: the next data is an edge again, even when it comes
	 * in the same poll as nothing else. */
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 3);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_PSH, seq, iss + 1, "e", 1);
	seq += 1;
	CHECK_EQ(r.calls, 3);
	CHECK_EQ(r.last, NET_POLLIN);
	/* The peer's FIN: HUP is new, IN was already reported. */
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, seq, iss + 1, NULL, 0);
	CHECK_EQ(r.calls, 4);
	CHECK_EQ(r.last, NET_POLLHUP);
	/* Removed: no more calls. */
	CHECK_EQ(net_tcp_set_callback(c, NULL, NULL), NET_OK);
	CHECK_EQ(net_tcp_recv(c, rbuf, sizeof(rbuf), now), 1);
	t_at(now + 1);
	CHECK_EQ(r.calls, 4);
	CHECK_EQ(net_tcp_set_callback(-1, t_cb_record, &r), NET_EBADF);
}

TEST(callback_hears_of_room_after_a_full_ring)
{
	int s;
	uint32_t iss;
	struct t_cb r = {0};

	t_setup();
	s = t_active(&iss);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, 2000), NET_OK);
	CHECK_EQ(net_tcp_set_callback(s, t_cb_record, &r), NET_OK);
	t_at(now);
	CHECK_EQ(r.calls, 1);
	CHECK_EQ(r.last, NET_POLLOUT);
	memset(big, 'f', sizeof(big));
	CHECK_EQ(net_tcp_send(s, big, 5000, now), 2000);
	t_at(now + 1);
	CHECK_EQ(r.calls, 1);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1 + 500, NULL, 0);
	CHECK_EQ(r.calls, 2);
	CHECK_EQ(r.last, NET_POLLOUT);
	/* Room left after a partial send: still writable, no edge. */
	CHECK_EQ(net_tcp_send(s, big, 100, now), 100);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1 + 1000, NULL, 0);
	CHECK_EQ(r.calls, 2);
}

TEST(callback_reports_a_refused_connect)
{
	int s;
	struct t_out o;
	struct t_cb r = {0};

	t_setup();
	s = net_tcp_open();
	CHECK_EQ(net_tcp_set_callback(s, t_cb_record, &r), NET_OK);
	CHECK_EQ(net_tcp_connect(s, FAKE_PEER_IP, PPORT, now), NET_OK);
	t_at(now);
	CHECK_EQ(r.calls, 0); /* SYN_SENT: nothing ready */
	CHECK(t_last(&o));
	t_lport = o.sport;
	t_peer(TCP_FLAG_RST | TCP_FLAG_ACK, 0, o.seq + 1, NULL, 0);
	CHECK_EQ(r.calls, 1);
	CHECK(r.last & NET_POLLERR);
	CHECK(r.last & NET_POLLOUT);
	CHECK_EQ(t_opt(s, NET_SO_ERROR), NET_ECONNREFUSED);
	t_at(now + 1);
	CHECK_EQ(r.calls, 1);
}

TEST(callback_may_close_its_socket)
{
	int l, c, other;
	uint32_t iss;
	struct t_cb r = {0}, q = {0};

	t_setup();
	c = t_passive(&l, &iss);
	other = net_tcp_open();
	CHECK(other > c);
	r.close = true;
	r.drain = true;
	CHECK_EQ(net_tcp_set_callback(c, t_cb_record, &r), NET_OK);
	CHECK_EQ(net_tcp_set_callback(other, t_cb_record, &q), NET_OK);
	t_peer(TCP_FLAG_ACK | TCP_FLAG_FIN, PISS + 1, iss + 1, "bye", 3);
	CHECK_EQ(r.calls, 1);
	CHECK_EQ(r.last, NET_POLLIN | NET_POLLOUT | NET_POLLHUP);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_CLOSED); /* no handle any more */
	CHECK_EQ(tcp_conns[c].state, TCP_STATE_LAST_ACK);
	/* The dispatch went on to the next socket. */
	CHECK_EQ(q.calls, 0); /* a fresh socket has nothing ready */
	t_peer(TCP_FLAG_ACK, PISS + 5, iss + 2, NULL, 0);
	CHECK_EQ(r.calls, 1);
	CHECK_EQ(net_tcp_conns_in_use(), 2); /* the listener and other */
	/* A new socket in the freed slot does not inherit the callback. */
	CHECK_EQ(net_tcp_open(), c);
	t_at(now + 1);
	CHECK_EQ(r.calls, 1);
}

TEST(callback_on_a_listener_accepts)
{
	int l, c;
	uint32_t iss;
	struct t_cb r = {0};

	t_setup();
	l = t_listen(LPORT, 4);
	r.accepted = -1;
	CHECK_EQ(net_tcp_set_callback(l, t_cb_accept, &r), NET_OK);
	iss = t_syn(PISS);
	CHECK_EQ(r.calls, 0); /* SYN_RCVD is not acceptable yet */
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	CHECK_EQ(r.calls, 1);
	CHECK_EQ(r.last, NET_POLLIN);
	c = r.accepted;
	CHECK(c >= 0);
	CHECK_EQ(net_tcp_state(c), TCP_STATE_ESTABLISHED);
	/* The queue was emptied, so the next connection is an edge. */
	t_pport = PPORT + 1;
	iss = t_syn(PISS);
	t_peer(TCP_FLAG_ACK, PISS + 1, iss + 1, NULL, 0);
	CHECK_EQ(r.calls, 2);
	CHECK(r.accepted >= 0 && r.accepted != c);
}
