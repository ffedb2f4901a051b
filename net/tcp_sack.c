/*
 * tcp_sack.c - the sender's SACK scoreboard and SACK-based loss recovery
 * (RFC 2018, RFC 6675, simplified).
 *
 * The scoreboard keeps up to TCP_SACK_SCORE ranges the peer reported
 * holding above snd_una, sorted and merged; blocks outside
 * (snd_una, snd_max] (D-SACKs, forgeries) are ignored, and when the board
 * is full the highest range is forgotten (it is only an optimisation).
 *
 * Recovery starts like NewReno (tcp_in.c: three duplicate ACKs, cwnd =
 * ssthresh = FlightSize / 2). With SACK, every unSACKed byte below the
 * highest SACKed one is taken as lost (RFC 6675's IsLost, with DupThresh
 * reduced to "anything SACKed above it" - the FACK view), so
 *
 *   pipe = outstanding - SACKed - lost bytes not yet retransmitted
 *
 * and while pipe < cwnd the next hole above high_rxt is retransmitted
 * (NextSeg rule 1), then new data is sent (rule 2, by tcp_output(), whose
 * usable window uses pipe). When the peer SACKs data sent after the holes
 * were retransmitted (past rxt_mark) while the holes remain, those
 * retransmissions were lost as well and go again. Recovery ends when
 * snd_una passes `recover`.
 * A retransmission timeout keeps the board (a deviation: RFC 2018 §5.1
 * says SHOULD forget it, in case the peer reneges) and goes back to
 * snd_una, skipping the SACKed ranges; until the cumulative ACK passes
 * them, their bytes count as in flight, so the holes go one per ACK.
 */
#include <string.h>

#include "stats_internal.h"
#include "tcp.h"

void tcp_sack_clear(struct tcp_conn *c)
{
	c->sacked_count = 0;
}

void tcp_sack_trim(struct tcp_conn *c)
{
	int k = 0;

	for (int i = 0; i < c->sacked_count; i++) {
		struct tcp_range r = c->sacked[i];

		if (seq_le(r.end, c->snd_una))
			continue;
		if (seq_lt(r.start, c->snd_una))
			r.start = c->snd_una;
		c->sacked[k++] = r;
	}
	c->sacked_count = (uint8_t)k;
}

int tcp_sack_range_merge(const struct tcp_range *in, int n, struct tcp_range r,
			 struct tcp_range *out)
{
	int k = 0;
	bool placed = false;

	for (int i = 0; i < n; i++) {
		struct tcp_range e = in[i];

		if (seq_lt(e.end, r.start)) {
			out[k++] = e;
		} else if (seq_lt(r.end, e.start)) {
			if (!placed)
				out[k++] = r;
			placed = true;
			out[k++] = e;
		} else { /* overlapping or touching: merge */
			r.start = seq_lt(e.start, r.start) ? e.start : r.start;
			r.end = seq_max(e.end, r.end);
		}
	}
	if (!placed)
		out[k++] = r;
	return k;
}

/* Insert [start, end) into the sorted board, merging what it touches. */
static void tcp_sack_add(struct tcp_conn *c, uint32_t start, uint32_t end)
{
	struct tcp_range out[TCP_SACK_SCORE + 1], r = {start, end};
	int k = tcp_sack_range_merge(c->sacked, c->sacked_count, r, out);

	if (k > TCP_SACK_SCORE)
		k = TCP_SACK_SCORE; /* the highest range is forgotten */
	memcpy(c->sacked, out, sizeof(out[0]) * (size_t)k);
	c->sacked_count = (uint8_t)k;
}

void tcp_sack_update(struct tcp_conn *c, const struct tcp_opts *o)
{
	if (!c->sack_ok)
		return;
	for (int i = 0; i < o->sack_count; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;

		if (!seq_lt(l, r) || !seq_gt(l, c->snd_una) ||
		    seq_gt(r, c->snd_max))
			continue;
		tcp_sack_add(c, l, r);
	}
}

bool tcp_sack_in_recovery(const struct tcp_conn *c)
{
	return c->in_recovery && c->sack_ok && c->sacked_count > 0;
}

/* The end of the highest SACKed range (everything below is decided). */
static uint32_t tcp_sack_fack(const struct tcp_conn *c)
{
	return c->sacked[c->sacked_count - 1].end;
}

uint32_t tcp_sack_pipe(const struct tcp_conn *c)
{
	uint32_t out = c->snd_max - c->snd_una, sacked = 0, lost = 0;
	uint32_t from =
	    seq_gt(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una;
	uint32_t prev = c->snd_una;

	for (int i = 0; i < c->sacked_count; i++) {
		const struct tcp_range *r = &c->sacked[i];

		sacked += r->end - r->start;
		/* The hole [prev, r->start), the part not retransmitted. */
		if (seq_lt(from, r->start))
			lost += r->start - (seq_gt(from, prev) ? from : prev);
		prev = r->end;
	}
	/* When the board is not yet filled in, use NewReno's view. */
	if (c->sacked_count == 0 || sacked + lost > out)
		return out;
	return out - sacked - lost;
}

/* The first hole at or above `from` and below fack: its start and length. */
static bool tcp_sack_next_hole(const struct tcp_conn *c, uint32_t from,
			       uint32_t *start, uint32_t *len)
{
	uint32_t prev = c->snd_una;

	for (int i = 0; i < c->sacked_count; i++) {
		const struct tcp_range *r = &c->sacked[i];
		uint32_t s = seq_gt(from, prev) ? from : prev;

		if (seq_lt(s, r->start)) {
			*start = s;
			*len = r->start - s;
			return true;
		}
		prev = r->end;
	}
	return false;
}

void tcp_sack_recover(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t start, len;

	if (!tcp_sack_in_recovery(c))
		return;
	if (seq_lt(c->high_rxt, c->snd_una))
		c->high_rxt = c->snd_una;
	/* Data sent after the holes were retransmitted arrived, they did
	 * not: the retransmissions were lost too (the idea of RFC 8985's
	 * RACK, by sequence rather than time). Send them again. */
	if (seq_gt(tcp_sack_fack(c), c->rxt_mark)) {
		c->high_rxt = c->snd_una;
		c->rxt_mark = c->snd_max;
	}
	/* Bounded: each round retransmits at least one byte of a hole. */
	for (int i = 0; i < CONFIG_TCP_TX_RING / 64 + 2; i++) {
		uint32_t sent;

		if (tcp_sack_pipe(c) >= c->cwnd ||
		    !seq_lt(c->high_rxt, tcp_sack_fack(c)) ||
		    !tcp_sack_next_hole(c, c->high_rxt, &start, &len))
			return;
		sent = tcp_retransmit(c, start, len < c->mss ? len : c->mss,
				      now_ms);
		if (sent == 0)
			return;
		c->high_rxt = start + sent;
	}
}

uint32_t tcp_sack_skip(const struct tcp_conn *c, uint32_t seq, uint32_t *len)
{
	for (int i = 0; i < c->sacked_count; i++) {
		const struct tcp_range *r = &c->sacked[i];

		if (seq_in(seq, r->start, r->end))
			seq = r->end;
		else if (seq_lt(seq, r->start) &&
			 seq_gt(seq + *len, r->start)) {
			*len = r->start - seq;
			break;
		}
	}
	return seq;
}

void tcp_sack_dsack(struct tcp_conn *c, const struct tcp_opts *o, uint32_t ack)
{
	const struct tcp_sack_block *d = &o->sack[0];

	if (!c->sack_ok || o->sack_count == 0 || c->prior_cwnd == 0 ||
	    !seq_le(d->right, ack) || !seq_ge(d->left, c->undo_start) ||
	    !seq_le(d->right, c->recover))
		return;
	if (c->undo_rxt > 0 && --c->undo_rxt > 0)
		return;
	/* Every retransmission was a duplicate: nothing was lost. */
	if (c->cwnd < c->prior_cwnd)
		c->cwnd = c->prior_cwnd;
	if (c->ssthresh < c->prior_ssthresh)
		c->ssthresh = c->prior_ssthresh;
	c->in_recovery = false;
	c->prior_cwnd = 0;
	NET_STAT_INC(TCP_RECOVERY_UNDONE);
}
