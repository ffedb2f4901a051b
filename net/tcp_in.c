/*
 * tcp_in.c - TCP segment arrival (RFC 9293 §3.10.7) and ICMP errors about
 * our segments (RFC 5927, RFC 5461).
 *
 * tcp_input() checks the segment (tcp_wire.c: short, offset, checksum,
 * options; a broadcast destination, RFC 1122 §4.2.3.10), finds its
 * connection and runs the steps of RFC 9293 §3.10.7 for its state:
 *   no connection      §3.10.7.1: RST unless it is a RST
 *   LISTEN             §3.10.7.2: RST ignored, ACK answered by RST, SYN
 *                      makes a SYN_RCVD connection in the listen queue
 *   SYN_SENT           §3.10.7.3: ACK, RST, SYN checks
 *   every other state  §3.10.7.4, one function per check, in order:
 *                      sequence (with trimming to the window), RST,
 *                      SYN, ACK (tcp_ack.c), (URG ignored), text, FIN.
 * RST and SYN in a synchronized state follow RFC 5961 §3.2 and §4.2: only
 * a RST exactly at rcv_nxt resets; one elsewhere in the window, or any
 * SYN, is answered with a rate-limited challenge ACK. ACKs too old or for
 * data not yet sent are dropped with a challenge ACK (RFC 5961 §5.2).
 *
 * Deliberate deviations: data carried on a SYN is not queued (the peer
 * sends it again); a FIN that arrives out of order is forgotten (its data
 * is kept; the peer retransmits the FIN); urgent data is delivered in line.
 */
#include <string.h>

#include <klib/bytes.h>

#include "icmp.h"
#include "iface.h"
#include "stats_internal.h"
#include "tcp.h"

/* ---- checks on every segment ---------------------------------------- */

static bool tcp_in_parse(const struct ipv4_rx *ip, const uint8_t *data,
			 size_t len, struct tcp_seg *s)
{
	switch (tcp_wire_parse(data, len, ip->src, ip->dst, &s->h)) {
	case TCP_WIRE_OK:
		break;
	case TCP_WIRE_SHORT:
		NET_STAT_INC(TCP_RX_SHORT);
		return false;
	case TCP_WIRE_BAD_OFFSET:
		NET_STAT_INC(TCP_RX_BAD_OFFSET);
		return false;
	case TCP_WIRE_BAD_CHECKSUM:
		NET_STAT_INC(TCP_RX_BAD_CHECKSUM);
		return false;
	case TCP_WIRE_BAD_OPTIONS:
		NET_STAT_INC(TCP_RX_BAD_OPTIONS);
		return false;
	}
	s->src = ip->src;
	s->dst = ip->dst;
	s->seq = s->h.seq;
	s->flags = s->h.flags;
	s->data = data + s->h.hdr_len;
	s->len = (uint32_t)(len - s->h.hdr_len);
	return true;
}

/* Sequence space the segment takes: data plus SYN and FIN. */
static uint32_t tcp_in_seg_len(const struct tcp_seg *s)
{
	return s->len + !!(s->flags & TCP_FLAG_SYN) +
	       !!(s->flags & TCP_FLAG_FIN);
}

/* ---- options and windows -------------------------------------------- */

void tcp_in_syn_options(struct tcp_conn *c, const struct tcp_opts *o,
			uint64_t now_ms)
{
	uint32_t mss = o->has_mss ? o->mss : TCP_DEFAULT_MSS;

	if (mss > tcp_our_mss())
		mss = tcp_our_mss();
	if (mss < 64)
		mss = 64; /* a floor against absurd values */
	c->ws_ok = o->has_wscale;
	c->snd_wscale =
	    c->ws_ok ? (o->wscale > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : o->wscale)
		     : 0;
	c->rcv_wscale = c->ws_ok ? tcp_our_wscale() : 0;
	c->ts_ok = o->has_ts;
	c->sack_ok = o->sack_permitted;
	if (c->ts_ok) {
		c->ts_recent = o->ts_val;
		c->ts_recent_at = now_ms;
		mss -= 12; /* RFC 6691: options come out of the MSS */
	}
	c->mss = (uint16_t)mss;
	c->recover = c->iss;
	c->rtt_seq = c->iss;
	/* RFC 6928 §2: IW = min(10 * MSS, max(2 * MSS, 14600)). */
	c->cwnd = 10 * mss;
	if (c->cwnd > (2 * mss > 14600 ? 2 * mss : 14600))
		c->cwnd = 2 * mss > 14600 ? 2 * mss : 14600;
}

/* The peer's window from a segment (never scaled on a SYN, RFC 7323 §2.2). */
uint32_t tcp_in_peer_window(const struct tcp_conn *c, const struct tcp_seg *s)
{
	if (s->h.flags & TCP_FLAG_SYN)
		return s->h.window;
	return (uint32_t)s->h.window << c->snd_wscale;
}

void tcp_in_set_window(struct tcp_conn *c, const struct tcp_seg *s)
{
	c->snd_wnd = tcp_in_peer_window(c, s);
	c->snd_wl1 = s->h.seq;
	c->snd_wl2 = s->h.ack;
	if (c->snd_wnd > c->max_snd_wnd)
		c->max_snd_wnd = c->snd_wnd;
}

/* ---- no connection, LISTEN ------------------------------------------ */

static void tcp_in_closed(const struct tcp_seg *s, uint64_t now_ms)
{
	NET_STAT_INC(TCP_RX_NO_CONN);
	if (!(s->h.flags & TCP_FLAG_RST))
		tcp_send_rst_reply(s, now_ms);
}

/* A new SYN_RCVD connection for listener l; NULL when none can be had. */
static struct tcp_conn *
tcp_in_new_child(struct tcp_conn *l, const struct tcp_seg *s, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_conn_alloc();

	if (!c) {
		NET_STAT_INC(TCP_RX_NO_SLOT);
		return NULL;
	}
	c->bound = true;
	c->passive = true;
	c->local_addr = s->dst;
	c->local_port = s->h.dst_port;
	c->remote_addr = s->src;
	c->remote_port = s->h.src_port;
	c->parent = tcp_conn_index(l);
	l->queue[l->queue_len++] = tcp_conn_index(c);
	c->last_rx_at = now_ms;
	return c;
}

/* Sequence numbers of a passive open from SYN s (RFC 9293 §3.10.7.2). */
static void tcp_in_child_seq(struct tcp_conn *c, const struct tcp_seg *s,
			     uint32_t iss, uint64_t now_ms)
{
	c->irs = s->h.seq;
	c->rcv_nxt = s->h.seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->iss = iss;
	c->snd_una = c->snd_nxt = c->snd_max = iss;
	c->tx_seq = iss + 1;
	tcp_in_syn_options(c, &s->h.opts, now_ms);
	tcp_in_set_window(c, s);
}

static void tcp_in_listen_syn(struct tcp_conn *l, const struct tcp_seg *s,
			      uint64_t now_ms)
{
	struct tcp_conn *c;

	if (l->queue_len >= l->backlog) {
		NET_STAT_INC(TCP_RX_BACKLOG_FULL);
		if (CONFIG_TCP_SYN_COOKIES) {
			uint16_t mss;
			uint32_t iss = tcp_cookie_make(s, now_ms, &mss);

			tcp_send_cookie_synack(s, iss, mss, now_ms);
		}
		return;
	}
	c = tcp_in_new_child(l, s, now_ms);
	if (!c)
		return;
	tcp_in_child_seq(
	    c, s, tcp_isn(s->dst, s->h.dst_port, s->src, s->h.src_port, now_ms),
	    now_ms);
	tcp_set_state(c, TCP_STATE_SYN_RCVD, now_ms);
	tcp_output(c, now_ms);
}

/* Make room in a full queue by dropping its oldest half-open connection. */
static bool tcp_in_evict_half_open(struct tcp_conn *l)
{
	for (int i = 0; i < l->queue_len; i++) {
		struct tcp_conn *c = &tcp_conns[l->queue[i]];

		if (c->state == TCP_STATE_SYN_RCVD) {
			tcp_conn_closed(c, NET_OK);
			return true;
		}
	}
	return false;
}

/* The connection a valid cookie ACK stands for, set up as ESTABLISHED. */
static void tcp_in_cookie_conn(struct tcp_conn *c, const struct tcp_seg *s,
			       uint16_t mss, uint64_t now_ms)
{
	struct tcp_opts none = {0};

	none.has_mss = true;
	none.mss = mss;
	c->irs = s->h.seq - 1;
	c->rcv_nxt = s->h.seq;
	c->iss = s->h.ack - 1;
	c->snd_una = c->snd_nxt = c->snd_max = s->h.ack;
	c->tx_seq = s->h.ack;
	tcp_in_syn_options(c, &none, now_ms);
	/* What the cookie SYN-ACK advertised: the edge stays put. */
	c->rcv_adv = c->rcv_nxt +
		     (CONFIG_TCP_RX_RING > 65535 ? 65535 : CONFIG_TCP_RX_RING);
	tcp_in_set_window(c, s);
	tcp_set_state(c, TCP_STATE_ESTABLISHED, now_ms);
	tcp_timer_keepalive_reset(c, now_ms);
	NET_STAT_INC(TCP_RX_COOKIE_OK);
	NET_STAT_INC(TCP_CONN_PASSIVE);
}

static void tcp_in_synced(struct tcp_conn *c, struct tcp_seg *s,
			  uint64_t now_ms);

/* An ACK to a listener: a returning SYN cookie? False when it is not. */
static bool tcp_in_cookie_ack(struct tcp_conn *l, struct tcp_seg *s,
			      uint64_t now_ms)
{
	struct tcp_conn *c;
	uint16_t mss;

	if (!CONFIG_TCP_SYN_COOKIES ||
	    (s->h.flags & (TCP_FLAG_SYN | TCP_FLAG_RST)) ||
	    !tcp_cookie_check(s, now_ms, &mss))
		return false;
	if (l->queue_len >= l->backlog && !tcp_in_evict_half_open(l)) {
		NET_STAT_INC(TCP_RX_BACKLOG_FULL);
		return true; /* all completed, none accepted: drop */
	}
	c = tcp_in_new_child(l, s, now_ms);
	if (!c)
		return true;
	tcp_in_cookie_conn(c, s, mss, now_ms);
	/* The ACK may carry data or a FIN: the usual steps take it. */
	tcp_in_synced(c, s, now_ms);
	return true;
}

static void tcp_in_listen(struct tcp_conn *l, struct tcp_seg *s,
			  uint64_t now_ms)
{
	uint8_t f = s->h.flags;

	if (f & TCP_FLAG_RST) {
		NET_STAT_INC(TCP_RX_LISTEN_DROP);
		return;
	}
	if ((f & TCP_FLAG_ACK) && tcp_in_cookie_ack(l, s, now_ms))
		return;
	if (f & TCP_FLAG_ACK) {
		NET_STAT_INC(TCP_RX_LISTEN_DROP);
		tcp_send_rst_reply(s, now_ms);
		return;
	}
	if (!(f & TCP_FLAG_SYN)) {
		NET_STAT_INC(TCP_RX_LISTEN_DROP);
		return;
	}
	tcp_in_listen_syn(l, s, now_ms);
}

/* ---- SYN_SENT (RFC 9293 §3.10.7.3) ---------------------------------- */

static void tcp_in_syn_sent_synack(struct tcp_conn *c, const struct tcp_seg *s,
				   uint64_t now_ms)
{
	c->snd_una = s->h.ack;
	if (c->rtt_timing)
		tcp_rtt_sample(c, (uint32_t)(now_ms - c->rtt_start));
	c->rtt_timing = false;
	c->retries = 0;
	tcp_timer_rto_restart(c, now_ms);
	tcp_set_state(c, TCP_STATE_ESTABLISHED, now_ms);
	tcp_timer_keepalive_reset(c, now_ms);
	c->ack_now = true;
}

static void tcp_in_syn_sent(struct tcp_conn *c, const struct tcp_seg *s,
			    uint64_t now_ms)
{
	uint8_t f = s->h.flags;
	bool has_ack = f & TCP_FLAG_ACK;

	if (has_ack &&
	    (seq_le(s->h.ack, c->iss) || seq_gt(s->h.ack, c->snd_max))) {
		NET_STAT_INC(TCP_RX_BAD_ACK);
		if (!(f & TCP_FLAG_RST))
			tcp_send_rst_reply(s, now_ms);
		return;
	}
	if (f & TCP_FLAG_RST) {
		if (!has_ack) {
			NET_STAT_INC(TCP_RX_SYN_SENT_DROP);
			return;
		}
		NET_STAT_INC(TCP_RX_RST);
		tcp_conn_closed(c, NET_ECONNREFUSED);
		return;
	}
	if (!(f & TCP_FLAG_SYN)) {
		NET_STAT_INC(TCP_RX_SYN_SENT_DROP);
		return;
	}
	c->irs = s->h.seq;
	c->rcv_nxt = s->h.seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_in_syn_options(c, &s->h.opts, now_ms);
	tcp_in_set_window(c, s);
	if (has_ack) {
		tcp_in_syn_sent_synack(c, s, now_ms);
	} else {
		/* Simultaneous open (RFC 9293 §3.5, Figure 8): SYN-ACK with
		 * our ISN again. */
		tcp_set_state(c, TCP_STATE_SYN_RCVD, now_ms);
		c->snd_nxt = c->iss;
		c->rtt_timing = false;
	}
	tcp_output(c, now_ms);
}

/* ---- §3.10.7.4, first: sequence number ------------------------------ */

static bool tcp_in_is_acceptable(const struct tcp_conn *c,
				 const struct tcp_seg *s, uint32_t wnd)
{
	uint32_t len = tcp_in_seg_len(s);
	uint32_t seq = s->h.seq, nxt = c->rcv_nxt;

	if (len == 0 && wnd == 0)
		return seq == nxt;
	if (len == 0)
		return seq_in(seq, nxt, nxt + wnd);
	if (wnd == 0)
		return false;
	return seq_in(seq, nxt, nxt + wnd) ||
	       seq_in(seq + len - 1, nxt, nxt + wnd);
}

/* Cut what lies before rcv_nxt or past the window off the segment. */
static void tcp_in_trim(const struct tcp_conn *c, struct tcp_seg *s,
			uint32_t wnd)
{
	uint32_t d = c->rcv_nxt - s->seq;

	if (seq_lt(s->seq, c->rcv_nxt)) {
		if (s->flags & TCP_FLAG_SYN) {
			s->flags &= (uint8_t)~TCP_FLAG_SYN;
			s->seq++;
			d--;
		}
		if (d > s->len)
			d = s->len; /* a FIN past the data is still new */
		s->data += d;
		s->len -= d;
		s->seq += d;
	}
	if (seq_gt(s->seq + s->len, c->rcv_nxt + wnd)) {
		s->len = c->rcv_nxt + wnd - s->seq;
		s->flags &= (uint8_t)~TCP_FLAG_FIN;
	}
}

static bool tcp_in_check_seq(struct tcp_conn *c, struct tcp_seg *s,
			     uint64_t now_ms)
{
	uint32_t wnd = tcp_rx_free(c);
	uint32_t before = tcp_in_seg_len(s);

	/* RFC 9293 §3.10.7.4: a zero window still takes ACKs and RSTs at
	 * rcv_nxt; the data is then cut off below. */
	if (!tcp_in_is_acceptable(c, s, wnd) &&
	    !(wnd == 0 && s->h.seq == c->rcv_nxt)) {
		NET_STAT_INC(TCP_RX_OUT_OF_WINDOW);
		/* TIME_WAIT: a retransmitted FIN restarts the 2 MSL. */
		if (c->state == TCP_STATE_TIME_WAIT &&
		    (s->h.flags & TCP_FLAG_FIN))
			tcp_set_state(c, TCP_STATE_TIME_WAIT, now_ms);
		if (!(s->h.flags & TCP_FLAG_RST))
			tcp_send_ack(c, now_ms);
		return false;
	}
	tcp_in_trim(c, s, wnd);
	/* Anything cut off (duplicate or past the window) is worth an
	 * immediate ACK: the peer learns where we are. */
	if (tcp_in_seg_len(s) != before)
		c->ack_now = true;
	return true;
}

/* ---- timestamps (RFC 7323 §4.3, §5.3) ---------------------------------- */

/* PAWS: ts_recent stays valid for 24 days (RFC 7323 §5.5). */
#define TCP_PAWS_IDLE_MS (24ull * 24 * 3600 * 1000)
/*
 * Deviation: a TSval up to this many ticks older than ts_recent still
 * passes. A retransmission that overtakes data sent before it (delay
 * jitter) raises ts_recent above that data's TSvals; strict PAWS would
 * drop the data. Old duplicates from a wrapped sequence space, which PAWS
 * exists for, are far older than this (a second at Linux's 1 kHz clock).
 */
#define TCP_PAWS_SLACK 1000u

/*
 * R1: a TSval older than ts_recent marks an old duplicate. Deviation: a
 * pure ACK (no data, SYN or FIN) is let through, as Linux does for
 * "disordered" ACKs: ACKs reordered in the network carry older TSvals,
 * dropping them loses their SACK information, and an old ACK can do no
 * harm the ACK checks do not already stop.
 */
static bool tcp_in_check_paws(struct tcp_conn *c, const struct tcp_seg *s,
			      uint64_t now_ms)
{
	if (!c->ts_ok || !s->h.opts.has_ts || (s->h.flags & TCP_FLAG_RST) ||
	    !seq_lt(s->h.opts.ts_val + TCP_PAWS_SLACK, c->ts_recent) ||
	    tcp_in_seg_len(s) == 0)
		return true;
	if (now_ms - c->ts_recent_at > TCP_PAWS_IDLE_MS) {
		c->ts_recent = s->h.opts.ts_val; /* too old to judge by */
		return true;
	}
	NET_STAT_INC(TCP_RX_PAWS);
	tcp_send_ack(c, now_ms);
	return false;
}

/*
 * R3: remember the TSval of the segment at the left window edge. Only once
 * the segment has passed the RST, SYN and ACK checks: one that fails them
 * may be a blind attacker's (RFC 5961), and a TSval it pushed far ahead
 * would make every segment of the real peer fail PAWS.
 */
static void tcp_in_update_ts_recent(struct tcp_conn *c, const struct tcp_seg *s,
				    uint64_t now_ms)
{
	if (c->ts_ok && s->h.opts.has_ts &&
	    seq_ge(s->h.opts.ts_val, c->ts_recent) &&
	    seq_le(s->h.seq, c->last_ack_sent)) {
		c->ts_recent = s->h.opts.ts_val;
		c->ts_recent_at = now_ms;
	}
}

/* ---- second: RST (RFC 9293 §3.10.7.4, RFC 5961 §3.2) ----------------- */

static void tcp_in_rst(struct tcp_conn *c, const struct tcp_seg *s,
		       uint64_t now_ms)
{
	if (s->h.seq != c->rcv_nxt) {
		NET_STAT_INC(TCP_RX_RST_CHALLENGED);
		tcp_send_challenge_ack(c, now_ms);
		return;
	}
	NET_STAT_INC(TCP_RX_RST);
	switch (c->state) {
	case TCP_STATE_SYN_RCVD:
		/* A passive open goes back to LISTEN: its listener never
		 * left it, so the half-open connection just goes. */
		tcp_conn_closed(c, c->passive ? NET_OK : NET_ECONNREFUSED);
		break;
	case TCP_STATE_ESTABLISHED:
	case TCP_STATE_FIN_WAIT_1:
	case TCP_STATE_FIN_WAIT_2:
	case TCP_STATE_CLOSE_WAIT:
		NET_STAT_INC(TCP_CONN_RESET);
		tcp_conn_closed(c, NET_ECONNRESET);
		break;
	default: /* CLOSING, LAST_ACK, TIME_WAIT */
		tcp_conn_closed(c, NET_OK);
		break;
	}
}

/* ---- fourth: SYN (RFC 9293 §3.10.7.4, RFC 5961 §4.2) ----------------- */

static void tcp_in_syn(struct tcp_conn *c, uint64_t now_ms)
{
	NET_STAT_INC(TCP_RX_SYN_CHALLENGED);
	if (c->state == TCP_STATE_SYN_RCVD && c->passive) {
		tcp_conn_closed(c, NET_OK);
		return;
	}
	tcp_send_challenge_ack(c, now_ms);
}

/* ---- seventh: segment text ------------------------------------------ */

/* Record [start, end) as held out of order; false when no range is free. */
static bool tcp_in_ooo_add(struct tcp_conn *c, uint32_t start, uint32_t end)
{
	struct tcp_range out[TCP_OOO_MAX + 1], r = {start, end};
	int k = tcp_sack_range_merge(c->ooo, c->ooo_count, r, out);

	if (k > TCP_OOO_MAX)
		return false;
	memcpy(c->ooo, out, sizeof(out[0]) * (size_t)k);
	c->ooo_count = (uint8_t)k;
	return true;
}

/* Move rcv_nxt over out-of-order ranges that now join the stream. */
static void tcp_in_ooo_advance(struct tcp_conn *c)
{
	while (c->ooo_count > 0 && seq_le(c->ooo[0].start, c->rcv_nxt)) {
		if (seq_gt(c->ooo[0].end, c->rcv_nxt)) {
			c->rx_len += c->ooo[0].end - c->rcv_nxt;
			c->rcv_nxt = c->ooo[0].end;
		}
		memmove(&c->ooo[0], &c->ooo[1],
			sizeof(c->ooo[0]) * (size_t)(c->ooo_count - 1));
		c->ooo_count--;
	}
}

static void tcp_in_data_in_order(struct tcp_conn *c, const struct tcp_seg *s,
				 uint64_t now_ms)
{
	bool filled_hole = c->ooo_count > 0;

	tcp_rx_ring_put(c, 0, s->data, s->len);
	c->rx_len += s->len;
	c->rcv_nxt += s->len;
	tcp_in_ooo_advance(c);
	/* RFC 5681 §4.2: ACK at once when a hole fills; otherwise at least
	 * every second segment (RFC 9293 §3.8.6.3), or when the delayed
	 * ACK timer runs out. */
	if (filled_hole || ++c->segs_unacked >= 2)
		c->ack_now = true;
	else if (c->delack_at == TCP_NONE)
		c->delack_at = now_ms + CONFIG_TCP_DELACK_MS;
}

static void tcp_in_data_ooo(struct tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t off = s->seq - c->rcv_nxt;

	c->ack_now = true; /* a duplicate ACK (RFC 5681 §4.2) */
	if (!tcp_in_ooo_add(c, s->seq, s->seq + s->len)) {
		NET_STAT_INC(TCP_RX_OOO_FULL);
		return;
	}
	NET_STAT_INC(TCP_RX_OOO);
	c->ooo_recent = s->seq;
	tcp_rx_ring_put(c, off, s->data, s->len);
}

static bool tcp_in_text(struct tcp_conn *c, const struct tcp_seg *s,
			uint64_t now_ms)
{
	if (s->len == 0)
		return true;
	if (c->state != TCP_STATE_ESTABLISHED &&
	    c->state != TCP_STATE_FIN_WAIT_1 &&
	    c->state != TCP_STATE_FIN_WAIT_2)
		return true; /* after the peer's FIN: ignored */
	if (!c->user_open && c->parent == TCP_NO_PARENT) {
		/* Nobody will read it (RFC 1122 §4.2.2.13, RFC 2525 §2.17). */
		NET_STAT_INC(TCP_RX_DATA_AFTER_CLOSE);
		tcp_send_rst(c, now_ms);
		tcp_conn_closed(c, NET_OK);
		return false;
	}
	if (s->seq == c->rcv_nxt)
		tcp_in_data_in_order(c, s, now_ms);
	else
		tcp_in_data_ooo(c, s);
	return true;
}

/* ---- eighth: FIN ----------------------------------------------------- */

static void tcp_in_fin(struct tcp_conn *c, const struct tcp_seg *s,
		       uint64_t now_ms)
{
	if (!(s->flags & TCP_FLAG_FIN) || s->seq + s->len != c->rcv_nxt)
		return;
	c->rcv_nxt++;
	c->fin_received = true;
	c->ack_now = true;
	if (c->ooo_count > 0) {
		/* Data past the FIN: the peer contradicts itself. Its end
		 * of stream stands; what lies beyond is forgotten. */
		NET_STAT_INC(TCP_RX_DATA_PAST_FIN);
		c->ooo_count = 0;
	}
	switch (c->state) {
	case TCP_STATE_SYN_RCVD:
	case TCP_STATE_ESTABLISHED:
		tcp_set_state(c, TCP_STATE_CLOSE_WAIT, now_ms);
		break;
	case TCP_STATE_FIN_WAIT_1:
		tcp_set_state(c, TCP_STATE_CLOSING, now_ms);
		break;
	case TCP_STATE_FIN_WAIT_2:
	case TCP_STATE_TIME_WAIT:
		tcp_set_state(c, TCP_STATE_TIME_WAIT, now_ms);
		break;
	default:
		c->rcv_nxt--; /* CLOSE_WAIT, CLOSING, LAST_ACK: seen already */
		break;
	}
}

/* ---- the steps in order --------------------------------------------- */

/*
 * Simultaneous open (RFC 9293 §3.5, Figure 8): in SYN_RCVD after our own
 * SYN, the peer's SYN-ACK repeats its SYN. When it acknowledges our SYN
 * exactly, its SYN is the one already taken: treat the segment as the ACK
 * it also is (the sequence check would otherwise find it one below the
 * window).
 */
static void tcp_in_simultaneous_synack(const struct tcp_conn *c,
				       struct tcp_seg *s)
{
	uint8_t synack = TCP_FLAG_SYN | TCP_FLAG_ACK;

	if (c->state != TCP_STATE_SYN_RCVD || c->passive ||
	    (s->h.flags & (synack | TCP_FLAG_RST)) != synack ||
	    s->h.seq != c->irs || s->h.ack != c->iss + 1)
		return;
	s->h.flags &= (uint8_t)~TCP_FLAG_SYN;
	s->h.seq++;
	s->flags = s->h.flags;
	s->seq = s->h.seq;
}

static void tcp_in_synced(struct tcp_conn *c, struct tcp_seg *s,
			  uint64_t now_ms)
{
	/* A retransmitted SYN: our SYN-ACK was lost; send it again. */
	if (c->state == TCP_STATE_SYN_RCVD && s->h.flags == TCP_FLAG_SYN &&
	    s->h.seq == c->irs) {
		c->snd_nxt = c->iss;
		c->rtt_timing = false;
		tcp_output(c, now_ms);
		return;
	}
	tcp_in_simultaneous_synack(c, s);
	if (!tcp_in_check_paws(c, s, now_ms) || !tcp_in_check_seq(c, s, now_ms))
		return;
	if (s->flags & TCP_FLAG_RST) {
		tcp_in_rst(c, s, now_ms);
		return;
	}
	if (s->flags & TCP_FLAG_SYN) {
		tcp_in_syn(c, now_ms);
		return;
	}
	if (!(s->flags & TCP_FLAG_ACK)) {
		NET_STAT_INC(TCP_RX_NO_ACK_FLAG);
		return;
	}
	if (!tcp_ack_input(c, s, now_ms))
		return; /* dropped (no sign of a live peer), or gone */
	c->last_rx_at = now_ms;
	tcp_timer_keepalive_reset(c, now_ms);
	tcp_in_update_ts_recent(c, s, now_ms);
	if (!tcp_in_text(c, s, now_ms))
		return;
	tcp_in_fin(c, s, now_ms);
	tcp_output(c, now_ms);
}

/*
 * RFC 9293 §3.10.7.4 / RFC 6191: a new SYN may reopen a 4-tuple in
 * TIME_WAIT when it is beyond what the old connection used.
 */
static bool tcp_in_time_wait_reopens(const struct tcp_conn *c,
				     const struct tcp_seg *s)
{
	if (c->state != TCP_STATE_TIME_WAIT || c->user_open ||
	    (s->h.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) !=
		TCP_FLAG_SYN)
		return false;
	if (c->ts_ok && s->h.opts.has_ts)
		return seq_gt(s->h.opts.ts_val, c->ts_recent);
	return seq_gt(s->h.seq, c->rcv_nxt);
}

static bool tcp_in_check_dst(const struct ipv4_rx *ip)
{
	/* RFC 1122 §4.2.3.10: no connection with a broadcast address. */
	if (!ip->dst_broadcast && !ip->l2_broadcast)
		return true;
	NET_STAT_INC(TCP_RX_BROADCAST);
	return false;
}

void tcp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
	       uint64_t now_ms)
{
	struct tcp_seg s;
	struct tcp_conn *c;

	NET_STAT_INC(TCP_RX);
	if (!tcp_in_check_dst(ip) || !tcp_in_parse(ip, data, len, &s))
		return;
	c = tcp_conn_lookup(s.src, s.h.src_port, s.dst, s.h.dst_port);
	if (c && tcp_in_time_wait_reopens(c, &s)) {
		NET_STAT_INC(TCP_TIME_WAIT_REUSED);
		tcp_conn_closed(c, NET_OK);
		c = NULL;
	}
	if (!c) {
		struct tcp_conn *l = tcp_listener_lookup(s.dst, s.h.dst_port);

		if (l)
			tcp_in_listen(l, &s, now_ms);
		else
			tcp_in_closed(&s, now_ms);
	} else if (c->state == TCP_STATE_SYN_SENT) {
		tcp_in_syn_sent(c, &s, now_ms);
	} else {
		tcp_in_synced(c, &s, now_ms);
	}
}

/* ---- ICMP errors ------------------------------------------------------ */

/* RFC 5461: refusals end an opening connection; the rest stay soft. */
static void tcp_in_icmp_apply(struct tcp_conn *c, uint8_t type, uint8_t code)
{
	bool refused =
	    type == ICMP_DEST_UNREACH &&
	    (code == ICMP_UNREACH_PORT || code == ICMP_UNREACH_PROTOCOL);

	if (type == ICMP_DEST_UNREACH && code == ICMP_UNREACH_FRAG_NEEDED)
		return; /* we never set DF: not about us */
	if (refused && c->state == TCP_STATE_SYN_SENT) {
		tcp_conn_closed(c, NET_ECONNREFUSED);
		return;
	}
	c->soft_err = refused ? NET_ECONNREFUSED : NET_EHOSTUNREACH;
}

void tcp_icmp_error(uint8_t type, uint8_t code, uint32_t quoted_src,
		    uint32_t quoted_dst, const uint8_t quoted_tcp[8])
{
	uint16_t sport, dport;
	uint32_t seq;
	struct tcp_conn *c;

	tcp_wire_read_quote(quoted_tcp, &sport, &dport, &seq);
	c = tcp_conn_lookup(quoted_dst, dport, quoted_src, sport);
	/* RFC 5927 §4.1: the quoted sequence number must be one in flight. */
	if (!c || !seq_ge(seq, c->snd_una) || !seq_le(seq, c->snd_max) ||
	    (type != ICMP_DEST_UNREACH && type != ICMP_TIME_EXCEEDED)) {
		NET_STAT_INC(ICMP_RX_ERROR_IGNORED);
		return;
	}
	tcp_in_icmp_apply(c, type, code);
}
