/*
 * tcp_timer.c - TCP's timers: retransmission (RFC 6298), persist (RFC 9293
 * §3.8.6.1), delayed ACK (§3.8.6.3), keepalive (§3.8.4), TIME_WAIT
 * (§3.10.7.4, 2 MSL) and the FIN_WAIT_2 limit of orphaned connections.
 *
 * Each connection keeps each timer as an absolute time (TCP_NONE when
 * off); tcp_poll() walks the table and fires what is due, and
 * tcp_next_deadline() is the earliest of them all. A table of a few dozen
 * connections makes the walk cheaper than any timer structure.
 *
 * RTO (RFC 6298 §2): SRTT and RTTVAR kept scaled (8 * SRTT, 4 * RTTVAR, in
 * milliseconds), RTO = SRTT + max(1 ms, 4 * RTTVAR) within
 * [rto_min_ms, rto_max_ms], 1 s before the first sample; samples only from
 * segments never retransmitted (Karn, §3). On expiry: back off (double),
 * ssthresh = max(FlightSize / 2, 2 * SMSS), cwnd = 1 SMSS (RFC 5681 §3.1),
 * and go back to snd_una, skipping what the SACK scoreboard says the peer
 * holds (tcp_out.c). TCP_SYN_RETRIES expiries in an opening state, or
 * TCP_DATA_RETRIES later, end the connection with NET_ETIMEDOUT (or the
 * ICMP error seen meanwhile, RFC 1122 §4.2.3.9).
 */
#include "stats_internal.h"
#include "tcp.h"

void tcp_rtt_sample(struct tcp_conn *c, uint32_t r)
{
	uint32_t rto;

	if (!c->has_rtt || r < c->min_rtt)
		c->min_rtt = r;
	if (!c->has_rtt) {
		c->srtt8 = r << 3;
		c->rttvar4 = r << 1;
		c->has_rtt = true;
	} else {
		int32_t delta = (int32_t)r - (int32_t)(c->srtt8 >> 3);

		c->srtt8 = (uint32_t)((int32_t)c->srtt8 + delta);
		if (delta < 0)
			delta = -delta;
		c->rttvar4 = (uint32_t)((int32_t)c->rttvar4 + delta -
					(int32_t)(c->rttvar4 >> 2));
	}
	rto = (c->srtt8 >> 3) + (c->rttvar4 > 1 ? c->rttvar4 : 1);
	if (rto < CONFIG_TCP_RTO_MIN_MS)
		rto = CONFIG_TCP_RTO_MIN_MS;
	if (rto > CONFIG_TCP_RTO_MAX_MS)
		rto = CONFIG_TCP_RTO_MAX_MS;
	c->rto = rto;
}

void tcp_timer_rto_restart(struct tcp_conn *c, uint64_t now_ms)
{
	/* RFC 6298 §5.2, §5.3. */
	c->rto_at = c->snd_una == c->snd_max ? TCP_NONE : now_ms + c->rto;
}

/*
 * RFC 8985 §7.2: PTO = 2 SRTT, plus room for a delayed ACK when one
 * segment is out; only with an RTT measured, outside fast recovery and
 * timeout recovery, once per tail, and never later than the RTO.
 */
void tcp_timer_tlp_arm(struct tcp_conn *c, uint64_t now_ms)
{
	uint64_t pto;

	c->tlp_at = TCP_NONE;
	if (!c->has_rtt || c->in_recovery || c->tlp_sent || c->retries > 0 ||
	    c->snd_una == c->snd_max || c->state != TCP_STATE_ESTABLISHED ||
	    c->rto_at == TCP_NONE)
		return;
	pto = 2 * (uint64_t)(c->srtt8 >> 3);
	if (c->snd_max - c->snd_una <= c->mss)
		pto += TCP_TLP_DELACK_MS;
	if (pto < TCP_TLP_MIN_MS)
		pto = TCP_TLP_MIN_MS;
	if (now_ms + pto < c->rto_at)
		c->tlp_at = now_ms + pto;
}

/* RFC 8985 §7.3: new data if the peer's window takes it, else the last
 * segment again; either draws the ACK (or SACK) a lost tail withheld. */
static void tcp_timer_tlp(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t last;

	c->tlp_at = TCP_NONE;
	c->tlp_sent = true;
	NET_STAT_INC(TCP_TX_TLP);
	if (c->snd_nxt == c->snd_max && c->snd_nxt != c->tx_seq + c->tx_len &&
	    c->snd_wnd > c->snd_max - c->snd_una) {
		uint32_t cwnd = c->cwnd;

		c->cwnd = c->snd_max - c->snd_una + c->mss; /* one more */
		tcp_output(c, now_ms);
		c->cwnd = cwnd;
	} else {
		last = c->snd_max - c->snd_una > c->mss ? c->snd_max - c->mss
							: c->snd_una;
		tcp_retransmit(c, last, c->mss, now_ms);
	}
	c->rto_at = now_ms + c->rto;
}

void tcp_timer_keepalive_reset(struct tcp_conn *c, uint64_t now_ms)
{
	bool idle_matters = c->state == TCP_STATE_ESTABLISHED ||
			    c->state == TCP_STATE_CLOSE_WAIT;

	c->probes = 0;
	c->keep_at = c->keepalive && idle_matters
			 ? now_ms + CONFIG_TCP_KEEPALIVE_IDLE_MS
			 : TCP_NONE;
}

static uint64_t tcp_timer_backoff(uint32_t rto, uint8_t shift)
{
	uint64_t t = (uint64_t)rto << (shift > 16 ? 16 : shift);

	return t > CONFIG_TCP_RTO_MAX_MS ? CONFIG_TCP_RTO_MAX_MS : t;
}

void tcp_timer_persist_check(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t off = c->snd_nxt - c->tx_seq;

	if (c->persist_at != TCP_NONE || c->snd_nxt != c->snd_una ||
	    c->state == TCP_STATE_SYN_SENT || c->state == TCP_STATE_SYN_RCVD ||
	    off >= c->tx_len)
		return;
	/* Data waits, nothing is in flight: no ACK will come to clock it
	 * out, so the persist timer must (zero window, or SWS hold). */
	c->persist_at = now_ms + tcp_timer_backoff(c->rto, c->persist_shift);
}

static void tcp_timer_persist(struct tcp_conn *c, uint64_t now_ms)
{
	c->persist_at = TCP_NONE;
	tcp_send_probe(c, now_ms);
	if (c->persist_shift < 16)
		c->persist_shift++;
	if (c->snd_wnd == 0)
		c->persist_at =
		    now_ms + tcp_timer_backoff(c->rto, c->persist_shift);
}

static void tcp_timer_rto(struct tcp_conn *c, uint64_t now_ms)
{
	bool opening =
	    c->state == TCP_STATE_SYN_SENT || c->state == TCP_STATE_SYN_RCVD;
	uint32_t flight = c->snd_max - c->snd_una;

	c->rto_at = TCP_NONE;
	c->tlp_at = TCP_NONE;
	if (flight == 0)
		return;
	if (c->retries >= (opening ? TCP_SYN_RETRIES : TCP_DATA_RETRIES)) {
		NET_STAT_INC(TCP_CONN_TIMEOUT);
		tcp_conn_closed(c, c->soft_err != NET_OK ? c->soft_err
							 : NET_ETIMEDOUT);
		return;
	}
	NET_STAT_INC(TCP_RTO);
	c->retries++;
	c->rto = c->rto * 2 > CONFIG_TCP_RTO_MAX_MS ? CONFIG_TCP_RTO_MAX_MS
						    : c->rto * 2;
	c->ssthresh = flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
	c->cwnd = c->mss;
	c->in_recovery = false;
	c->rto_recovery = true;
	c->prior_cwnd = 0; /* a timeout is never undone */
	c->recover = c->snd_max;
	/* Deviation: the SACK scoreboard is kept (RFC 2018 §5.1 says the
	 * sender SHOULD forget it; RFC 6675 §5.1 allows heuristics), so the
	 * go-back-N below skips what the peer holds. */
	c->dupacks = 0;
	c->rtt_timing = false;
	c->rack_at = TCP_NONE;
	c->snd_nxt = c->snd_una;
	tcp_output(c, now_ms);
	/* A zero window: the persist timer probes from now on, and a peer
	 * that keeps answering them is never timed out (RFC 1122
	 * §4.2.2.17). */
	if (c->persist_at != TCP_NONE) {
		c->rto_at = TCP_NONE;
		c->retries = 0;
		return;
	}
	if (c->in_use && c->rto_at == TCP_NONE && c->snd_una != c->snd_max)
		c->rto_at = now_ms + c->rto;
}

static void tcp_timer_keepalive(struct tcp_conn *c, uint64_t now_ms)
{
	c->keep_at = TCP_NONE;
	if (c->state != TCP_STATE_ESTABLISHED &&
	    c->state != TCP_STATE_CLOSE_WAIT)
		return;
	if (c->probes >= CONFIG_TCP_KEEPALIVE_COUNT) {
		NET_STAT_INC(TCP_CONN_TIMEOUT);
		tcp_conn_closed(c, NET_ETIMEDOUT);
		return;
	}
	c->probes++;
	tcp_send_keepalive(c, now_ms);
	c->keep_at = now_ms + CONFIG_TCP_KEEPALIVE_INTERVAL_MS;
}

/* Fire what is due on one connection; it may be freed on the way. */
static void tcp_timer_conn(struct tcp_conn *c, uint64_t now_ms)
{
	if (c->close_at <= now_ms) {
		tcp_conn_closed(c, NET_OK);
		return;
	}
	if (c->rto_at <= now_ms)
		tcp_timer_rto(c, now_ms);
	if (c->in_use && c->rack_at <= now_ms) {
		/* RFC 8985 §6.3: the reordering window ran out. */
		c->rack_at = TCP_NONE;
		tcp_sack_recover(c, now_ms);
		tcp_output(c, now_ms);
	}
	if (c->in_use && c->tlp_at <= now_ms)
		tcp_timer_tlp(c, now_ms);
	if (c->in_use && c->persist_at <= now_ms)
		tcp_timer_persist(c, now_ms);
	if (c->in_use && c->keep_at <= now_ms)
		tcp_timer_keepalive(c, now_ms);
	if (c->in_use && c->delack_at <= now_ms) {
		c->delack_at = TCP_NONE;
		tcp_send_ack(c, now_ms);
	}
	if (c->in_use && c->needs_output)
		tcp_output(c, now_ms);
}

void tcp_poll(uint64_t now_ms)
{
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++)
		if (tcp_conns[i].in_use)
			tcp_timer_conn(&tcp_conns[i], now_ms);
}

static uint64_t tcp_timer_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t tcp_next_deadline(void)
{
	uint64_t t = TCP_NONE;

	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		const struct tcp_conn *c = &tcp_conns[i];

		if (!c->in_use)
			continue;
		if (c->needs_output)
			return 0;
		t = tcp_timer_min(t, c->rto_at);
		t = tcp_timer_min(t, c->persist_at);
		t = tcp_timer_min(t, c->delack_at);
		t = tcp_timer_min(t, c->close_at);
		t = tcp_timer_min(t, c->keep_at);
		t = tcp_timer_min(t, c->tlp_at);
		t = tcp_timer_min(t, c->rack_at);
	}
	return t;
}
