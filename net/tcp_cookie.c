/*
 * tcp_cookie.c - SYN cookies (RFC 4987 §3.6): answering a SYN without
 * keeping state, when a listener's queue is full.
 *
 * The ISN of the SYN-ACK carries what the connection needs later:
 *
 *   bits 31..27  t, the 64-second period it was made in (mod 32)
 *   bits 26..24  the MSS, as an index into tcp_cookie_mss[]
 *   bits 23..0   a keyed hash (rand_hash) of the 4-tuple, the peer's ISN,
 *                t and the MSS index
 *
 * The peer's ACK returns ISN + 1; it is believed when the hash matches for
 * the current or the previous period. The cost of statelessness: the
 * SYN-ACK offers only MSS (no window scaling, timestamps or SACK), and the
 * MSS is rounded down to the table. The listener's queue (tcp_in.c) makes
 * room for the new connection by dropping its oldest half-open one, which
 * under a SYN flood is the flood's.
 */
#include <klib/bytes.h>

#include "rand.h"
#include "tcp.h"

#define TCP_COOKIE_DOMAIN    0x54434b43u /* "TCKC" */
#define TCP_COOKIE_PERIOD_MS 64000u

static const uint16_t tcp_cookie_mss[8] = {216,	 536,  1220, 1360,
					   1440, 1460, 4312, 8960};

static uint32_t tcp_cookie_hash(const struct tcp_seg *s, uint32_t peer_isn,
				uint32_t t, uint32_t idx)
{
	uint8_t key[18];

	st_be32(key, s->dst);
	st_be16(key + 4, s->h.dst_port);
	st_be32(key + 6, s->src);
	st_be16(key + 10, s->h.src_port);
	st_be32(key + 12, peer_isn);
	key[16] = (uint8_t)t;
	key[17] = (uint8_t)idx;
	return (uint32_t)rand_hash(TCP_COOKIE_DOMAIN, key, sizeof(key)) &
	       0xffffffu;
}

static uint32_t tcp_cookie_period(uint64_t now_ms)
{
	return (uint32_t)(now_ms / TCP_COOKIE_PERIOD_MS) & 0x1f;
}

uint32_t tcp_cookie_make(const struct tcp_seg *syn, uint64_t now_ms,
			 uint16_t *mss)
{
	uint32_t limit = syn->h.opts.has_mss ? syn->h.opts.mss : 536;
	uint32_t t = tcp_cookie_period(now_ms), idx = 0;

	if (limit > tcp_our_mss())
		limit = tcp_our_mss();
	while (idx < 7 && tcp_cookie_mss[idx + 1] <= limit)
		idx++;
	*mss = tcp_cookie_mss[idx];
	return t << 27 | idx << 24 | tcp_cookie_hash(syn, syn->h.seq, t, idx);
}

bool tcp_cookie_check(const struct tcp_seg *ack, uint64_t now_ms, uint16_t *mss)
{
	uint32_t iss = ack->h.ack - 1;
	uint32_t t = iss >> 27, idx = (iss >> 24) & 7;
	uint32_t now_t = tcp_cookie_period(now_ms);

	if (t != now_t && t != ((now_t - 1) & 0x1f))
		return false;
	if (tcp_cookie_hash(ack, ack->h.seq - 1, t, idx) != (iss & 0xffffffu))
		return false;
	*mss = tcp_cookie_mss[idx];
	return true;
}
