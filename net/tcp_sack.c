/*
 * tcp_sack.c - the sender's SACK scoreboard and SACK-based loss recovery
 * (RFC 2018, RFC 6675 with RFC 8985's loss detection).
 *
 * The scoreboard keeps up to TCP_SACK_SCORE ranges the peer reported
 * holding above snd_una, sorted and merged; blocks outside
 * (snd_una, snd_max] (D-SACKs, forgeries) are ignored, and when the board
 * is full the highest range is forgotten (it is only an optimisation).
 * The transmission log (tcp_rack.c) takes from it which segments were
 * delivered.
 *
 * Recovery: when RACK marks a segment lost, fast recovery starts
 * (tcp_ack_enter_recovery(): cwnd = ssthresh = FlightSize / 2, recover =
 * SND.MAX). While pipe - the bytes neither SACKed nor marked lost - is
 * below cwnd, the lowest lost segment is sent again (RFC 6675 NextSeg rule
 * 1), then new data (rule 2, by tcp_output(), whose usable window uses
 * pipe). A retransmission that is lost in turn is found the same way: a
 * segment sent after it is delivered and the reordering window passes.
 * Recovery ends when snd_una passes `recover`.
 *
 * A retransmission timeout keeps the board (a deviation: RFC 2018 §5.1
 * says SHOULD forget it, in case the peer reneges) and goes back to
 * snd_una, skipping the SACKed ranges; until the cumulative ACK passes
 * `recover`, no fast recovery starts.
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
	return c->in_recovery && c->sack_ok;
}

uint32_t tcp_sack_pipe(const struct tcp_conn *c)
{
	return tcp_rack_pipe(c);
}

/*
 * RFC 6937 proportional rate reduction: during recovery cwnd is what lets
 * the data out at ssthresh / RecoverFS of the rate the peer receives it,
 * so that the window shrinks to ssthresh over one round trip, ACK-clocked,
 * instead of falling silent for half of it; once pipe is below ssthresh,
 * slow start reduction bound (PRR-SSRB) brings it back up.
 */
static void tcp_sack_prr(struct tcp_conn *c)
{
	uint32_t pipe = tcp_rack_pipe(c);
	int64_t sndcnt;

	c->prr_delivered += c->delivered;
	if (pipe > c->ssthresh) {
		uint64_t fs = c->prr_recover_fs ? c->prr_recover_fs : 1;

		sndcnt = (int64_t)(((uint64_t)c->prr_delivered * c->ssthresh +
				    fs - 1) /
				   fs) -
			 c->prr_out;
	} else {
		int64_t limit = (int64_t)c->prr_delivered - c->prr_out;

		if (limit < (int64_t)c->delivered)
			limit = c->delivered;
		limit += c->mss;
		sndcnt = (int64_t)c->ssthresh - pipe;
		if (sndcnt > limit)
			sndcnt = limit;
	}
	if (sndcnt < 0)
		sndcnt = 0;
	c->cwnd = pipe + (uint32_t)sndcnt;
}

void tcp_sack_recover(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t start, len;

	if (!c->sack_ok || c->state < TCP_STATE_ESTABLISHED)
		return;
	tcp_rack_detect(c, now_ms);
	/* A loss starts fast recovery, unless one is under way or a
	 * timeout's go-back-N is: then what is lost again goes again
	 * without another cut of the window (RFC 6582 §3.2 step 2's rule,
	 * by `recover`). */
	if (!c->in_recovery) {
		if (!tcp_rack_has_lost(c))
			return;
	}
	if (!c->in_recovery && !c->rto_recovery) {
		tcp_ack_enter_recovery(c);
		c->prr_delivered = c->prr_out = 0;
		c->prr_recover_fs = c->snd_max - c->snd_una;
		tcp_sack_prr(c);
		/* The first retransmission goes whatever the count says. */
		if (c->cwnd < tcp_rack_pipe(c) + c->mss)
			c->cwnd = tcp_rack_pipe(c) + c->mss;
	} else if (c->in_recovery) {
		tcp_sack_prr(c);
	}
	c->delivered = 0;
	/* RFC 6675 NextSeg rule 1: what is lost, lowest first, while pipe
	 * leaves room; new data (rule 2) is tcp_output()'s. Bounded: each
	 * round clears the lost mark of at least one entry. */
	for (int i = 0; i < TCP_TXLOG; i++) {
		if (tcp_rack_pipe(c) >= c->cwnd ||
		    !tcp_rack_next_lost(c, &start, &len))
			return;
		if (tcp_retransmit(c, start, len < c->mss ? len : c->mss,
				   now_ms) == 0)
			return;
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

	if (c->sack_ok && o->sack_count > 0 && seq_le(d->right, ack) &&
	    seq_lt(d->left, d->right))
		tcp_rack_dsack(c);
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
