/*
 * tcp_rack.c - the sender's transmission log and time-based loss
 * detection after RFC 8985 (RACK), used whenever SACK is on.
 *
 * Counting duplicate ACKs (RFC 5681, RFC 6675's DupThresh) takes a hole
 * for a loss as soon as three segments above it arrive; on a path that
 * reorders, that is wrong again and again, each time a needless
 * retransmission and a halved window. RACK asks instead when a segment
 * was sent: it is lost when a segment sent after it has been delivered
 * (cumulatively ACKed or SACKed) and more than an RTT plus a reordering
 * window has passed since it went out. The reordering window is zero until
 * the connection has seen reordering, then a quarter of the minimum RTT,
 * widened step by step while D-SACKs (RFC 2883) show retransmissions were
 * needless (RFC 8985 §6.2 step 4), never beyond SRTT.
 *
 * The log. Every segment sent is an entry of txlog[], a ring in sequence
 * order: its end (the start is the end of the one before, the first
 * starts at txlog_base, which follows snd_una), the time it last went
 * out, its place in the order of transmissions (which of two segments
 * went later, even within one tick of the millisecond clock: RFC 8985's
 * xmit_ts and end_seq tie-break), and three flags. A retransmission stamps the
 * entries it covers with the new time. When the ring is full, new data joins
 * the last entry (coarser, still correct). CONFIG_TCP_TX_RING / 1024 + 16
 * entries hold a full ring of 1 KiB segments, so with the MSS of an Ethernet
 * path that never happens.
 *
 * Loss recovery on top of it (tcp_sack.c): pipe is the bytes of entries
 * neither SACKed nor marked lost; while pipe < cwnd the lowest lost entry
 * goes again, then new data.
 */
#include "stats_internal.h"
#include "tcp.h"

#define TCP_RACK_MULT_MAX   8  /* RFC 8985 §6.2: reo_wnd_mult bound */
#define TCP_RACK_MULT_RESET 16 /* recoveries before the widening decays */

/* Whether time a is before b (milliseconds, wrapping). */
static bool ts_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static struct tcp_txseg *tcp_rack_at(struct tcp_conn *c, uint16_t i)
{
	return &c->txlog[(c->txlog_head + i) % TCP_TXLOG];
}

static const struct tcp_txseg *tcp_rack_get(const struct tcp_conn *c,
					    uint16_t i)
{
	return &c->txlog[(c->txlog_head + i) % TCP_TXLOG];
}

static uint32_t tcp_rack_start(const struct tcp_conn *c, uint16_t i)
{
	return i == 0 ? c->txlog_base : tcp_rack_get(c, (uint16_t)(i - 1))->end;
}

static uint32_t tcp_rack_log_end(const struct tcp_conn *c)
{
	return c->txlog_count == 0
		   ? c->txlog_base
		   : tcp_rack_get(c, (uint16_t)(c->txlog_count - 1))->end;
}

void tcp_rack_reset(struct tcp_conn *c)
{
	c->txlog_head = 0;
	c->txlog_count = 0;
	c->rack_valid = false;
	c->rack_reo_seen = false;
	c->rack_mult = 1;
	c->rack_at = TCP_NONE;
}

void tcp_rack_sent(struct tcp_conn *c, uint32_t seq, uint32_t span,
		   uint64_t now_ms)
{
	uint32_t end = seq + span, log_end = tcp_rack_log_end(c);
	uint32_t now = (uint32_t)now_ms;

	c->tx_order++;
	if (c->txlog_count == 0) {
		c->txlog_base = seq;
		log_end = seq;
	}
	if (c->in_recovery)
		c->prr_out += span;
	/* What went again: stamp every entry it touches. */
	for (uint16_t i = 0; i < c->txlog_count && seq_lt(seq, log_end); i++) {
		struct tcp_txseg *e = tcp_rack_at(c, i);

		if (!seq_gt(e->end, seq))
			continue;
		if (!seq_lt(tcp_rack_start(c, i), end))
			break;
		e->at = now;
		e->order = c->tx_order;
		e->flags =
		    (uint8_t)((e->flags & ~TCP_TXSEG_LOST) | TCP_TXSEG_RXT);
	}
	if (!seq_gt(end, log_end))
		return;
	/* New sequence space. */
	if (c->txlog_count == TCP_TXLOG) {
		struct tcp_txseg *last =
		    tcp_rack_at(c, (uint16_t)(c->txlog_count - 1));

		last->end = end;
		last->at = now;
		last->order = c->tx_order;
		last->flags &= (uint8_t)~TCP_TXSEG_LOST;
		return;
	}
	*tcp_rack_at(c, c->txlog_count) =
	    (struct tcp_txseg){end, now, c->tx_order, 0};
	c->txlog_count++;
}

/* Whether [start, end) lies inside one range of the SACK scoreboard. */
static bool tcp_rack_sacked(const struct tcp_conn *c, uint32_t start,
			    uint32_t end)
{
	for (int i = 0; i < c->sacked_count; i++)
		if (seq_le(c->sacked[i].start, start) &&
		    seq_ge(c->sacked[i].end, end))
			return true;
	return false;
}

/*
 * RFC 8985 §6.2 steps 1-3 for one delivered entry: the most recently
 * sent delivery so far sets RACK.rtt and the order to compare with; a
 * delivery below one already seen, never retransmitted, is reordering.
 */
static void tcp_rack_delivered(struct tcp_conn *c, const struct tcp_txseg *e,
			       const struct tcp_seg *s, uint64_t now_ms)
{
	uint32_t rtt = (uint32_t)now_ms - e->at;

	if (!(e->flags & TCP_TXSEG_RXT) && c->rack_valid &&
	    seq_lt(e->end, c->rack_fack))
		c->rack_reo_seen = true;
	if (!c->rack_valid || seq_gt(e->end, c->rack_fack))
		c->rack_fack = e->end;
	if (e->flags & TCP_TXSEG_RXT) {
		/* Step 2: was it the retransmission that arrived? A
		 * timestamp echo older than it, or an RTT below the
		 * minimum, says the original did: no sample. */
		if (c->ts_ok && s->h.opts.has_ts && s->h.opts.ts_ecr != 0 &&
		    ts_before(s->h.opts.ts_ecr, e->at))
			return;
		if (c->has_rtt && rtt < c->min_rtt)
			return;
	}
	if (!c->rack_valid || seq_gt(e->order, c->rack_order)) {
		c->rack_order = e->order;
		c->rack_rtt = rtt;
		c->rack_valid = true;
	}
}

void tcp_rack_update(struct tcp_conn *c, const struct tcp_seg *s,
		     uint64_t now_ms)
{
	uint32_t ack = s->h.ack;

	/* Cumulatively acknowledged: delivered, and out of the log. */
	c->delivered = 0;
	while (c->txlog_count > 0) {
		struct tcp_txseg *e = tcp_rack_at(c, 0);

		if (seq_gt(e->end, ack)) {
			if (seq_gt(ack, c->txlog_base)) {
				c->delivered += ack - c->txlog_base;
				c->txlog_base = ack;
			}
			break;
		}
		if (!(e->flags & TCP_TXSEG_SACKED)) {
			c->delivered += e->end - c->txlog_base;
			tcp_rack_delivered(c, e, s, now_ms);
		}
		c->txlog_base = e->end;
		c->txlog_head = (uint16_t)((c->txlog_head + 1) % TCP_TXLOG);
		c->txlog_count--;
	}
	if (c->sacked_count == 0)
		return;
	for (uint16_t i = 0; i < c->txlog_count; i++) {
		struct tcp_txseg *e = tcp_rack_at(c, i);

		if (e->flags & TCP_TXSEG_SACKED ||
		    !tcp_rack_sacked(c, tcp_rack_start(c, i), e->end))
			continue;
		e->flags =
		    (uint8_t)((e->flags & ~TCP_TXSEG_LOST) | TCP_TXSEG_SACKED);
		c->delivered += e->end - tcp_rack_start(c, i);
		tcp_rack_delivered(c, e, s, now_ms);
	}
}

void tcp_rack_dsack(struct tcp_conn *c)
{
	/* RFC 8985 §6.2 step 4: widen once per round trip. */
	c->rack_reo_seen = true;
	c->rack_recoveries = 0;
	if (c->rack_dsack_pending && seq_lt(c->snd_una, c->rack_dsack_round))
		return;
	c->rack_dsack_pending = true;
	c->rack_dsack_round = c->snd_max;
	if (c->rack_mult < TCP_RACK_MULT_MAX)
		c->rack_mult++;
}

void tcp_rack_recovery_started(struct tcp_conn *c)
{
	if (++c->rack_recoveries >= TCP_RACK_MULT_RESET) {
		c->rack_recoveries = 0;
		c->rack_mult = 1;
	}
}

/* RFC 8985 §6.2 step 4. */
static uint32_t tcp_rack_reo_wnd(const struct tcp_conn *c, int sacked_segs)
{
	uint32_t w, srtt = c->srtt8 >> 3;

	if (!c->rack_reo_seen &&
	    (c->in_recovery || sacked_segs >= TCP_DUPACK_THRESH))
		return 0;
	/* At least 1 ms: our clock's tick, below which an RTT reads 0. */
	w = c->rack_mult * (c->min_rtt / 4);
	w = w < srtt ? w : srtt;
	return w > 0 ? w : 1;
}

bool tcp_rack_detect(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t now = (uint32_t)now_ms, reo, wait = UINT32_MAX;
	int sacked = 0;
	bool lost = false;

	c->rack_at = TCP_NONE;
	if (!c->rack_valid)
		return false;
	for (uint16_t i = 0; i < c->txlog_count; i++)
		sacked += !!(tcp_rack_at(c, i)->flags & TCP_TXSEG_SACKED);
	reo = tcp_rack_reo_wnd(c, sacked);
	for (uint16_t i = 0; i < c->txlog_count; i++) {
		struct tcp_txseg *e = tcp_rack_at(c, i);
		int32_t left;

		if (e->flags & (TCP_TXSEG_SACKED | TCP_TXSEG_LOST))
			continue;
		if (!seq_lt(e->order, c->rack_order)) {
			/* Sent after the latest delivery. A first
			 * transmission this late means every later entry
			 * is later still: stop. */
			if (!(e->flags & TCP_TXSEG_RXT))
				break;
			continue;
		}
		left = (int32_t)(e->at + c->rack_rtt + reo - now);
		if (left <= 0) {
			e->flags |= TCP_TXSEG_LOST;
			lost = true;
		} else if ((uint32_t)left < wait) {
			wait = (uint32_t)left;
		}
	}
	if (wait != UINT32_MAX)
		c->rack_at = now_ms + wait;
	return lost;
}

bool tcp_rack_has_lost(const struct tcp_conn *c)
{
	for (uint16_t i = 0; i < c->txlog_count; i++)
		if (tcp_rack_get(c, i)->flags & TCP_TXSEG_LOST)
			return true;
	return false;
}

uint32_t tcp_rack_pipe(const struct tcp_conn *c)
{
	uint32_t pipe = 0;

	for (uint16_t i = 0; i < c->txlog_count; i++) {
		const struct tcp_txseg *e = tcp_rack_get(c, i);

		if (!(e->flags & (TCP_TXSEG_SACKED | TCP_TXSEG_LOST)))
			pipe += e->end - tcp_rack_start(c, i);
	}
	return pipe;
}

bool tcp_rack_next_lost(const struct tcp_conn *c, uint32_t *start,
			uint32_t *len)
{
	for (uint16_t i = 0; i < c->txlog_count; i++) {
		const struct tcp_txseg *e = tcp_rack_get(c, i);

		if (e->flags & TCP_TXSEG_LOST) {
			*start = tcp_rack_start(c, i);
			*len = e->end - *start;
			return true;
		}
	}
	return false;
}
