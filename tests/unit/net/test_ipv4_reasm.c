/*
 * test_ipv4_reasm.c - fragment reassembly (net/ipv4_reasm.c), first
 * through its own interface (every rule with its counter), then through
 * the stack: an 8000-byte ping in six shuffled fragments answered with a
 * correctly fragmented reply, and the timeout's "time exceeded".
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "fake_netdev.h"
#include "ipv4.h"
#include "ipv4_reasm.h"
#include "ipv4_wire.h"
#include "net_config.h"

#define ECHO_DATA 8000

static uint64_t now;
static uint8_t pattern[65536];
static uint8_t frame[1600];

/* ---- helpers -------------------------------------------------------- */

static void t_setup(void)
{
	now = 5000;
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 31 + (i >> 8));
	fake_stack_up_peer(now);
}

/* A fragment header for datagram `id` (UDP, peer -> us). */
static struct ipv4_hdr t_hdr(uint16_t id, size_t off, size_t len, bool mf)
{
	struct ipv4_hdr h = {0};

	h.hdr_len = IPV4_HDR_LEN;
	h.total_len = (uint16_t)(IPV4_HDR_LEN + len);
	h.id = id;
	h.mf = mf;
	h.frag_off = (uint16_t)off;
	h.ttl = 64;
	h.proto = 17;
	h.src = FAKE_PEER_IP;
	h.dst = FAKE_IP;
	return h;
}

/* Feed pattern bytes [off, off + len) as a fragment of datagram `id`. */
static int t_frag(uint16_t id, size_t off, size_t len, bool mf,
		  struct ipv4_reasm_view *v)
{
	struct ipv4_hdr h = t_hdr(id, off, len, mf);
	uint8_t raw[IPV4_HDR_LEN];

	ipv4_wire_emit(raw, &h);
	return ipv4_reasm_input(&h, raw, pattern + off, false, now, v);
}

static bool t_view_is_pattern(const struct ipv4_reasm_view *v, size_t len)
{
	return v->len == len && memcmp(v->data, pattern, len) == 0 &&
	       v->src == FAKE_PEER_IP && v->dst == FAKE_IP && v->proto == 17 &&
	       v->hdr_len == IPV4_HDR_LEN;
}

/* ---- the module ----------------------------------------------------- */

TEST(in_order)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(1, 0, 16, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(1, 16, 16, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(1, 32, 5, false, &v), NET_OK);
	CHECK(t_view_is_pattern(&v, 37));
	CHECK_EQ(ld_be16(v.hdr + IPV4_OFF_FRAG), IPV4_FRAG_MF);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_RX), 3);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_REASSEMBLED), 1);
	ipv4_reasm_release(v.slot);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
}

TEST(reverse_order)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(2, 1480, 100, false, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(2, 8, 1472, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(2, 0, 8, true, &v), NET_OK);
	CHECK(t_view_is_pattern(&v, 1580));
	ipv4_reasm_release(v.slot);
}

TEST(lent_slot_kept_until_release)
{
	struct ipv4_reasm_view v, x;

	t_setup();
	t_frag(3, 0, 8, true, &v);
	CHECK_EQ(t_frag(3, 8, 8, false, &v), NET_OK);
	/* Handed up: not expired, not counted in deadlines. */
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
	CHECK(!ipv4_reasm_expire(now + 10 * CONFIG_IPV4_REASM_TIMEOUT_MS, &x));
	CHECK(t_view_is_pattern(&v, 16));
	ipv4_reasm_release(v.slot);
}

TEST(duplicate_dropped_datagram_kept)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(4, 0, 24, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(4, 0, 24, true, &v), NET_EBADMSG);
	CHECK_EQ(t_frag(4, 8, 8, true, &v), NET_EBADMSG); /* inside */
	CHECK_EQ(t_frag(4, 24, 3, false, &v), NET_OK);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_DUPLICATE), 2);
	CHECK(t_view_is_pattern(&v, 27));
	ipv4_reasm_release(v.slot);
}

TEST(duplicate_last_fragment)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(5, 16, 3, false, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(5, 16, 3, false, &v), NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_DUPLICATE), 1);
	CHECK_EQ(t_frag(5, 0, 16, true, &v), NET_OK);
	CHECK(t_view_is_pattern(&v, 19));
	ipv4_reasm_release(v.slot);
}

TEST(partial_overlap_discards_datagram)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(6, 0, 16, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(6, 8, 16, true, &v), NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_OVERLAP), 1);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX); /* freed */
	/* A second, longer last fragment overlapping the first one. */
	CHECK_EQ(t_frag(7, 16, 5, false, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(7, 8, 13, false, &v), NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_OVERLAP), 2);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
}

TEST(fragment_rules)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(8, 0, 12, true, &v), NET_EBADMSG); /* not * 8 */
	CHECK_EQ(t_frag(8, 8, 0, true, &v), NET_EBADMSG);  /* empty */
	CHECK_EQ(t_frag(8, 8, 0, false, &v), NET_EBADMSG);
	/* "Ping of death": ends past 65535 with its header. */
	CHECK_EQ(t_frag(8, 65520, 8, false, &v), NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_BAD), 4);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
}

TEST(too_big_frees_slot)
{
	struct ipv4_reasm_view v;

	t_setup();
	CHECK_EQ(t_frag(9, 0, 8, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(9, CONFIG_IPV4_REASM_MAX - 8, 16, false, &v),
		 NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_TOO_BIG), 1);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
	/* Exactly the limit is fine. */
	CHECK_EQ(t_frag(10, CONFIG_IPV4_REASM_MAX - 8, 8, false, &v),
		 NET_EAGAIN);
	CHECK_EQ(t_frag(10, 0, CONFIG_IPV4_REASM_MAX - 8, true, &v), NET_OK);
	CHECK(t_view_is_pattern(&v, CONFIG_IPV4_REASM_MAX));
	ipv4_reasm_release(v.slot);
}

TEST(conflicting_ends_discard_datagram)
{
	struct ipv4_reasm_view v;

	t_setup();
	/* Two last fragments disagreeing on the total length. */
	CHECK_EQ(t_frag(11, 16, 3, false, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(11, 24, 3, false, &v), NET_EBADMSG);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
	/* Data past a known end. */
	CHECK_EQ(t_frag(12, 8, 8, false, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(12, 16, 8, true, &v), NET_EBADMSG);
	/* A last fragment ending before data already received. */
	CHECK_EQ(t_frag(13, 16, 8, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(13, 0, 8, false, &v), NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_BAD), 3);
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
}

TEST(keyed_by_src_dst_proto_id)
{
	struct ipv4_reasm_view v;
	struct ipv4_hdr h = t_hdr(14, 8, 8, false);
	uint8_t raw[IPV4_HDR_LEN];

	t_setup();
	CHECK_EQ(t_frag(14, 0, 8, true, &v), NET_EAGAIN);
	/* Same id, another protocol: a separate datagram, not a dup. */
	h.proto = 1;
	h.frag_off = 0;
	h.mf = true;
	ipv4_wire_emit(raw, &h);
	CHECK_EQ(ipv4_reasm_input(&h, raw, pattern, false, now, &v),
		 NET_EAGAIN);
	h.proto = 17;
	h.src = FAKE_PEER_IP + 5;
	ipv4_wire_emit(raw, &h);
	CHECK_EQ(ipv4_reasm_input(&h, raw, pattern, false, now, &v),
		 NET_EAGAIN);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_DUPLICATE), 0);
	CHECK_EQ(t_frag(14, 8, 8, false, &v), NET_OK);
	CHECK(t_view_is_pattern(&v, 16));
	ipv4_reasm_release(v.slot);
}

TEST(evicts_oldest_when_full)
{
	struct ipv4_reasm_view v;

	t_setup();
	for (uint16_t id = 100; id < 100 + CONFIG_IPV4_REASM_SLOTS; id++) {
		CHECK_EQ(t_frag(id, 0, 8, true, &v), NET_EAGAIN);
		now++;
	}
	CHECK_EQ(t_frag(200, 0, 8, true, &v), NET_EAGAIN);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_EVICTED), 1);
	/* The newer ones are intact; the oldest (100) is gone. */
	for (uint16_t id = 101; id < 100 + CONFIG_IPV4_REASM_SLOTS; id++) {
		CHECK_EQ(t_frag(id, 8, 4, false, &v), NET_OK);
		ipv4_reasm_release(v.slot);
	}
	CHECK_EQ(t_frag(100, 8, 4, false, &v), NET_EAGAIN);
}

TEST(flood_does_not_block_later_datagrams)
{
	struct ipv4_reasm_view v;

	t_setup();
	for (uint16_t id = 0; id < 1000; id++) {
		t_frag(id, 8, 8, true, &v);
		now++;
	}
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_EVICTED),
		 1000 - CONFIG_IPV4_REASM_SLOTS);
	CHECK_EQ(t_frag(5000, 0, 8, true, &v), NET_EAGAIN);
	CHECK_EQ(t_frag(5000, 8, 8, false, &v), NET_OK);
	CHECK(t_view_is_pattern(&v, 16));
	ipv4_reasm_release(v.slot);
}

TEST(expires_at_exact_deadline)
{
	struct ipv4_reasm_view v;
	uint64_t start;

	t_setup();
	start = now;
	CHECK_EQ(t_frag(15, 8, 8, true, &v), NET_EAGAIN);
	now += 100;
	CHECK_EQ(t_frag(15, 0, 8, true, &v), NET_EAGAIN);
	CHECK_EQ(ipv4_reasm_next_deadline(),
		 start + CONFIG_IPV4_REASM_TIMEOUT_MS);
	CHECK(!ipv4_reasm_expire(start + CONFIG_IPV4_REASM_TIMEOUT_MS - 1, &v));
	CHECK(ipv4_reasm_expire(start + CONFIG_IPV4_REASM_TIMEOUT_MS, &v));
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_TIMEOUT), 1);
	/* Fragment 0 had come: its header and its bytes for the quote. */
	CHECK_EQ(v.hdr_len, IPV4_HDR_LEN);
	CHECK_EQ(v.len, 8);
	CHECK_MEM(v.data, pattern, 8);
	ipv4_reasm_release(v.slot);
	CHECK(!ipv4_reasm_expire(start + CONFIG_IPV4_REASM_TIMEOUT_MS, &v));
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
}

/* ---- through the stack ---------------------------------------------- */

/* One fragment frame from `msg` bytes [off, off + len) of datagram id. */
static size_t t_frag_frame(const uint8_t *msg, uint16_t id, uint32_t dst,
			   size_t off, size_t len, bool mf, uint8_t proto)
{
	struct fake_ip h = {
	    .src = FAKE_PEER_IP,
	    .dst = dst,
	    .proto = proto,
	    .ttl = 64,
	    .id = id,
	    .frag = (uint16_t)((mf ? 0x2000 : 0) | off / 8),
	    .l2_dst = dst == NET_IPV4_BROADCAST ? fake_bcast_mac : fake_mac,
	};

	return fake_ipv4_frame(frame, &h, msg + off, len);
}

/* An echo request with ECHO_DATA bytes of data; returns its length. */
static size_t t_big_echo(uint8_t *msg)
{
	memcpy(msg + 8, pattern, ECHO_DATA);
	return fake_icmp_msg(msg, 8, 0, (uint32_t)0x1d1d << 16 | 77, ECHO_DATA);
}

/*
 * Reassemble the frames the stack sent, all to the peer; 0 when a
 * fragment rule broke.
 */
static size_t t_reassemble_tx(uint8_t *out, size_t cap)
{
	for (size_t i = 0; i < fake_netdev_tx_count(); i++)
		if (ld_be32(fake_netdev_tx(i)->data + 14 + 16) != FAKE_PEER_IP)
			return 0;
	return fake_tx_reassemble(0, fake_netdev_tx_count(), out, cap);
}

TEST(fragmented_ping_answered_fragmented)
{
	static uint8_t msg[8 + ECHO_DATA], reply[8 + ECHO_DATA + 8];
	static const size_t order[] = {3, 0, 5, 1, 4, 2};
	size_t len;

	t_setup();
	len = t_big_echo(msg);
	CHECK_EQ((len + 1479) / 1480, 6);
	for (size_t i = 0; i < 6; i++) {
		size_t off = order[i] * 1480;
		size_t n = len - off < 1480 ? len - off : 1480;

		CHECK(fake_netdev_inject(frame,
					 t_frag_frame(msg, 0xabcd, FAKE_IP, off,
						      n, off + n < len, 1)));
	}
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_RX), 6);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_REASSEMBLED), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_RX_ECHO), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ECHO_REPLY), 1);
	CHECK_EQ(fake_netdev_tx_count(), 6);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_FRAGMENTS), 6);
	CHECK_EQ(t_reassemble_tx(reply, sizeof(reply)), len);
	CHECK_EQ(reply[0], 0);
	CHECK_EQ(reply[1], 0);
	CHECK_EQ(fake_csum(reply, len), 0);
	CHECK_MEM(reply + 4, msg + 4, len - 4); /* id, seq, data */
	CHECK_EQ(ipv4_reasm_next_deadline(), UINT64_MAX);
}

TEST(reassembled_datagram_quoted_from_first_fragment)
{
	static uint8_t msg[64];
	const uint8_t *ip;

	t_setup();
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(0x80 + i);
	/* Protocol 99 is unknown: protocol unreachable about the whole. */
	fake_netdev_inject(frame,
			   t_frag_frame(msg, 7, FAKE_IP, 0, 16, true, 99));
	fake_netdev_inject(frame,
			   t_frag_frame(msg, 7, FAKE_IP, 16, 48, false, 99));
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_PROTO), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	ip = fake_netdev_tx(0)->data + 14;
	CHECK_EQ(ip[20], 3);
	CHECK_EQ(ip[21], 2);
	/* The offset-0 fragment's header (MF set) and 8 data bytes. */
	CHECK_EQ(ld_be16(ip + 2), 20 + 8 + 20 + 8);
	CHECK_EQ(ld_be16(ip + 28 + 6), 0x2000);
	CHECK_EQ(ld_be16(ip + 28 + 2), 20 + 16);
	CHECK_MEM(ip + 48, msg, 8);
}

TEST(timeout_sends_time_exceeded)
{
	static uint8_t msg[8 + ECHO_DATA];
	uint8_t sent[14 + 20 + 1480];
	uint64_t start;
	const uint8_t *ip;

	t_setup();
	start = now;
	t_big_echo(msg);
	memcpy(sent, frame,
	       t_frag_frame(msg, 0x0bad, FAKE_IP, 0, 1480, true, 1));
	fake_netdev_inject(sent, sizeof(sent));
	net_poll(now);
	CHECK_EQ(ipv4_next_deadline(), start + CONFIG_IPV4_REASM_TIMEOUT_MS);
	CHECK(net_next_deadline() <= start + CONFIG_IPV4_REASM_TIMEOUT_MS);
	net_poll(start + CONFIG_IPV4_REASM_TIMEOUT_MS - 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
	net_poll(start + CONFIG_IPV4_REASM_TIMEOUT_MS);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_TIMEOUT), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_TIME_EXCEEDED), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	ip = fake_netdev_tx(0)->data + 14;
	CHECK_EQ(ld_be32(ip + 16), FAKE_PEER_IP);
	CHECK_EQ(ip[9], 1);
	/* RFC 792: type 11 code 1, quoting the header and 8 bytes. */
	CHECK_EQ(ld_be16(ip + 2), 20 + 8 + 20 + 8);
	CHECK_EQ(ip[20], 11);
	CHECK_EQ(ip[21], 1);
	CHECK_EQ(fake_csum(ip + 20, 36), 0);
	CHECK_MEM(ip + 28, sent + 14, 28);
	CHECK_EQ(ipv4_next_deadline(), UINT64_MAX);
}

TEST(timeout_without_first_fragment_is_silent)
{
	static uint8_t msg[8 + ECHO_DATA];

	t_setup();
	t_big_echo(msg);
	fake_netdev_inject(
	    frame, t_frag_frame(msg, 0x0bad, FAKE_IP, 1480, 1480, true, 1));
	net_poll(now);
	net_poll(now + CONFIG_IPV4_REASM_TIMEOUT_MS);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_TIMEOUT), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_TIME_EXCEEDED), 0);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(timeout_of_broadcast_is_silent)
{
	static uint8_t msg[8 + ECHO_DATA];

	t_setup();
	t_big_echo(msg);
	fake_netdev_inject(frame, t_frag_frame(msg, 0x0bad, NET_IPV4_BROADCAST,
					       0, 1480, true, 17));
	net_poll(now);
	net_poll(now + CONFIG_IPV4_REASM_TIMEOUT_MS);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_TIMEOUT), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_ERROR_SUPPRESSED), 1);
	CHECK_EQ(fake_netdev_tx_count(), 0);
}

TEST(many_timeouts_rate_limited)
{
	static uint8_t msg[8 + ECHO_DATA];
	uint16_t n = CONFIG_IPV4_REASM_SLOTS;

	t_setup();
	t_big_echo(msg);
	/* Every slot times out at once; all but the bucket's burst (when
	 * there are more slots than that) are limited. */
	for (uint16_t id = 0; id < n; id++)
		fake_netdev_inject(
		    frame, t_frag_frame(msg, id, FAKE_IP, 0, 1480, true, 1));
	net_poll(now);
	net_poll(now + CONFIG_IPV4_REASM_TIMEOUT_MS);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_FRAG_TIMEOUT), n);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_TIME_EXCEEDED) +
		     fake_stat(NET_STAT_ICMP_TX_RATE_LIMITED),
		 n);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_TIME_EXCEEDED),
		 n < CONFIG_ICMP_BURST ? n : CONFIG_ICMP_BURST);
}
