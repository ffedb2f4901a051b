/*
 * tcp_ack.c - the fifth check of TCP segment arrival (RFC 9293 §3.10.7.4,
 * "check the ACK field"), with what an acknowledgment drives: the send
 * window (SND.WL1/WL2), RTT samples (RFC 6298, RFC 7323 §4), congestion
 * control (RFC 5681 slow start and congestion avoidance, RFC 6582
 * NewReno without SACK; with SACK, RACK in tcp_rack.c finds losses and
 * tcp_sack.c repairs them), duplicate ACKs and the SACK scoreboard, and the
 * states an ACK of our FIN ends. tcp_in.c calls tcp_ack_input() between the SYN
 * and text checks.
 *
 * Acceptable ACKs follow RFC 5961 §5.2: SND.UNA - MAX.SND.WND ..
 * SND.NXT; anything else is dropped with a challenge ACK.
 */
#include "stats_internal.h"
#include "tcp.h"

/* ---- fifth: ACK ------------------------------------------------------ */

static bool tcp_ack_syn_rcvd(struct tcp_conn *c, const struct tcp_seg *s,
			     uint64_t now_ms)
{
	if (!seq_gt(s->h.ack, c->snd_una) || seq_gt(s->h.ack, c->snd_max)) {
		NET_STAT_INC(TCP_RX_BAD_ACK);
		tcp_send_rst_reply(s, now_ms);
		return false;
	}
	tcp_set_state(c, TCP_STATE_ESTABLISHED, now_ms);
	tcp_in_set_window(c, s);
	tcp_timer_keepalive_reset(c, now_ms);
	if (c->passive)
		NET_STAT_INC(TCP_CONN_PASSIVE);
	return true;
}

/*
 * RFC 5681 §3.1: slow start below ssthresh, congestion avoidance above,
 * both counting bytes acknowledged (RFC 3465): in slow start up to
 * L = 2 SMSS per ACK, in congestion avoidance one SMSS per cwnd bytes -
 * so that a receiver's delayed ACKs do not halve the growth.
 */
static void tcp_ack_grow_cwnd(struct tcp_conn *c, uint32_t acked)
{
	if (c->cwnd < c->ssthresh) {
		c->cwnd += acked < 2u * c->mss ? acked : 2u * c->mss;
		return;
	}
	c->bytes_acked += acked;
	if (c->bytes_acked >= c->cwnd) {
		c->bytes_acked -= c->cwnd;
		c->cwnd += c->mss;
	}
}

/* RFC 6582 §3.2: an ACK during fast recovery. */
static void tcp_ack_in_recovery(struct tcp_conn *c, uint32_t ack,
				uint32_t acked, uint64_t now_ms)
{
	if (seq_ge(ack, c->recover)) {
		/* Full acknowledgement: deflate, leave recovery. */
		uint32_t flight = c->snd_max - ack;
		uint32_t w = (flight > c->mss ? flight : c->mss) + c->mss;

		/* RFC 6582 §3.2 step 3, option (1). */
		c->cwnd = w < c->ssthresh ? w : c->ssthresh;
		c->in_recovery = false;
		return;
	}
	if (tcp_sack_in_recovery(c))
		return; /* RACK decides (tcp_sack_recover) */
	/* Partial: retransmit the next hole, deflate by what was acked. */
	c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
	c->cwnd += c->mss;
	tcp_retransmit_una(c, now_ms);
}

/*
 * An RTT sample per window of data: from the echoed timestamp when there
 * is one (RFC 7323 §4.1; unambiguous even for retransmissions), else from
 * a timed segment never retransmitted (Karn, RFC 6298 §3).
 */
static void tcp_ack_rtt(struct tcp_conn *c, const struct tcp_seg *s,
			uint64_t now_ms)
{
	uint32_t ack = s->h.ack;

	if (c->ts_ok && s->h.opts.has_ts && s->h.opts.ts_ecr != 0) {
		uint32_t r = (uint32_t)now_ms - s->h.opts.ts_ecr;

		if (seq_ge(ack, c->rtt_seq) && r <= CONFIG_TCP_RTO_MAX_MS) {
			tcp_rtt_sample(c, r);
			c->rtt_seq = c->snd_max;
		}
		c->rtt_timing = false;
		return;
	}
	if (c->rtt_timing && seq_gt(ack, c->rtt_seq)) {
		tcp_rtt_sample(c, (uint32_t)(now_ms - c->rtt_start));
		c->rtt_timing = false;
	}
}

static void tcp_ack_new_ack(struct tcp_conn *c, const struct tcp_seg *s,
			    uint64_t now_ms)
{
	uint32_t ack = s->h.ack;
	uint32_t acked = ack - c->snd_una;

	if (seq_gt(ack, c->tx_seq)) {
		uint32_t n = ack - c->tx_seq;

		tcp_tx_ring_drop(c, n < c->tx_len ? n : c->tx_len);
	}
	tcp_ack_rtt(c, s, now_ms);
	c->snd_una = ack;
	if (seq_ge(ack, c->recover))
		c->rto_recovery = false;
	if (seq_lt(c->snd_nxt, ack))
		c->snd_nxt = ack; /* after a go-back-N restart */
	tcp_sack_trim(c);
	if (c->in_recovery)
		tcp_ack_in_recovery(c, ack, acked, now_ms);
	else
		tcp_ack_grow_cwnd(c, acked);
	c->dupacks = 0;
	c->retries = 0;
	c->tlp_sent = false;
	tcp_timer_rto_restart(c, now_ms);
	tcp_timer_tlp_arm(c, now_ms);
}

/*
 * RFC 5681 §2: same ACK, no data, same window, data outstanding. With
 * SACK blocks the window may differ (RFC 6675 §2 counts an ACK carrying
 * SACK information; a receiver that grows its buffer changes the window
 * on every ACK).
 */
static bool tcp_ack_is_dup_ack(const struct tcp_conn *c,
			       const struct tcp_seg *s)
{
	bool sack = c->sack_ok && s->h.opts.sack_count > 0;

	/* An answer to a zero-window probe is no sign of loss: the window
	 * is closed and the persist timer, not recovery, is in charge. */
	if (c->persist_at != TCP_NONE || tcp_in_peer_window(c, s) == 0)
		return false;
	return s->h.ack == c->snd_una && s->len == 0 &&
	       !(s->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) &&
	       (sack || tcp_in_peer_window(c, s) == c->snd_wnd) &&
	       c->snd_max != c->snd_una;
}

void tcp_ack_enter_recovery(struct tcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una;
	uint32_t half = flight / 2;

	c->prior_cwnd = c->cwnd;
	c->prior_ssthresh = c->ssthresh;
	c->undo_start = c->snd_una;
	c->undo_rxt = 0;
	c->ssthresh = half > 2u * c->mss ? half : 2u * c->mss;
	c->recover = c->snd_max;
	c->in_recovery = true;
	/* RFC 6675 §5: cwnd = ssthresh; NewReno adds the three segments
	 * the duplicate ACKs say have left (RFC 6582 §3.2 step 2). */
	c->cwnd = c->ssthresh;
	if (!c->sack_ok)
		c->cwnd += TCP_DUPACK_THRESH * (uint32_t)c->mss;
	tcp_rack_recovery_started(c);
	NET_STAT_INC(TCP_TX_FAST_RETRANS);
}

/*
 * RFC 5681 §3.2 fast retransmit, RFC 6582 NewReno fast recovery: without
 * SACK only. With SACK, RACK (tcp_rack.c) decides what is lost and the
 * duplicate ACKs only drive limited transmit (tcp_out.c).
 */
static void tcp_ack_dup_ack(struct tcp_conn *c, uint64_t now_ms)
{
	NET_STAT_INC(TCP_RX_DUP_ACK);
	if (c->dupacks < UINT8_MAX)
		c->dupacks++;
	if (c->sack_ok)
		return;
	if (c->in_recovery) {
		c->cwnd += c->mss; /* one segment left the network */
		return;
	}
	if (c->dupacks != TCP_DUPACK_THRESH)
		return;
	/* RFC 6582 §3.2 step 2: only when this loss is new. */
	if (!seq_gt(c->snd_una, c->recover))
		return;
	tcp_ack_enter_recovery(c);
	tcp_retransmit_una(c, now_ms);
}

/* RFC 9293 §3.10.7.4: update the send window (SND.WL1/WL2 rule). */
static void tcp_ack_window(struct tcp_conn *c, const struct tcp_seg *s)
{
	if (!(seq_lt(c->snd_wl1, s->h.seq) ||
	      (c->snd_wl1 == s->h.seq && seq_le(c->snd_wl2, s->h.ack))))
		return;
	tcp_in_set_window(c, s);
	if (c->snd_wnd > 0 && c->persist_at != TCP_NONE) {
		/* The window opened: stop probing; the probe byte, if not
		 * taken, is sent again as ordinary data. */
		c->persist_at = TCP_NONE;
		c->persist_shift = 0;
		c->snd_nxt = c->snd_una;
	}
}

/* Whether our FIN has been acknowledged. */
static bool tcp_ack_fin_acked(const struct tcp_conn *c)
{
	return c->fin_queued && c->tx_len == 0 && c->snd_una == c->tx_seq + 1;
}

/* State changes an ACK of our FIN makes; false when the connection went. */
static bool tcp_ack_our_fin(struct tcp_conn *c, uint64_t now_ms)
{
	if (!tcp_ack_fin_acked(c))
		return true;
	switch (c->state) {
	case TCP_STATE_FIN_WAIT_1:
		tcp_set_state(c, TCP_STATE_FIN_WAIT_2, now_ms);
		return true;
	case TCP_STATE_CLOSING:
		tcp_set_state(c, TCP_STATE_TIME_WAIT, now_ms);
		return true;
	case TCP_STATE_LAST_ACK:
		tcp_conn_closed(c, NET_OK);
		return false;
	default:
		return true;
	}
}

bool tcp_ack_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now_ms)
{
	uint32_t ack = s->h.ack;

	if (c->state == TCP_STATE_SYN_RCVD && !tcp_ack_syn_rcvd(c, s, now_ms))
		return false;
	/* RFC 5961 §5.2: acceptable is SND.UNA - MAX.SND.WND .. SND.NXT. */
	if (seq_gt(ack, c->snd_max)) {
		NET_STAT_INC(TCP_RX_BAD_ACK);
		tcp_send_challenge_ack(c, now_ms);
		return false;
	}
	if (seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		NET_STAT_INC(TCP_RX_OLD_ACK);
		tcp_send_challenge_ack(c, now_ms);
		return false;
	}
	tcp_sack_update(c, &s->h.opts);
	tcp_rack_update(c, s, now_ms);
	tcp_sack_dsack(c, &s->h.opts, ack);
	if (seq_gt(ack, c->snd_una))
		tcp_ack_new_ack(c, s, now_ms);
	else if (tcp_ack_is_dup_ack(c, s))
		tcp_ack_dup_ack(c, now_ms);
	tcp_ack_window(c, s);
	tcp_sack_recover(c, now_ms);
	return tcp_ack_our_fin(c, now_ms);
}
