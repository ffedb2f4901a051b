/*
 * tcp_out.c - TCP segment output (RFC 9293 §3.8, RFC 5681, RFC 7323).
 *
 * tcp_output() sends, one segment at a time built in place from the send
 * ring, what the peer's window and the congestion window allow: first a
 * SYN or SYN-ACK when one is due, then data, the FIN riding on the last
 * data segment or alone. A segment never spans the end of the ring, so its
 * payload is one contiguous piece that ipv4_output() copies into the
 * driver's buffer (the one copy on the way out).
 *
 * What may go (RFC 9293 §3.8.6.2.1, sender SWS avoidance, and Nagle,
 * §3.7.4): a full segment; or everything queued when nothing is
 * unacknowledged (or TCP_NODELAY, or a FIN follows); or at least half the
 * largest window the peer ever offered. Otherwise the data waits for an
 * ACK, or, when nothing is in flight, for the persist timer.
 *
 * Windows we advertise (RFC 9293 §3.8.6.2.2, receiver SWS avoidance): the
 * right edge moves only by min(half the ring, one MSS) or more, and never
 * back. Every segment carries our current ACK and cancels a delayed ACK.
 *
 * Retransmission after a timeout is go-back-N: snd_nxt returns to snd_una
 * and tcp_output() sends from there (tcp_timer.c). Fast retransmit resends
 * only the segment at snd_una (tcp_retransmit_una()).
 */
#include <string.h>

#include "iface.h"
#include "rand.h"
#include "stats_internal.h"
#include "tcp.h"

/* The segment tcp_output() decided on. */
struct tcp_out {
	uint32_t seq;
	uint32_t off; /* ring offset of its data from tx_seq */
	uint32_t len;
	uint8_t flags;
};

static uint64_t tcp_challenge_start;
static uint32_t tcp_challenge_count;
static uint32_t tcp_challenge_budget;

void tcp_out_reset_rate(void)
{
	tcp_challenge_start = 0;
	tcp_challenge_count = 0;
	tcp_challenge_budget = 0;
}

/* ---- windows ---------------------------------------------------------- */

uint32_t tcp_rcv_window(struct tcp_conn *c)
{
	uint32_t free = tcp_rx_free(c);
	uint32_t cur =
	    seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t half = tcp_rx_buf(c) / 2; /* SO_RCVBUF */
	uint32_t step = half < c->mss ? half : c->mss;
	uint32_t s = c->rcv_wscale;
	uint32_t wnd = free >= cur && free - cur >= step ? free : cur;
	uint32_t field;

	if (wnd > (65535u << s))
		wnd = 65535u << s;
	field = wnd >> s;
	/* Never move the right edge back (RFC 9293 §3.8.6.2.2): round the
	 * current window up to the scale's unit - unless that passes the
	 * ring's end, where the unit's remainder cannot be offered; then
	 * the edge goes back by less than one unit (RFC 7323 §2.4). */
	if ((field << s) < cur &&
	    cur + (1u << s) - 1 <= CONFIG_TCP_RX_RING - c->rx_len)
		field = (cur + (1u << s) - 1) >> s;
	if (field > 65535)
		field = 65535;
	c->rcv_adv = seq_max(c->rcv_adv, c->rcv_nxt + (field << s));
	return field;
}

/* A SYN's window is never scaled (RFC 7323 §2.2). */
static uint16_t tcp_out_syn_window(struct tcp_conn *c)
{
	uint32_t free = tcp_rx_free(c);

	return (uint16_t)(free > 65535 ? 65535 : free);
}

/* ---- building and sending a segment ------------------------------------ */

/*
 * RFC 2018 §4: the first block holds the latest segment received, the
 * rest follow lowest first; 3 blocks fit beside timestamps.
 */
static void tcp_out_sack_blocks(const struct tcp_conn *c, struct tcp_opts *o)
{
	uint8_t max = c->ts_ok ? 3 : TCP_SACK_MAX;
	int first = 0;

	for (int i = 0; i < c->ooo_count; i++)
		if (seq_in(c->ooo_recent, c->ooo[i].start, c->ooo[i].end))
			first = i;
	o->sack[0].left = c->ooo[first].start;
	o->sack[0].right = c->ooo[first].end;
	o->sack_count = 1;
	for (int i = 0; i < c->ooo_count && o->sack_count < max; i++) {
		if (i == first)
			continue;
		o->sack[o->sack_count].left = c->ooo[i].start;
		o->sack[o->sack_count].right = c->ooo[i].end;
		o->sack_count++;
	}
}

static void tcp_out_options(const struct tcp_conn *c, uint8_t flags,
			    struct tcp_opts *o, uint64_t now_ms)
{
	bool offer = c->state == TCP_STATE_SYN_SENT;

	memset(o, 0, sizeof(*o));
	if (flags & TCP_FLAG_SYN) {
		o->has_mss = true;
		o->mss = tcp_our_mss();
		o->has_wscale = offer || c->ws_ok;
		o->wscale = tcp_our_wscale();
		o->sack_permitted = offer || c->sack_ok;
	}
	if (((flags & TCP_FLAG_SYN) && offer) || c->ts_ok) {
		o->has_ts = true;
		o->ts_val = (uint32_t)now_ms;
		o->ts_ecr = (flags & TCP_FLAG_ACK) ? c->ts_recent : 0;
	}
	if (!(flags & TCP_FLAG_SYN) && c->sack_ok && c->ooo_count > 0)
		tcp_out_sack_blocks(c, o);
}

/* Bookkeeping after a segment left (or was lost below us). */
static void tcp_out_sent(struct tcp_conn *c, const struct tcp_out *o,
			 uint64_t now_ms)
{
	uint32_t span =
	    o->len + !!(o->flags & TCP_FLAG_SYN) + !!(o->flags & TCP_FLAG_FIN);

	if (o->flags & TCP_FLAG_ACK) {
		c->ack_now = false;
		c->segs_unacked = 0;
		c->delack_at = TCP_NONE;
		c->last_ack_sent = c->rcv_nxt;
	}
	if (span == 0)
		return;
	if (!(o->flags & TCP_FLAG_SYN))
		tcp_rack_sent(c, o->seq, span, now_ms);
	if (seq_lt(o->seq, c->snd_max)) {
		NET_STAT_INC(TCP_TX_RETRANS);
	} else if (!c->rtt_timing) {
		c->rtt_timing = true;
		c->rtt_seq = o->seq;
		c->rtt_start = now_ms;
	}
	if (seq_gt(o->seq + span, c->snd_max))
		c->snd_max = o->seq + span;
	if (c->rto_at == TCP_NONE)
		c->rto_at = now_ms + c->rto;
	tcp_timer_tlp_arm(c, now_ms);
}

/* Emit one segment; NET_OK, or NET_ENOBUFS to try again later. */
static int tcp_out_send(struct tcp_conn *c, const struct tcp_out *o,
			uint64_t now_ms)
{
	uint8_t hdr[TCP_HDR_MAX];
	struct tcp_hdr h = {0};
	const uint8_t *data =
	    o->len ? c->tx_ring + tcp_tx_ring_pos(c, o->off) : NULL;
	size_t hlen;
	int err;

	h.src_port = c->local_port;
	h.dst_port = c->remote_port;
	h.seq = o->seq;
	h.ack = (o->flags & TCP_FLAG_ACK) ? c->rcv_nxt : 0;
	h.flags = o->flags;
	h.window = (o->flags & TCP_FLAG_SYN) ? tcp_out_syn_window(c)
					     : (uint16_t)tcp_rcv_window(c);
	tcp_out_options(c, o->flags, &h.opts, now_ms);
	hlen =
	    tcp_wire_emit(hdr, &h, c->local_addr, c->remote_addr, data, o->len);
	err = ipv4_output(c->remote_addr, IPV4_PROTO_TCP, hdr, hlen, data,
			  o->len, now_ms);
	if (err == NET_ENOBUFS) {
		NET_STAT_INC(TCP_TX_FAILED);
		c->needs_output = true;
		return err;
	}
	if (err != NET_OK) {
		/* Counted as sent and lost: the retransmission timer retries
		 * and reports this error if the connection times out. */
		NET_STAT_INC(TCP_TX_FAILED);
		c->soft_err = err;
	} else {
		NET_STAT_INC(TCP_TX);
	}
	tcp_out_sent(c, o, now_ms);
	return NET_OK;
}

/* ---- deciding what to send --------------------------------------------- */

static bool tcp_out_next_syn(const struct tcp_conn *c, struct tcp_out *o)
{
	if ((c->state != TCP_STATE_SYN_SENT &&
	     c->state != TCP_STATE_SYN_RCVD) ||
	    c->snd_nxt != c->iss)
		return false;
	o->seq = c->iss;
	o->off = 0;
	o->len = 0;
	o->flags = TCP_FLAG_SYN;
	if (c->state == TCP_STATE_SYN_RCVD)
		o->flags |= TCP_FLAG_ACK;
	return true;
}

static bool tcp_out_state_sends_data(enum tcp_state st)
{
	return st == TCP_STATE_ESTABLISHED || st == TCP_STATE_CLOSE_WAIT ||
	       st == TCP_STATE_FIN_WAIT_1 || st == TCP_STATE_CLOSING ||
	       st == TCP_STATE_LAST_ACK;
}

static uint32_t tcp_out_usable(const struct tcp_conn *c)
{
	uint32_t cw = c->cwnd, peer = c->snd_wnd;
	uint32_t flight = c->snd_nxt - c->snd_una;
	/* In SACK recovery the congestion window limits the data in the
	 * network (RFC 6675 "pipe"); the peer's window still limits what
	 * may be outstanding at all. */
	uint32_t in_net = tcp_sack_in_recovery(c) ? tcp_sack_pipe(c) : flight;

	/* RFC 3042 limited transmit: each of the first two duplicate ACKs
	 * lets one new segment out, to draw the third. */
	if (!c->in_recovery && c->dupacks > 0)
		cw += (uint32_t)(c->dupacks < 2 ? c->dupacks : 2) * c->mss;
	cw = cw > in_net ? cw - in_net : 0;
	peer = peer > flight ? peer - flight : 0;
	return cw < peer ? cw : peer;
}

/* Whether a data segment of len bytes may go now (see the top). */
static bool tcp_out_may_send(const struct tcp_conn *c, uint32_t len,
			     uint32_t avail, bool wraps)
{
	bool idle = c->snd_nxt == c->snd_una;

	/* Going back over data already sent (after a timeout): Nagle and
	 * SWS avoidance are about new data; a piece cut short by a SACKed
	 * range must go as it is. */
	if (len == c->mss || wraps || seq_lt(c->snd_nxt, c->snd_max))
		return true;
	if (len == avail && (idle || c->nodelay || c->fin_queued))
		return true;
	return c->max_snd_wnd > 0 && len >= c->max_snd_wnd / 2 && idle;
}

static bool tcp_out_next_data(const struct tcp_conn *c, struct tcp_out *o)
{
	uint32_t off = c->snd_nxt - c->tx_seq;
	uint32_t avail, want, len, contig;

	if (!tcp_out_state_sends_data(c->state) || off > c->tx_len)
		return false; /* FIN already out */
	avail = c->tx_len - off;
	o->seq = c->snd_nxt;
	o->off = off;
	o->flags = TCP_FLAG_ACK;
	if (avail == 0) {
		/* The FIN alone, once every byte is out. */
		o->len = 0;
		o->flags |= TCP_FLAG_FIN;
		return c->fin_queued;
	}
	want = avail < c->mss ? avail : c->mss;
	if (c->sacked_count > 0 && seq_lt(c->snd_nxt, c->snd_max))
		tcp_sack_skip(c, c->snd_nxt, &want); /* stop at SACKed */
	len = want < tcp_out_usable(c) ? want : tcp_out_usable(c);
	contig = CONFIG_TCP_TX_RING - tcp_tx_ring_pos(c, off);
	if (len > contig)
		len = contig;
	if (len == 0 ||
	    !tcp_out_may_send(c, len, avail, len == contig && contig < want))
		return false;
	o->len = len;
	if (len == avail) {
		o->flags |= TCP_FLAG_PSH;
		if (c->fin_queued)
			o->flags |= TCP_FLAG_FIN;
	}
	return true;
}

/* After a go-back-N restart: jump over what the peer SACKed. */
static void tcp_out_skip_sacked(struct tcp_conn *c)
{
	uint32_t len = 0;

	if (c->sacked_count > 0 && seq_lt(c->snd_nxt, c->snd_max))
		c->snd_nxt = tcp_sack_skip(c, c->snd_nxt, &len);
}

void tcp_output(struct tcp_conn *c, uint64_t now_ms)
{
	struct tcp_out o;

	c->needs_output = false;
	if (c->state == TCP_STATE_CLOSED || c->state == TCP_STATE_LISTEN)
		return;
	/* Bounded: at most a ring's worth of segments per call. */
	for (int i = 0; i < CONFIG_TCP_TX_RING / 64 + 2; i++) {
		tcp_out_skip_sacked(c);
		if (!tcp_out_next_syn(c, &o) && !tcp_out_next_data(c, &o))
			break;
		if (tcp_out_send(c, &o, now_ms) != NET_OK)
			return;
		c->snd_nxt = o.seq + o.len + !!(o.flags & TCP_FLAG_SYN) +
			     !!(o.flags & TCP_FLAG_FIN);
	}
	if (c->ack_now)
		tcp_send_ack(c, now_ms);
	tcp_timer_persist_check(c, now_ms);
}

/* ---- special segments ------------------------------------------------ */

void tcp_send_ack(struct tcp_conn *c, uint64_t now_ms)
{
	struct tcp_out o = {c->snd_nxt, 0, 0, TCP_FLAG_ACK};

	if (c->state == TCP_STATE_SYN_SENT || c->state == TCP_STATE_CLOSED ||
	    c->state == TCP_STATE_LISTEN)
		return;
	tcp_out_send(c, &o, now_ms);
}

/*
 * RFC 5961 §7: a limit over all connections. A fixed budget per second is a
 * side channel (CVE-2016-5696): an attacker spending it on its own
 * connection sees one challenge ACK fewer exactly when a spoofed segment
 * drew one elsewhere. So each second's budget is drawn at random from
 * [ceil(limit / 2), ceil(limit / 2) + limit): about the limit on average,
 * never 0.
 */
void tcp_send_challenge_ack(struct tcp_conn *c, uint64_t now_ms)
{
	if (tcp_challenge_start == 0 || now_ms - tcp_challenge_start >= 1000) {
		uint32_t lim = CONFIG_TCP_CHALLENGE_ACK_PER_S;

		tcp_challenge_start = now_ms ? now_ms : 1;
		tcp_challenge_count = 0;
		tcp_challenge_budget = (lim + 1) / 2 + rand_below(lim);
	}
	if (tcp_challenge_count >= tcp_challenge_budget) {
		NET_STAT_INC(TCP_TX_CHALLENGE_LIMITED);
		return;
	}
	tcp_challenge_count++;
	NET_STAT_INC(TCP_TX_CHALLENGE_ACK);
	tcp_send_ack(c, now_ms);
}

void tcp_send_rst(struct tcp_conn *c, uint64_t now_ms)
{
	struct tcp_out o = {c->snd_nxt, 0, 0, TCP_FLAG_RST | TCP_FLAG_ACK};

	NET_STAT_INC(TCP_TX_RST);
	tcp_out_send(c, &o, now_ms);
}

void tcp_send_rst_reply(const struct tcp_seg *s, uint64_t now_ms)
{
	uint8_t hdr[TCP_HDR_MAX];
	struct tcp_hdr h = {0};
	size_t hlen;

	h.src_port = s->h.dst_port;
	h.dst_port = s->h.src_port;
	if (s->h.flags & TCP_FLAG_ACK) {
		h.seq = s->h.ack;
		h.flags = TCP_FLAG_RST;
	} else {
		h.ack = s->h.seq + s->len + !!(s->h.flags & TCP_FLAG_SYN) +
			!!(s->h.flags & TCP_FLAG_FIN);
		h.flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
	hlen = tcp_wire_emit(hdr, &h, s->dst, s->src, NULL, 0);
	NET_STAT_INC(TCP_TX_RST);
	if (ipv4_output(s->src, IPV4_PROTO_TCP, hdr, hlen, NULL, 0, now_ms) !=
	    NET_OK)
		NET_STAT_INC(TCP_TX_FAILED);
}

void tcp_send_cookie_synack(const struct tcp_seg *syn, uint32_t iss,
			    uint16_t mss, uint64_t now_ms)
{
	uint8_t hdr[TCP_HDR_MAX];
	struct tcp_hdr h = {0};
	size_t hlen;

	h.src_port = syn->h.dst_port;
	h.dst_port = syn->h.src_port;
	h.seq = iss;
	h.ack = syn->h.seq + 1;
	h.flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
	h.window = CONFIG_TCP_RX_RING > 65535 ? 65535 : CONFIG_TCP_RX_RING;
	h.opts.has_mss = true;
	h.opts.mss = mss;
	hlen = tcp_wire_emit(hdr, &h, syn->dst, syn->src, NULL, 0);
	NET_STAT_INC(TCP_TX_SYN_COOKIE);
	if (ipv4_output(syn->src, IPV4_PROTO_TCP, hdr, hlen, NULL, 0, now_ms) !=
	    NET_OK)
		NET_STAT_INC(TCP_TX_FAILED);
}

/* One byte at snd_una past a zero window, or what a small window takes. */
void tcp_send_probe(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t off = c->snd_una - c->tx_seq;
	uint32_t avail = c->tx_len > off ? c->tx_len - off : 0;
	uint32_t len = c->snd_wnd < c->mss ? c->snd_wnd : c->mss;
	uint32_t contig = CONFIG_TCP_TX_RING - tcp_tx_ring_pos(c, off);
	struct tcp_out o = {c->snd_una, off, 0, TCP_FLAG_ACK};

	if (avail == 0)
		return;
	if (len == 0)
		len = 1;
	len = len < avail ? len : avail;
	o.len = len < contig ? len : contig;
	NET_STAT_INC(TCP_TX_PROBE);
	c->rtt_timing = false;
	if (tcp_out_send(c, &o, now_ms) != NET_OK)
		return;
	c->snd_nxt = seq_max(c->snd_nxt, o.seq + o.len);
	if (c->snd_wnd == 0) /* the persist timer keeps probing */
		c->rto_at = c->tlp_at = TCP_NONE;
}

void tcp_send_keepalive(struct tcp_conn *c, uint64_t now_ms)
{
	/* RFC 9293 §3.8.4: SEG.SEQ = SND.NXT - 1 draws an ACK. */
	struct tcp_out o = {c->snd_nxt - 1, 0, 0, TCP_FLAG_ACK};

	NET_STAT_INC(TCP_TX_KEEPALIVE);
	tcp_out_send(c, &o, now_ms);
}

uint32_t tcp_retransmit(struct tcp_conn *c, uint32_t seq, uint32_t max,
			uint64_t now_ms)
{
	uint32_t off = seq - c->tx_seq;
	struct tcp_out o = {seq, off, 0, TCP_FLAG_ACK};
	uint32_t contig;

	if (seq_lt(seq, c->tx_seq) || off > c->tx_len)
		return 0;
	if (off == c->tx_len) {
		if (!c->fin_queued || !seq_gt(c->snd_max, seq))
			return 0;
		o.flags |= TCP_FLAG_FIN;
	} else {
		contig = CONFIG_TCP_TX_RING - tcp_tx_ring_pos(c, off);
		o.len = c->tx_len - off < max ? c->tx_len - off : max;
		o.len = o.len < contig ? o.len : contig;
		if (off + o.len == c->tx_len && c->fin_queued &&
		    seq_gt(c->snd_max, c->tx_seq + c->tx_len))
			o.flags |= TCP_FLAG_FIN;
	}
	c->rtt_timing = false; /* Karn */
	if (tcp_out_send(c, &o, now_ms) != NET_OK)
		return 0;
	if (c->in_recovery && c->undo_rxt < UINT16_MAX)
		c->undo_rxt++;
	return o.len + !!(o.flags & TCP_FLAG_FIN);
}

void tcp_retransmit_una(struct tcp_conn *c, uint64_t now_ms)
{
	tcp_retransmit(c, c->snd_una, c->mss, now_ms);
}
