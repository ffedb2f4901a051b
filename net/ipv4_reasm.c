/*
 * ipv4_reasm.c - IPv4 fragment reassembly (RFC 791 §3.2 "Reassembly",
 * RFC 815, RFC 1122 §3.3.2). See ipv4_reasm.h for the interface.
 *
 * A slot is keyed by (source, destination, protocol, identification)
 * (RFC 791 §2.3) and holds the payload at its offset in a static buffer
 * of CONFIG_IPV4_REASM_MAX bytes. Which bytes have arrived is tracked in a
 * bitmap of 8-byte fragment units, not with RFC 815's hole descriptors
 * written into the buffer: with overlaps refused (below) a bitmap answers
 * "is this range new, old or mixed?" directly, and it cannot be corrupted
 * by the data it describes. Completion is "the last fragment has arrived
 * and the byte count equals its end", exact because no byte is counted
 * twice.
 *
 * Rules, each a counted drop:
 *   - a fragment with no payload, a non-last fragment whose length is not
 *     a multiple of 8, or one that would end past 65535 bytes: FRAG_BAD;
 *   - one ending past CONFIG_IPV4_REASM_MAX: FRAG_TOO_BIG, and the whole
 *     datagram is given up;
 *   - one whose every unit has arrived already: FRAG_DUPLICATE (dropped,
 *     the datagram kept - retransmitted duplicates are harmless);
 *   - one that covers some arrived units but not all: FRAG_OVERLAP, the
 *     whole datagram discarded. Overlaps are never produced by a correct
 *     sender and are the tool of evasion attacks; RFC 5722 §4 makes this
 *     the rule for IPv6 and the same reasoning holds here;
 *   - a last fragment disagreeing with an earlier one on the total
 *     length, or data past a known end: FRAG_BAD, the datagram discarded.
 *
 * A datagram has CONFIG_IPV4_REASM_TIMEOUT_MS from its first fragment
 * (RFC 1122 §3.3.2 asks for 60-120 s "upper bound"; the value is the
 * image's choice). When every slot is busy the oldest is evicted
 * (FRAG_EVICTED), so a flood of fragments that never complete ties up
 * reassembly only while it lasts.
 *
 * Left out: the TTL-driven timer of RFC 791 (a fixed timeout is simpler
 * and RFC 1122 §3.3.2 allows it); reassembly of datagrams larger than
 * CONFIG_IPV4_REASM_MAX.
 */
#include "ipv4_reasm.h"

#include <string.h>

#include <net/net.h>

#include "net_config.h"
#include "stats_internal.h"

#define IPV4_REASM_UNITS     (CONFIG_IPV4_REASM_MAX / IPV4_FRAG_UNIT)
#define IPV4_REASM_MAP_BYTES ((IPV4_REASM_UNITS + 7) / 8)

struct ipv4_reasm_slot {
	bool in_use;
	bool lent; /* handed up, awaiting ipv4_reasm_release() */
	bool has_last;
	bool l2_broadcast;
	uint8_t proto;
	uint16_t id;
	uint32_t src;
	uint32_t dst;
	uint64_t start_ms; /* arrival of the first fragment seen */
	size_t total;	   /* payload length, once has_last */
	size_t max_end;	   /* highest fragment end seen */
	size_t received;   /* payload bytes stored */
	size_t hdr_len;	   /* 0 until the offset-0 fragment arrives */
	size_t first_len;  /* payload bytes of the offset-0 fragment */
	uint8_t hdr[IPV4_HDR_MAX];
	uint8_t map[IPV4_REASM_MAP_BYTES];
	uint8_t buf[CONFIG_IPV4_REASM_MAX];
};

static struct ipv4_reasm_slot ipv4_reasm_slots[CONFIG_IPV4_REASM_SLOTS];

void ipv4_reasm_init(void)
{
	for (int i = 0; i < CONFIG_IPV4_REASM_SLOTS; i++) {
		ipv4_reasm_slots[i].in_use = false;
		ipv4_reasm_slots[i].lent = false;
	}
}

static void ipv4_reasm_free(struct ipv4_reasm_slot *s)
{
	s->in_use = false;
	s->lent = false;
}

/* Per-fragment checks that need no slot. NET_OK or a counted drop. */
static int ipv4_reasm_check_fragment(const struct ipv4_hdr *h, size_t len)
{
	size_t end = (size_t)h->frag_off + len;

	/* RFC 791 §3.2: every fragment but the last carries a multiple of
	 * 8 bytes; an empty fragment adds nothing and is refused. */
	if (len == 0 || (h->mf && len % IPV4_FRAG_UNIT != 0) ||
	    h->hdr_len + end > IPV4_MAX_TOTAL_LEN) {
		NET_STAT_INC(IPV4_FRAG_BAD);
		return NET_EBADMSG;
	}
	if (end > CONFIG_IPV4_REASM_MAX) {
		NET_STAT_INC(IPV4_FRAG_TOO_BIG);
		return NET_EMSGSIZE;
	}
	return NET_OK;
}

static struct ipv4_reasm_slot *ipv4_reasm_find(const struct ipv4_hdr *h)
{
	for (int i = 0; i < CONFIG_IPV4_REASM_SLOTS; i++) {
		struct ipv4_reasm_slot *s = &ipv4_reasm_slots[i];

		if (s->in_use && !s->lent && s->id == h->id &&
		    s->src == h->src && s->dst == h->dst &&
		    s->proto == h->proto)
			return s;
	}
	return NULL;
}

/* A free slot, or the oldest one evicted; NULL only if all are lent. */
static struct ipv4_reasm_slot *ipv4_reasm_claim(void)
{
	struct ipv4_reasm_slot *oldest = NULL;

	for (int i = 0; i < CONFIG_IPV4_REASM_SLOTS; i++) {
		struct ipv4_reasm_slot *s = &ipv4_reasm_slots[i];

		if (!s->in_use)
			return s;
		if (!s->lent && (!oldest || s->start_ms < oldest->start_ms))
			oldest = s;
	}
	if (oldest)
		NET_STAT_INC(IPV4_FRAG_EVICTED);
	return oldest;
}

static struct ipv4_reasm_slot *ipv4_reasm_open(const struct ipv4_hdr *h,
					       uint64_t now_ms)
{
	struct ipv4_reasm_slot *s = ipv4_reasm_claim();

	if (!s)
		return NULL;
	s->in_use = true;
	s->lent = false;
	s->has_last = false;
	s->l2_broadcast = false;
	s->proto = h->proto;
	s->id = h->id;
	s->src = h->src;
	s->dst = h->dst;
	s->start_ms = now_ms;
	s->total = 0;
	s->max_end = 0;
	s->received = 0;
	s->hdr_len = 0;
	s->first_len = 0;
	memset(s->map, 0, sizeof(s->map));
	return s;
}

/*
 * Whether [off, end) agrees with what is known of the datagram's length:
 * one end only (RFC 791 §3.2), and no data past it.
 */
static bool ipv4_reasm_is_consistent(const struct ipv4_reasm_slot *s,
				     size_t end, bool more)
{
	if (more)
		return !s->has_last || end <= s->total;
	if (s->has_last)
		return end == s->total;
	return end >= s->max_end;
}

static bool ipv4_reasm_unit_is_set(const struct ipv4_reasm_slot *s, size_t unit)
{
	return (s->map[unit / 8] >> (unit % 8) & 1) != 0;
}

/* How many of the units [first, end) have arrived already. */
static size_t ipv4_reasm_count_units(const struct ipv4_reasm_slot *s,
				     size_t first, size_t end)
{
	size_t n = 0;

	for (size_t u = first; u < end; u++)
		n += ipv4_reasm_unit_is_set(s, u);
	return n;
}

static void ipv4_reasm_mark_units(struct ipv4_reasm_slot *s, size_t first,
				  size_t end)
{
	for (size_t u = first; u < end; u++)
		s->map[u / 8] |= (uint8_t)(1u << (u % 8));
}

/*
 * Decide on a fragment [off, off + len) against the slot: NET_OK when it is
 * new data, else a counted drop (the slot is freed when the datagram as a
 * whole is now known to be bad).
 */
static int ipv4_reasm_check_range(struct ipv4_reasm_slot *s, size_t off,
				  size_t len, bool more)
{
	size_t first = off / IPV4_FRAG_UNIT;
	size_t end = (off + len + IPV4_FRAG_UNIT - 1) / IPV4_FRAG_UNIT;
	size_t seen;

	if (!ipv4_reasm_is_consistent(s, off + len, more)) {
		NET_STAT_INC(IPV4_FRAG_BAD);
		ipv4_reasm_free(s);
		return NET_EBADMSG;
	}
	seen = ipv4_reasm_count_units(s, first, end);
	if (seen == end - first) {
		NET_STAT_INC(IPV4_FRAG_DUPLICATE);
		return NET_EBADMSG;
	}
	if (seen != 0) {
		/* RFC 5722 §4's rule, applied to IPv4: see the top. */
		NET_STAT_INC(IPV4_FRAG_OVERLAP);
		ipv4_reasm_free(s);
		return NET_EBADMSG;
	}
	return NET_OK;
}

static void ipv4_reasm_store(struct ipv4_reasm_slot *s,
			     const struct ipv4_hdr *h, const uint8_t *raw,
			     const uint8_t *payload, size_t len)
{
	size_t off = h->frag_off;

	memcpy(s->buf + off, payload, len);
	ipv4_reasm_mark_units(s, off / IPV4_FRAG_UNIT,
			      (off + len + IPV4_FRAG_UNIT - 1) /
				  IPV4_FRAG_UNIT);
	s->received += len;
	if (off + len > s->max_end)
		s->max_end = off + len;
	if (!h->mf) {
		s->has_last = true;
		s->total = off + len;
	}
	if (off == 0) {
		/* Kept for ICMP quoting and the upper layer (ipv4_rx.hdr). */
		memcpy(s->hdr, raw, h->hdr_len);
		s->hdr_len = h->hdr_len;
		s->first_len = len;
	}
}

static void ipv4_reasm_fill_view(struct ipv4_reasm_slot *s,
				 struct ipv4_reasm_view *out, size_t len)
{
	out->slot = (int)(s - ipv4_reasm_slots);
	out->src = s->src;
	out->dst = s->dst;
	out->proto = s->proto;
	out->l2_broadcast = s->l2_broadcast;
	out->hdr = s->hdr;
	out->hdr_len = s->hdr_len;
	out->data = s->buf;
	out->len = len;
}

/* Drop the slot of a datagram that is too big, if one exists. */
static void ipv4_reasm_give_up(const struct ipv4_hdr *h)
{
	struct ipv4_reasm_slot *s = ipv4_reasm_find(h);

	if (s)
		ipv4_reasm_free(s);
}

int ipv4_reasm_input(const struct ipv4_hdr *h, const uint8_t *raw,
		     const uint8_t *payload, bool l2_broadcast, uint64_t now_ms,
		     struct ipv4_reasm_view *out)
{
	size_t len = (size_t)h->total_len - h->hdr_len;
	struct ipv4_reasm_slot *s;
	int err;

	NET_STAT_INC(IPV4_FRAG_RX);
	err = ipv4_reasm_check_fragment(h, len);
	if (err == NET_EMSGSIZE)
		ipv4_reasm_give_up(h);
	if (err != NET_OK)
		return NET_EBADMSG;
	s = ipv4_reasm_find(h);
	if (!s)
		s = ipv4_reasm_open(h, now_ms);
	if (!s)
		return NET_EBADMSG;
	if (ipv4_reasm_check_range(s, h->frag_off, len, h->mf) != NET_OK)
		return NET_EBADMSG;
	ipv4_reasm_store(s, h, raw, payload, len);
	s->l2_broadcast |= l2_broadcast;
	if (!s->has_last || s->received != s->total)
		return NET_EAGAIN;
	NET_STAT_INC(IPV4_FRAG_REASSEMBLED);
	s->lent = true;
	ipv4_reasm_fill_view(s, out, s->total);
	return NET_OK;
}

bool ipv4_reasm_expire(uint64_t now_ms, struct ipv4_reasm_view *out)
{
	for (int i = 0; i < CONFIG_IPV4_REASM_SLOTS; i++) {
		struct ipv4_reasm_slot *s = &ipv4_reasm_slots[i];

		if (!s->in_use || s->lent ||
		    now_ms < s->start_ms + CONFIG_IPV4_REASM_TIMEOUT_MS)
			continue;
		NET_STAT_INC(IPV4_FRAG_TIMEOUT);
		s->lent = true;
		ipv4_reasm_fill_view(s, out, s->first_len);
		return true;
	}
	return false;
}

void ipv4_reasm_release(int slot)
{
	if (slot >= 0 && slot < CONFIG_IPV4_REASM_SLOTS)
		ipv4_reasm_free(&ipv4_reasm_slots[slot]);
}

uint64_t ipv4_reasm_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < CONFIG_IPV4_REASM_SLOTS; i++) {
		const struct ipv4_reasm_slot *s = &ipv4_reasm_slots[i];
		uint64_t at = s->start_ms + CONFIG_IPV4_REASM_TIMEOUT_MS;

		if (s->in_use && !s->lent && at < next)
			next = at;
	}
	return next;
}
