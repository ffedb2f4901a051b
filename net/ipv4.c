/*
 * ipv4.c - IPv4 input, output and the reassembly timer (RFC 791,
 * RFC 1122 §3.2.1, §3.3). See ipv4.h for the interface.
 *
 * Input checks a datagram in the order below, each step a counted drop,
 * then hands it up (ICMP, UDP) or feeds it to reassembly (ipv4_reasm.c):
 *   header (ipv4_wire.c: short, version, IHL, length, checksum, options,
 *   source route) - address configured (IPV4_RX_NO_ADDR) - source is a
 *   unicast host (IPV4_RX_BAD_SRC) - destination is ours (IPV4_RX_NOT_FOR_US)
 *   - protocol known (IPV4_RX_NO_PROTO, answered with protocol unreachable).
 *
 * Without an address only one kind of datagram passes, and only while the
 * DHCP client runs (net_iface.bootstrap_port): an unfragmented UDP datagram
 * to 255.255.255.255 and port 68, the server's reply to a client that has
 * set the BROADCAST flag (RFC 2131 §4.1). The client's own messages leave
 * from 0.0.0.0 through ipv4_output_unconfigured() (RFC 1122 §3.2.1.3 (a):
 * "this host on this network", only while learning its address).
 *
 * Rules decided here:
 *   - TTL: a datagram for us is accepted whatever its TTL, also 0 or 1:
 *     RFC 1122 §3.2.1.7 says a host MUST NOT discard a datagram just
 *     because it was received with TTL less than 2. TTL 0 is counted in
 *     IPV4_RX_TTL_ZERO (a note, not a drop: senders MUST NOT send it).
 *   - Source: never 0.0.0.0/8, loopback, multicast, class E, a broadcast,
 *     the subnet's network address, or our own address (RFC 1122
 *     §3.2.1.3). The {0, 0} source RFC 1122 allows for a host learning its
 *     address is not accepted: keel runs no DHCP or BOOTP server.
 *   - Destination: our address, 255.255.255.255 or the subnet's directed
 *     broadcast; we do not forward. A datagram arriving as link broadcast
 *     with a unicast destination is dropped (RFC 1122 §3.3.6, a SHOULD).
 *     The obsolete all-zeros broadcast forms (RFC 1122 §3.3.6 SHOULD
 *     accept them) are deliberately not recognised.
 *   - Source routes are dropped (RFC 7126 §4.3, §4.4); other options are
 *     checked for structure and ignored (RFC 1122 §3.2.1.8).
 *
 * Output: the source is the interface address, TTL CONFIG_IPV4_TTL, and DF
 * is never set. keel has no path MTU discovery (it does not act on "frag
 * needed"), so DF would turn a smaller MTU on the path into a black hole;
 * with DF clear a router fragments instead (RFC 791 §2.3). As every
 * datagram is then non-atomic, its ID must not repeat for the same
 * (source, destination, protocol) within the datagram lifetime
 * (RFC 6864 §4.2) - and it must not come from one global counter, which
 * leaks our traffic volume to anyone who sees two IDs (RFC 6274 §3.5).
 * In the manner of RFC 7739 §5.3, IDs come from IPV4_ID_BUCKETS counters
 * chosen by a keyed hash of (source, destination, protocol), each starting
 * at a random value and stepping by a random 1..IPV4_ID_STEP_MAX.
 * Fragments are built one at a time in the driver's transmit buffer; when
 * the ring is full mid-datagram, ipv4_output() returns NET_ENOBUFS with the
 * first fragments already sent (the peer's reassembly times out). While
 * the next hop resolves, each fragment waits in ARP's queue on its own.
 *
 * Left out: forwarding, multicast, acting on options (record route,
 * timestamp), path MTU discovery, sending options, loopback to ourselves.
 */
#include "ipv4.h"

#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

#include "eth.h"
#include "icmp.h"
#include "iface.h"
#include "ipv4_reasm.h"
#include "ipv4_wire.h"
#include "net_config.h"
#include "rand.h"
#include "stats_internal.h"
#include "tcp.h"
#include "udp.h"
#include "udp_wire.h"

#define IPV4_ID_BUCKETS	 64	     /* a power of two */
#define IPV4_ID_STEP_MAX 8	     /* a power of two */
#define IPV4_ID_DOMAIN	 0x49504944u /* "IPID", for rand_hash() */
#define IPV4_ID_KEY_LEN	 9	     /* source, destination, protocol */

static uint16_t ipv4_id_next[IPV4_ID_BUCKETS];

/* The two buffers a datagram's payload comes from, as one byte string. */
struct ipv4_payload {
	const uint8_t *l4hdr;
	size_t l4hdr_len;
	const uint8_t *data;
	size_t data_len;
};

void ipv4_init(void)
{
	ipv4_reasm_init();
	for (int i = 0; i < IPV4_ID_BUCKETS; i++)
		ipv4_id_next[i] = (uint16_t)rand_u32();
}

size_t ipv4_max_payload(void)
{
	return CONFIG_IPV4_REASM_MAX;
}

/* ---- input ------------------------------------------------------------ */

/* Whether `h` is a DHCP reply an unconfigured interface takes (top). */
static bool ipv4_is_bootstrap(const struct ipv4_hdr *h, const uint8_t *pkt)
{
	const uint8_t *udp = pkt + h->hdr_len;

	return net_iface.bootstrap_port != 0 && h->proto == IPV4_PROTO_UDP &&
	       h->dst == NET_IPV4_BROADCAST && !ipv4_wire_is_fragment(h) &&
	       h->total_len - h->hdr_len >= UDP_HDR_LEN &&
	       ld_be16(udp + UDP_OFF_DST_PORT) == net_iface.bootstrap_port;
}

static bool ipv4_check_configured(const struct ipv4_hdr *h, const uint8_t *pkt)
{
	if (net_iface.addr != 0 || ipv4_is_bootstrap(h, pkt))
		return true;
	NET_STAT_INC(IPV4_RX_NO_ADDR);
	return false;
}

static bool ipv4_check_header(const uint8_t *pkt, size_t len,
			      struct ipv4_hdr *h)
{
	switch (ipv4_wire_parse(pkt, len, h)) {
	case IPV4_WIRE_OK:
		return true;
	case IPV4_WIRE_SHORT:
		NET_STAT_INC(IPV4_RX_SHORT);
		break;
	case IPV4_WIRE_BAD_VERSION:
		NET_STAT_INC(IPV4_RX_BAD_VERSION);
		break;
	case IPV4_WIRE_BAD_IHL:
		NET_STAT_INC(IPV4_RX_BAD_IHL);
		break;
	case IPV4_WIRE_BAD_LENGTH:
		NET_STAT_INC(IPV4_RX_BAD_LENGTH);
		break;
	case IPV4_WIRE_BAD_CHECKSUM:
		NET_STAT_INC(IPV4_RX_BAD_CHECKSUM);
		break;
	case IPV4_WIRE_BAD_OPTIONS:
		NET_STAT_INC(IPV4_RX_BAD_OPTIONS);
		break;
	case IPV4_WIRE_SOURCE_ROUTE:
		NET_STAT_INC(IPV4_RX_SOURCE_ROUTE);
		break;
	}
	return false;
}

static bool ipv4_check_src(const struct ipv4_hdr *h)
{
	/* RFC 1122 §3.2.1.3: a source must be a unicast host; our own
	 * address coming back to us is a loop or a spoof. */
	if (iface_is_unicast(&net_iface, h->src) &&
	    !iface_is_local(&net_iface, h->src))
		return true;
	NET_STAT_INC(IPV4_RX_BAD_SRC);
	return false;
}

static bool ipv4_check_dst(const struct ipv4_hdr *h, bool l2_broadcast)
{
	if (iface_is_broadcast(&net_iface, h->dst))
		return true;
	/* RFC 1122 §3.3.6: a link broadcast must carry an IP broadcast. */
	if (iface_is_local(&net_iface, h->dst) && !l2_broadcast)
		return true;
	NET_STAT_INC(IPV4_RX_NOT_FOR_US);
	return false;
}

static void ipv4_note_ttl(const struct ipv4_hdr *h)
{
	/* Accepted anyway: RFC 1122 §3.2.1.7 (see the top of the file). */
	if (h->ttl == 0)
		NET_STAT_INC(IPV4_RX_TTL_ZERO);
}

static void ipv4_fill_rx(struct ipv4_rx *rx, const struct ipv4_hdr *h,
			 const uint8_t *pkt, bool l2_broadcast)
{
	rx->src = h->src;
	rx->dst = h->dst;
	rx->proto = h->proto;
	rx->ttl = h->ttl;
	rx->tos = h->tos;
	rx->dst_broadcast = iface_is_broadcast(&net_iface, h->dst);
	rx->l2_broadcast = l2_broadcast;
	rx->reassembled = false;
	rx->hdr = pkt;
	rx->hdr_len = h->hdr_len;
}

static void ipv4_dispatch(const struct ipv4_rx *rx, const uint8_t *payload,
			  size_t len, uint64_t now_ms)
{
	switch (rx->proto) {
	case IPV4_PROTO_ICMP:
		icmp_input(rx, payload, len, now_ms);
		break;
	case IPV4_PROTO_UDP:
		udp_input(rx, payload, len, now_ms);
		break;
	case IPV4_PROTO_TCP:
		tcp_input(rx, payload, len, now_ms);
		break;
	default:
		/* RFC 1122 §3.2.2.1: protocol unreachable is the answer for
		 * a transport we lack. */
		NET_STAT_INC(IPV4_RX_NO_PROTO);
		icmp_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, rx,
				payload, len, now_ms);
		break;
	}
}

static void ipv4_input_fragment(const struct ipv4_hdr *h, const uint8_t *pkt,
				struct ipv4_rx *rx, uint64_t now_ms)
{
	struct ipv4_reasm_view v;

	if (ipv4_reasm_input(h, pkt, pkt + h->hdr_len, rx->l2_broadcast, now_ms,
			     &v) != NET_OK)
		return;
	/* The upper layer sees the first fragment's header; the slot stays
	 * reserved until it returns. */
	rx->hdr = v.hdr;
	rx->hdr_len = v.hdr_len;
	rx->ttl = v.hdr[IPV4_OFF_TTL];
	rx->tos = v.hdr[IPV4_OFF_TOS];
	rx->l2_broadcast = v.l2_broadcast;
	rx->reassembled = true;
	ipv4_dispatch(rx, v.data, v.len, now_ms);
	ipv4_reasm_release(v.slot);
}

void ipv4_input(const uint8_t *pkt, size_t len, bool l2_broadcast,
		uint64_t now_ms)
{
	struct ipv4_hdr h;
	struct ipv4_rx rx;

	NET_STAT_INC(IPV4_RX);
	if (!ipv4_check_header(pkt, len, &h) ||
	    !ipv4_check_configured(&h, pkt) || !ipv4_check_src(&h) ||
	    !ipv4_check_dst(&h, l2_broadcast))
		return;
	ipv4_note_ttl(&h);
	ipv4_fill_rx(&rx, &h, pkt, l2_broadcast);
	if (ipv4_wire_is_fragment(&h))
		ipv4_input_fragment(&h, pkt, &rx, now_ms);
	else
		ipv4_dispatch(&rx, pkt + h.hdr_len, h.total_len - h.hdr_len,
			      now_ms);
}

/* ---- output ----------------------------------------------------------- */

/* The next hop for `dst`, or a counted NET_E* code. */
static int ipv4_route(uint32_t dst, uint32_t *next_hop)
{
	if (iface_is_broadcast(&net_iface, dst) ||
	    iface_is_on_link(&net_iface, dst)) {
		*next_hop = dst;
		return NET_OK;
	}
	if (net_iface.gateway == 0) {
		NET_STAT_INC(IPV4_TX_NO_ROUTE);
		return NET_ENETUNREACH;
	}
	*next_hop = net_iface.gateway;
	return NET_OK;
}

static int ipv4_check_output(uint32_t dst, size_t total, uint32_t *next_hop)
{
	if (net_iface.addr == 0) {
		NET_STAT_INC(IPV4_TX_NO_ADDR);
		return NET_ENETUNREACH;
	}
	if (total > CONFIG_IPV4_REASM_MAX) {
		NET_STAT_INC(IPV4_TX_TOO_BIG);
		return NET_EMSGSIZE;
	}
	/* No multicast, no this-network or loopback, no talking to
	 * ourselves through the wire. */
	if (!iface_is_broadcast(&net_iface, dst) &&
	    (!iface_is_unicast(&net_iface, dst) ||
	     iface_is_local(&net_iface, dst))) {
		NET_STAT_INC(IPV4_TX_BAD_DST);
		return NET_EINVAL;
	}
	return ipv4_route(dst, next_hop);
}

/* An ID for a datagram to `dst` (see the top of the file). */
static uint16_t ipv4_next_id(uint32_t dst, uint8_t proto)
{
	uint8_t key[IPV4_ID_KEY_LEN];
	uint32_t bucket;
	uint16_t id;

	st_be32(key, net_iface.addr);
	st_be32(key + 4, dst);
	key[8] = proto;
	bucket = (uint32_t)rand_hash(IPV4_ID_DOMAIN, key, sizeof(key)) %
		 IPV4_ID_BUCKETS;
	id = ipv4_id_next[bucket];
	ipv4_id_next[bucket] =
	    (uint16_t)(id + 1 + (rand_u32() % IPV4_ID_STEP_MAX));
	return id;
}

/* Copy payload bytes [off, off + n) into `to`, across the two buffers. */
static void ipv4_copy_payload(uint8_t *to, const struct ipv4_payload *p,
			      size_t off, size_t n)
{
	if (off < p->l4hdr_len) {
		size_t k = p->l4hdr_len - off < n ? p->l4hdr_len - off : n;

		memcpy(to, p->l4hdr + off, k);
		to += k;
		off += k;
		n -= k;
	}
	if (n > 0)
		memcpy(to, p->data + (off - p->l4hdr_len), n);
}

/* Build payload bytes [off, off + n) as one frame and send it. */
static int ipv4_send_piece(struct ipv4_hdr *h, const struct ipv4_payload *p,
			   size_t off, size_t n, uint32_t next_hop,
			   uint64_t now_ms)
{
	size_t cap;
	uint8_t *buf = eth_tx_begin(&cap);

	if (!buf)
		return NET_ENOBUFS;
	h->total_len = (uint16_t)(IPV4_HDR_LEN + n);
	h->frag_off = (uint16_t)off;
	h->mf = off + n < p->l4hdr_len + p->data_len;
	ipv4_wire_emit(buf, h);
	ipv4_copy_payload(buf + IPV4_HDR_LEN, p, off, n);
	return eth_tx_ipv4(next_hop, IPV4_HDR_LEN + n, now_ms);
}

static int ipv4_send(struct ipv4_hdr *h, const struct ipv4_payload *p,
		     uint32_t next_hop, uint64_t now_ms)
{
	size_t total = p->l4hdr_len + p->data_len;
	size_t room = net_iface.mtu - IPV4_HDR_LEN;
	/* RFC 791 §2.3: all fragments but the last carry whole 8-byte
	 * units. */
	size_t step = total <= room ? total : room & ~(size_t)7;
	size_t off = 0;

	do {
		size_t n = total - off < step ? total - off : step;
		int err = ipv4_send_piece(h, p, off, n, next_hop, now_ms);

		if (err != NET_OK)
			return err;
		if (step < total)
			NET_STAT_INC(IPV4_TX_FRAGMENTS);
		off += n;
	} while (off < total);
	return NET_OK;
}

/* Build the header for `p` from `src` to `dst` and send it via next_hop. */
static int ipv4_output_from(uint32_t src, uint32_t dst, uint32_t next_hop,
			    uint8_t proto, const struct ipv4_payload *p,
			    uint64_t now_ms)
{
	struct ipv4_hdr h = {0};

	NET_STAT_INC(IPV4_TX);
	h.hdr_len = IPV4_HDR_LEN;
	h.id = ipv4_next_id(dst, proto);
	h.df = false; /* see the top of the file */
	h.ttl = CONFIG_IPV4_TTL;
	h.proto = proto;
	h.src = src;
	h.dst = dst;
	return ipv4_send(&h, p, next_hop, now_ms);
}

int ipv4_output(uint32_t dst, uint8_t proto, const uint8_t *l4hdr,
		size_t l4hdr_len, const uint8_t *data, size_t data_len,
		uint64_t now_ms)
{
	struct ipv4_payload p = {l4hdr, l4hdr_len, data, data_len};
	uint32_t next_hop;
	int err;

	err = ipv4_check_output(dst, l4hdr_len + data_len, &next_hop);
	if (err != NET_OK)
		return err;
	return ipv4_output_from(net_iface.addr, dst, next_hop, proto, &p,
				now_ms);
}

int ipv4_output_unconfigured(uint8_t proto, const uint8_t *l4hdr,
			     size_t l4hdr_len, const uint8_t *data,
			     size_t data_len, uint64_t now_ms)
{
	struct ipv4_payload p = {l4hdr, l4hdr_len, data, data_len};

	/* Only for a host learning its address (see the top of the file). */
	if (net_iface.addr != 0)
		return NET_EINVAL;
	if (l4hdr_len + data_len > CONFIG_IPV4_REASM_MAX) {
		NET_STAT_INC(IPV4_TX_TOO_BIG);
		return NET_EMSGSIZE;
	}
	return ipv4_output_from(NET_IPV4_ANY, NET_IPV4_BROADCAST,
				NET_IPV4_BROADCAST, proto, &p, now_ms);
}

/* ---- timers ----------------------------------------------------------- */

/* RFC 1122 §3.3.2, RFC 792: time exceeded (reassembly) quoting fragment 0. */
static void ipv4_report_timeout(const struct ipv4_reasm_view *v,
				uint64_t now_ms)
{
	struct ipv4_rx rx = {0};

	rx.src = v->src;
	rx.dst = v->dst;
	rx.proto = v->proto;
	rx.ttl = v->hdr[IPV4_OFF_TTL];
	rx.tos = v->hdr[IPV4_OFF_TOS];
	rx.dst_broadcast = iface_is_broadcast(&net_iface, v->dst);
	rx.l2_broadcast = v->l2_broadcast;
	rx.hdr = v->hdr;
	rx.hdr_len = v->hdr_len;
	icmp_send_error(ICMP_TIME_EXCEEDED, ICMP_EXC_REASSEMBLY, &rx, v->data,
			v->len, now_ms);
}

void ipv4_poll(uint64_t now_ms)
{
	struct ipv4_reasm_view v;

	while (ipv4_reasm_expire(now_ms, &v)) {
		if (v.hdr_len != 0)
			ipv4_report_timeout(&v, now_ms);
		ipv4_reasm_release(v.slot);
	}
}

uint64_t ipv4_next_deadline(void)
{
	return ipv4_reasm_next_deadline();
}
