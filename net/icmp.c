/*
 * icmp.c - ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2): echo, the error
 * messages we send, and the ones we receive. See icmp.h for the interface.
 *
 * Input: the checksum is verified (RFC 1122 §3.2.2), then
 *   - echo request: answered with an echo reply carrying the same
 *     identifier, sequence number and data (RFC 1122 §3.2.2.6), of any size
 *     reassembly accepts (ipv4_output() fragments the reply). Echo replies
 *     are never rate limited. Requests to a broadcast address are dropped
 *     (ICMP_RX_BROADCAST_ECHO; RFC 1122 §3.2.2.6 allows it, and it defeats
 *     "smurf" amplification).
 *   - destination unreachable, time exceeded, parameter problem: the
 *     quoted header is checked (version, IHL, an offset-0 quote with 8
 *     transport bytes, quoted source == our address, RFC 5927 §4.1), and
 *     errors about UDP go to udp_icmp_error(), which matches them against
 *     its sockets, errors about TCP to tcp_icmp_error(), which checks the
 *     quoted sequence number (RFC 5927 §4.1). Anything else is
 *     ICMP_RX_ERROR_IGNORED.
 *   - source quench: counted as an error and ignored (RFC 6633 deprecates
 *     it; its §3 lets the IP layer silently discard it).
 *   - every other type, known or not, is counted ICMP_RX_UNKNOWN_TYPE and
 *     discarded (RFC 1122 §3.2.2 for unknown types). Deliberately so for
 *     timestamp, information and address-mask requests (obsolete, and
 *     timestamps leak the clock: RFC 6918 deprecates the last two),
 *     redirects (keel has one router; following redirects invites
 *     traffic diversion) and echo replies (keel sends no echo requests).
 *
 * Output of errors (icmp_send_error()): destination unreachable and time
 * exceeded, quoting the offending IP header and the first 8 bytes of its
 * payload - the classic size of RFC 792, enough for the transport ports,
 * and no more of the peer's data than needed. RFC 1122 §3.2.2's "never"
 * list is checked first (ICMP_TX_ERROR_SUPPRESSED), then a token bucket
 * of CONFIG_ICMP_RATE_PER_S messages a second with bursts of
 * CONFIG_ICMP_BURST (RFC 1812 §4.3.2.8 style; ICMP_TX_RATE_LIMITED).
 *
 * Left out: updating record-route/timestamp options in echo replies
 * (RFC 1122 §3.2.2.6 SHOULD; keel ignores options), path MTU discovery
 * from "fragmentation needed", parameter problem and redirect output.
 */
#include "icmp.h"

#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

#include "icmp_wire.h"
#include "iface.h"
#include "ipv4_wire.h"
#include "net_config.h"
#include "stats_internal.h"
#include "tcp.h"
#include "udp.h"

/* The bucket counts thousandths of a message, so that it refills by
 * CONFIG_ICMP_RATE_PER_S units every millisecond. */
#define ICMP_TOKEN_UNIT 1000u
#define ICMP_TOKEN_CAP	((uint64_t)CONFIG_ICMP_BURST * ICMP_TOKEN_UNIT)

#define ICMP_ERROR_MAX (ICMP_HDR_LEN + IPV4_HDR_MAX + ICMP_QUOTE_L4_LEN)

static uint64_t icmp_tokens;
static uint64_t icmp_tokens_ms;

void icmp_init(void)
{
	icmp_tokens = ICMP_TOKEN_CAP;
	icmp_tokens_ms = 0;
}

/* ---- input ------------------------------------------------------------ */

static bool icmp_check_message(const uint8_t *data, size_t len,
			       struct icmp_hdr *h)
{
	switch (icmp_wire_parse(data, len, h)) {
	case ICMP_WIRE_OK:
		return true;
	case ICMP_WIRE_SHORT:
		NET_STAT_INC(ICMP_RX_SHORT);
		break;
	case ICMP_WIRE_BAD_CHECKSUM:
		NET_STAT_INC(ICMP_RX_BAD_CHECKSUM);
		break;
	}
	return false;
}

static void icmp_input_echo(const struct ipv4_rx *ip,
			    const struct icmp_hdr *req, const uint8_t *data,
			    size_t len, uint64_t now_ms)
{
	struct icmp_hdr reply = {ICMP_ECHO_REPLY, 0, 0, req->id, req->seq};
	const uint8_t *body = data + ICMP_HDR_LEN;
	size_t body_len = len - ICMP_HDR_LEN;
	uint8_t hdr[ICMP_HDR_LEN];

	if (ip->dst_broadcast || ip->l2_broadcast) {
		NET_STAT_INC(ICMP_RX_BROADCAST_ECHO);
		return;
	}
	NET_STAT_INC(ICMP_RX_ECHO);
	icmp_wire_emit(hdr, &reply, body, body_len);
	/* The body may sit in the driver's buffer or a reassembly slot;
	 * ipv4_output() copies it into the transmit buffers. */
	if (ipv4_output(ip->src, IPV4_PROTO_ICMP, hdr, sizeof(hdr), body,
			body_len, now_ms) == NET_OK)
		NET_STAT_INC(ICMP_TX_ECHO_REPLY);
}

/* Whether a received error is one to believe and pass on; fills *q. */
static bool icmp_error_is_usable(const struct ipv4_rx *ip,
				 const struct icmp_hdr *h, const uint8_t *data,
				 size_t len, struct icmp_quote *q)
{
	if (h->type == ICMP_SOURCE_QUENCH)
		return false; /* RFC 6633 §3 */
	/* Errors are only ever sent to a unicast address
	 * (RFC 1122 §3.2.2). */
	if (ip->dst_broadcast || ip->l2_broadcast)
		return false;
	if (icmp_wire_parse_quote(data + ICMP_HDR_LEN, len - ICMP_HDR_LEN, q) !=
	    NET_OK)
		return false;
	/* RFC 5927 §4.1: it must be about a datagram we sent. */
	if (q->src != net_iface.addr)
		return false;
	return q->proto == IPV4_PROTO_UDP || q->proto == IPV4_PROTO_TCP;
}

static void icmp_input_error(const struct ipv4_rx *ip, const struct icmp_hdr *h,
			     const uint8_t *data, size_t len)
{
	struct icmp_quote q;

	NET_STAT_INC(ICMP_RX_ERROR);
	if (!icmp_error_is_usable(ip, h, data, len, &q)) {
		NET_STAT_INC(ICMP_RX_ERROR_IGNORED);
		return;
	}
	if (q.proto == IPV4_PROTO_TCP)
		tcp_icmp_error(h->type, h->code, q.src, q.dst, q.l4);
	else
		udp_icmp_error(h->type, h->code, q.src, q.dst, q.l4);
}

void icmp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
		uint64_t now_ms)
{
	struct icmp_hdr h;

	NET_STAT_INC(ICMP_RX);
	if (!icmp_check_message(data, len, &h))
		return;
	switch (h.type) {
	case ICMP_ECHO_REQUEST:
		icmp_input_echo(ip, &h, data, len, now_ms);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		icmp_input_error(ip, &h, data, len);
		break;
	default:
		NET_STAT_INC(ICMP_RX_UNKNOWN_TYPE);
		break;
	}
}

/* ---- error output ----------------------------------------------------- */

/* RFC 1122 §3.2.2: the datagrams an error must never be sent about. */
static bool icmp_error_is_allowed(const struct ipv4_rx *ip,
				  const uint8_t *payload, size_t payload_len)
{
	if (!ip->hdr || ip->hdr_len < IPV4_HDR_LEN ||
	    ip->hdr_len > IPV4_HDR_MAX)
		return false;
	/* Sent to a broadcast or multicast, IP or link layer. */
	if (ip->dst_broadcast || ip->l2_broadcast ||
	    !iface_is_local(&net_iface, ip->dst))
		return false;
	/* A fragment other than the first. */
	if ((ld_be16(ip->hdr + IPV4_OFF_FRAG) & IPV4_FRAG_OFF_MASK) != 0)
		return false;
	/* From a source that is not one unicast host (nor ourselves). */
	if (!iface_is_unicast(&net_iface, ip->src) ||
	    iface_is_local(&net_iface, ip->src))
		return false;
	/* About an ICMP error (unknown types count as errors). */
	if (ip->proto == IPV4_PROTO_ICMP &&
	    (payload_len == 0 || !icmp_wire_is_query(payload[ICMP_OFF_TYPE])))
		return false;
	return true;
}

/* Take one message's worth from the token bucket, refilled up to now. */
static bool icmp_take_token(uint64_t now_ms)
{
	uint64_t elapsed = 0;

	if (now_ms > icmp_tokens_ms) {
		elapsed = now_ms - icmp_tokens_ms;
		icmp_tokens_ms = now_ms;
	}
	/* A full refill takes at most ICMP_TOKEN_CAP ms (the rate is at
	 * least 1/s): clamping there keeps the product from overflowing. */
	if (elapsed > ICMP_TOKEN_CAP)
		elapsed = ICMP_TOKEN_CAP;
	icmp_tokens += elapsed * CONFIG_ICMP_RATE_PER_S;
	if (icmp_tokens > ICMP_TOKEN_CAP)
		icmp_tokens = ICMP_TOKEN_CAP;
	if (icmp_tokens < ICMP_TOKEN_UNIT)
		return false;
	icmp_tokens -= ICMP_TOKEN_UNIT;
	return true;
}

/* The message: header, the offending IP header, 8 bytes of its payload. */
static size_t icmp_build_error(uint8_t *msg, uint8_t type, uint8_t code,
			       const struct ipv4_rx *ip, const uint8_t *payload,
			       size_t payload_len)
{
	struct icmp_hdr h = {type, code, 0, 0, 0};
	size_t quote =
	    payload_len < ICMP_QUOTE_L4_LEN ? payload_len : ICMP_QUOTE_L4_LEN;
	uint8_t *body = msg + ICMP_HDR_LEN;

	memcpy(body, ip->hdr, ip->hdr_len);
	if (quote > 0)
		memcpy(body + ip->hdr_len, payload, quote);
	icmp_wire_emit(msg, &h, body, ip->hdr_len + quote);
	return ICMP_HDR_LEN + ip->hdr_len + quote;
}

void icmp_send_error(uint8_t type, uint8_t code, const struct ipv4_rx *ip,
		     const uint8_t *payload, size_t payload_len,
		     uint64_t now_ms)
{
	uint8_t msg[ICMP_ERROR_MAX];
	size_t len;

	if (!icmp_error_is_allowed(ip, payload, payload_len)) {
		NET_STAT_INC(ICMP_TX_ERROR_SUPPRESSED);
		return;
	}
	if (!icmp_take_token(now_ms)) {
		NET_STAT_INC(ICMP_TX_RATE_LIMITED);
		return;
	}
	len = icmp_build_error(msg, type, code, ip, payload, payload_len);
	if (ipv4_output(ip->src, IPV4_PROTO_ICMP, msg, len, NULL, 0, now_ms) !=
	    NET_OK)
		return;
	if (type == ICMP_DEST_UNREACH)
		NET_STAT_INC(ICMP_TX_UNREACH);
	else if (type == ICMP_TIME_EXCEEDED)
		NET_STAT_INC(ICMP_TX_TIME_EXCEEDED);
}
