/*
 * arp.c - ARP for IPv4 over Ethernet: the neighbour cache, the queue of
 * frames waiting for an address to resolve, and answers to requests for
 * our address (interface in arp.h).
 *
 * Interface. eth_tx_ipv4() asks arp_resolve() for a next hop's MAC; on
 * NET_EAGAIN it parks the frame with arp_queue_frame(), which sends it once
 * the address resolves. eth_input() hands every ARP packet to arp_input().
 * net_set_ipv4() calls arp_flush() and arp_announce(); net_poll() calls
 * arp_poll(), and net_next_deadline() includes arp_next_deadline().
 *
 * Cache entries (CONFIG_ARP_ENTRIES of them) move between five states; each
 * non-free entry has one timer, `deadline`:
 *
 *   FREE        an unused slot.
 *   INCOMPLETE  a resolution is under way, no MAC yet; frames for its IP
 *               wait in the queue. `tries` broadcast requests were sent, one
 *               per CONFIG_ARP_REQUEST_INTERVAL_MS; the next is due at
 *               `deadline`. When the CONFIG_ARP_RETRIES-th goes unanswered
 *               for an interval: FAILED, the queued frames dropped.
 *   REACHABLE   the MAC was confirmed at `confirmed` and is trusted until
 *               `deadline` = confirmed + CONFIG_ARP_TTL_MS. Then, if
 *               arp_resolve() used the entry since that confirmation: STALE;
 *               otherwise the entry is simply freed (no traffic for hosts
 *               we no longer talk to, e.g. ones that only ARPed us).
 *   STALE       expired but still in use: arp_resolve() keeps returning the
 *               old MAC while up to CONFIG_ARP_RETRIES requests, one per
 *               interval, are sent unicast to that MAC (RFC 1122 §2.3.2.1,
 *               "unicast poll"). A reply makes it REACHABLE again; silence
 *               after the last request for an interval frees it.
 *   FAILED      the negative cache: for ARP_FAILED_HOLD_MS after failing,
 *               arp_resolve() answers NET_EHOSTUNREACH and sends nothing,
 *               so a dead next hop costs at most CONFIG_ARP_RETRIES
 *               requests per (retries + 5) intervals. Then FREE.
 *
 * Requests are never transmitted from inside arp_resolve(): its caller,
 * eth_tx_ipv4(), holds the driver's transmit buffer with a half-built frame
 * in it, and the device lends that same buffer again until it is submitted
 * (netdev.h). A new INCOMPLETE entry is due at once; its first request
 * leaves from arp_queue_frame() after the frame has been copied out, or from
 * the next arp_poll(), which arp_next_deadline() then asks for at once.
 *
 * Anti-poisoning. A mapping is created or changed only by (a) a reply aimed
 * at our address from an IP we have a request outstanding for (INCOMPLETE
 * or STALE), or (b) a request whose target is our address; (b) may change
 * a confirmed MAC only when it was confirmed CONFIG_ARP_LOCKTIME_MS or more
 * ago (ARP_RX_LOCKED otherwise; the request is still answered). Unsolicited
 * replies and gratuitous ARPs never create or change an entry. The sender
 * must be a unicast host on our subnet whose hardware address is a unicast,
 * non-zero MAC equal to the frame's Ethernet source.
 *
 * Implemented: RFC 826 (packet format and reception, with the merge rule
 * narrowed as above), RFC 1122 §2.3.2.1 (flooding limit: one request per
 * interval per address; aging with unicast re-probe), §2.3.2.2 (frames
 * saved while their address resolves — deviation: one queue shared by all
 * addresses, and when it is full the new frame is refused rather than an
 * older one replaced), RFC 5227 §2.3 (one announcement when the address
 * is set) and answering RFC 5227 §2.1.1 probes (sender IP 0) for our
 * address, so that a host probing for it sees it is taken.
 *
 * Probing (RFC 5227 §2.1.1), for the DHCP client before it takes an
 * address: arp_probe_send() broadcasts a probe (sender IP 0, target the
 * address); from arp_probe_watch(ip) until arp_probe_watch(0), any ARP
 * packet from another host with `ip` as its sender address, or probing for
 * `ip` itself, sets the flag arp_probe_has_conflict() reports and is
 * counted ARP_RX_PROBE_CONFLICT. Such packets are checked first, even
 * while the interface has no address, and go no further: they never touch
 * the cache. The sender's hardware address must pass the same checks as
 * everywhere (our own frames never come back: eth.c drops them).
 *
 * Deliberately left out: RFC 5227 address conflict detection and defence
 * for our own address (a conflict is only counted, ARP_RX_ADDR_CONFLICT),
 * the second announcement, proxy ARP, RARP / InARP, and updating entries
 * from requests not aimed at us (RFC 826's merge) — the poisoning vector.
 */
#include "arp.h"

#include <stdbool.h>
#include <string.h>

#include <net/net.h>

#include "arp_wire.h"
#include "eth.h"
#include "eth_wire.h"
#include "iface.h"
#include "net_config.h"
#include "stats_internal.h"

/* The largest frame the queue keeps: an MTU-sized packet and its header. */
#define ARP_FRAME_MAX (CONFIG_NET_MTU + ETH_HDR_LEN)

enum arp_state {
	ARP_STATE_FREE = 0,
	ARP_STATE_INCOMPLETE,
	ARP_STATE_REACHABLE,
	ARP_STATE_STALE,
	ARP_STATE_FAILED,
};

struct arp_entry {
	enum arp_state state;
	uint32_t ip;
	uint8_t mac[ETH_ADDR_LEN]; /* REACHABLE and STALE only */
	bool used;		   /* resolved by us since confirmed */
	unsigned tries;		   /* requests sent, INCOMPLETE/STALE */
	uint64_t deadline;	   /* this entry's next timer event */
	uint64_t confirmed;	   /* when the MAC was last confirmed */
	uint64_t last_used;	   /* for least-recently-used reuse */
};

struct arp_queued {
	bool busy;
	uint32_t ip;
	uint64_t seq; /* arrival order */
	size_t len;
	uint8_t frame[ARP_FRAME_MAX];
};

static struct arp_entry arp_cache[CONFIG_ARP_ENTRIES];
static struct arp_queued arp_queue[CONFIG_ARP_QUEUE];
static uint64_t arp_queue_seq;

/* The address being probed (0: none) and whether someone has it. */
static uint32_t arp_probe_ip;
static bool arp_probe_conflict;

static const uint8_t arp_mac_zero[ETH_ADDR_LEN];

/* ---- the queue of frames awaiting resolution ------------------------- */

static int arp_queue_put(uint32_t ip, const uint8_t *frame, size_t len)
{
	for (unsigned i = 0; i < CONFIG_ARP_QUEUE; i++) {
		struct arp_queued *q = &arp_queue[i];

		if (q->busy)
			continue;
		q->busy = true;
		q->ip = ip;
		q->seq = arp_queue_seq++;
		q->len = len;
		memcpy(q->frame, frame, len);
		return NET_OK;
	}
	NET_STAT_INC(ARP_QUEUE_FULL);
	return NET_ENOBUFS;
}

/* The oldest frame waiting for `ip`, or NULL. */
static struct arp_queued *arp_queue_oldest(uint32_t ip)
{
	struct arp_queued *best = NULL;

	for (unsigned i = 0; i < CONFIG_ARP_QUEUE; i++) {
		struct arp_queued *q = &arp_queue[i];

		if (q->busy && q->ip == ip && (!best || q->seq < best->seq))
			best = q;
	}
	return best;
}

/* Send every frame waiting for `ip` to `mac`, oldest first. */
static void arp_queue_flush(uint32_t ip, const uint8_t mac[ETH_ADDR_LEN])
{
	struct arp_queued *q;

	while ((q = arp_queue_oldest(ip)) != NULL) {
		memcpy(q->frame + ETH_OFF_DST, mac, ETH_ADDR_LEN);
		/* A full ring or a dead link drops the frame; eth counts it. */
		(void)eth_tx_copy(q->frame, q->len);
		q->busy = false;
	}
}

/* Drop the frames waiting for `ip` (every frame when `all`), counted. */
static void arp_queue_drop(uint32_t ip, bool all)
{
	for (unsigned i = 0; i < CONFIG_ARP_QUEUE; i++) {
		struct arp_queued *q = &arp_queue[i];

		if (q->busy && (all || q->ip == ip)) {
			q->busy = false;
			NET_STAT_INC(ARP_QUEUE_UNRESOLVED);
		}
	}
}

/* ---- sending ---------------------------------------------------------- */

/* Build and send one ARP packet from our MAC and sender address `spa`. */
static int arp_send_from(uint32_t spa, uint16_t op,
			 const uint8_t eth_dst[ETH_ADDR_LEN],
			 const uint8_t tha[ETH_ADDR_LEN], uint32_t tpa)
{
	struct arp_pkt a;
	uint8_t *buf;
	size_t cap;

	if (!net_iface.dev)
		return NET_EIO;
	buf = eth_tx_begin(&cap);
	if (!buf)
		return NET_ENOBUFS;
	a.op = op;
	memcpy(a.sha, net_iface.dev->mac, ETH_ADDR_LEN);
	a.spa = spa;
	memcpy(a.tha, tha, ETH_ADDR_LEN);
	a.tpa = tpa;
	return eth_tx_finish(eth_dst, ETH_TYPE_ARP, arp_wire_emit(buf, &a));
}

/* Build and send one ARP packet from our MAC and address. */
static int arp_send(uint16_t op, const uint8_t eth_dst[ETH_ADDR_LEN],
		    const uint8_t tha[ETH_ADDR_LEN], uint32_t tpa)
{
	return arp_send_from(net_iface.addr, op, eth_dst, tha, tpa);
}

/*
 * Send the entry's next request and schedule the one after. The try counts
 * even when the device had no room, so the rate limit holds regardless.
 */
static void arp_entry_request(struct arp_entry *e, uint64_t now_ms)
{
	const uint8_t *dst = eth_addr_broadcast;

	if (e->state == ARP_STATE_STALE)
		dst = e->mac; /* RFC 1122 §2.3.2.1 unicast poll */
	e->tries++;
	e->deadline = now_ms + CONFIG_ARP_REQUEST_INTERVAL_MS;
	/* RFC 826 leaves a request's target hardware address open; zeros,
	 * as RFC 5227 §2.1.1 asks of probes. */
	if (arp_send(ARP_OP_REQUEST, dst, arp_mac_zero, e->ip) == NET_OK)
		NET_STAT_INC(ARP_TX_REQUEST);
}

/* Answer a request (or probe) from `req`: unicast to its sender. */
static void arp_reply(const struct arp_pkt *req)
{
	if (arp_send(ARP_OP_REPLY, req->sha, req->sha, req->spa) == NET_OK)
		NET_STAT_INC(ARP_TX_REPLY);
}

/* ---- the cache --------------------------------------------------------- */

static struct arp_entry *arp_find(uint32_t ip)
{
	for (unsigned i = 0; i < CONFIG_ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp_cache[i];

		if (e->state != ARP_STATE_FREE && e->ip == ip)
			return e;
	}
	return NULL;
}

/*
 * A blank entry: a free one, else the least recently used one that is not
 * INCOMPLETE (those have frames and a resolution in flight), else NULL.
 */
static struct arp_entry *arp_alloc(uint32_t ip, uint64_t now_ms)
{
	struct arp_entry *victim = NULL;

	for (unsigned i = 0; i < CONFIG_ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp_cache[i];

		if (e->state == ARP_STATE_FREE) {
			victim = e;
			break;
		}
		if (e->state != ARP_STATE_INCOMPLETE &&
		    (!victim || e->last_used < victim->last_used))
			victim = e;
	}
	if (!victim) {
		NET_STAT_INC(ARP_CACHE_FULL);
		return NULL;
	}
	memset(victim, 0, sizeof(*victim));
	victim->ip = ip;
	victim->last_used = now_ms;
	return victim;
}

/* (Re)start resolving: the first request is due at once. */
static void arp_entry_begin(struct arp_entry *e, uint64_t now_ms)
{
	e->state = ARP_STATE_INCOMPLETE;
	e->tries = 0;
	e->deadline = now_ms;
	e->last_used = now_ms;
}

/* The MAC of `e` is (re)confirmed as `mac`; release its waiting frames. */
static void arp_entry_confirm(struct arp_entry *e, const uint8_t *mac,
			      uint64_t now_ms)
{
	bool was_incomplete = e->state == ARP_STATE_INCOMPLETE;

	memcpy(e->mac, mac, ETH_ADDR_LEN);
	e->state = ARP_STATE_REACHABLE;
	e->tries = 0;
	e->used = false;
	e->confirmed = now_ms;
	e->deadline = now_ms + CONFIG_ARP_TTL_MS;
	if (was_incomplete)
		arp_queue_flush(e->ip, e->mac);
}

static void arp_entry_fail(struct arp_entry *e, uint64_t now_ms)
{
	NET_STAT_INC(ARP_RESOLVE_FAILED);
	arp_queue_drop(e->ip, false);
	e->state = ARP_STATE_FAILED;
	e->deadline = now_ms + ARP_FAILED_HOLD_MS;
}

/* The TTL ran out: re-confirm an entry in use, forget an idle one. */
static void arp_entry_expire(struct arp_entry *e, uint64_t now_ms)
{
	if (!e->used) {
		e->state = ARP_STATE_FREE;
		return;
	}
	e->state = ARP_STATE_STALE;
	e->tries = 0;
	e->deadline = now_ms;
}

/* Run the timer event of `e`, which is due. */
static void arp_entry_timer(struct arp_entry *e, uint64_t now_ms)
{
	switch (e->state) {
	case ARP_STATE_INCOMPLETE:
		if (e->tries < CONFIG_ARP_RETRIES)
			arp_entry_request(e, now_ms);
		else
			arp_entry_fail(e, now_ms);
		break;
	case ARP_STATE_REACHABLE:
		arp_entry_expire(e, now_ms);
		break;
	case ARP_STATE_STALE:
		if (e->tries < CONFIG_ARP_RETRIES)
			arp_entry_request(e, now_ms);
		else
			e->state = ARP_STATE_FREE;
		break;
	case ARP_STATE_FAILED:
	case ARP_STATE_FREE:
		e->state = ARP_STATE_FREE;
		break;
	}
}

/* ---- public interface ------------------------------------------------- */

void arp_init(void)
{
	memset(arp_cache, 0, sizeof(arp_cache));
	memset(arp_queue, 0, sizeof(arp_queue));
	arp_queue_seq = 0;
	arp_probe_ip = 0;
	arp_probe_conflict = false;
}

void arp_flush(void)
{
	arp_queue_drop(0, true);
	memset(arp_cache, 0, sizeof(arp_cache));
}

/* NET_OK when `ip` is a neighbour we may resolve. */
static int arp_check_target(uint32_t ip)
{
	if (net_iface.addr == 0)
		return NET_ENETUNREACH;
	if (ip == net_iface.addr || !iface_is_unicast(&net_iface, ip) ||
	    !iface_is_on_link(&net_iface, ip))
		return NET_EINVAL;
	return NET_OK;
}

int arp_resolve(uint32_t ip, uint8_t mac[6], uint64_t now_ms)
{
	int err = arp_check_target(ip);
	struct arp_entry *e;

	if (err != NET_OK)
		return err;
	e = arp_find(ip);
	if (!e) {
		e = arp_alloc(ip, now_ms);
		if (!e)
			return NET_ENOBUFS;
		arp_entry_begin(e, now_ms);
		return NET_EAGAIN;
	}
	switch (e->state) {
	case ARP_STATE_REACHABLE:
	case ARP_STATE_STALE:
		memcpy(mac, e->mac, ETH_ADDR_LEN);
		e->used = true;
		e->last_used = now_ms;
		return NET_OK;
	case ARP_STATE_FAILED:
		if (now_ms < e->deadline)
			return NET_EHOSTUNREACH;
		arp_entry_begin(e, now_ms); /* the hold is over: try again */
		return NET_EAGAIN;
	default:
		return NET_EAGAIN;
	}
}

int arp_queue_frame(uint32_t ip, const uint8_t *frame, size_t len,
		    uint64_t now_ms)
{
	uint8_t mac[ETH_ADDR_LEN];
	struct arp_entry *e;
	int found, err;

	if (len < ETH_HDR_LEN || len > ARP_FRAME_MAX)
		return NET_EINVAL;
	found = arp_resolve(ip, mac, now_ms);
	if (found != NET_OK && found != NET_EAGAIN)
		return found;
	/* Copy first: `frame` may lie in the transmit buffer that sending
	 * the request below reuses. */
	err = arp_queue_put(ip, frame, len);
	if (found == NET_OK) {
		arp_queue_flush(ip, mac);
		return err;
	}
	e = arp_find(ip);
	if (e && e->deadline <= now_ms && e->tries < CONFIG_ARP_RETRIES)
		arp_entry_request(e, now_ms);
	return err;
}

void arp_announce(uint64_t now_ms)
{
	(void)now_ms;
	if (net_iface.addr == 0)
		return;
	/* RFC 5227 §2.3: a request with our address as sender and target,
	 * broadcast, target hardware address zero. */
	if (arp_send(ARP_OP_REQUEST, eth_addr_broadcast, arp_mac_zero,
		     net_iface.addr) == NET_OK)
		NET_STAT_INC(ARP_TX_ANNOUNCE);
}

void arp_probe_watch(uint32_t ip)
{
	arp_probe_ip = ip;
	arp_probe_conflict = false;
}

int arp_probe_send(uint32_t ip)
{
	int err;

	/* RFC 5227 §2.1.1: broadcast, sender IP 0, target hardware zero. */
	err = arp_send_from(0, ARP_OP_REQUEST, eth_addr_broadcast,
			    arp_mac_zero, ip);
	if (err == NET_OK)
		NET_STAT_INC(ARP_TX_PROBE);
	return err;
}

bool arp_probe_has_conflict(void)
{
	return arp_probe_conflict;
}

void arp_poll(uint64_t now_ms)
{
	for (unsigned i = 0; i < CONFIG_ARP_ENTRIES; i++) {
		struct arp_entry *e = &arp_cache[i];

		/* Each event frees the entry or moves its deadline on, by an
		 * interval at most CONFIG_ARP_RETRIES times: this ends. */
		while (e->state != ARP_STATE_FREE && e->deadline <= now_ms)
			arp_entry_timer(e, now_ms);
	}
}

uint64_t arp_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < CONFIG_ARP_ENTRIES; i++) {
		const struct arp_entry *e = &arp_cache[i];

		if (e->state != ARP_STATE_FREE && e->deadline < next)
			next = e->deadline;
	}
	return next;
}

/* ---- input ------------------------------------------------------------- */

/* RFC 826 merge, narrowed: (b), a request aimed at our address. */
static void arp_learn_from_request(const struct arp_pkt *a, uint64_t now_ms)
{
	struct arp_entry *e = arp_find(a->spa);
	bool has_mac;

	if (!e) {
		e = arp_alloc(a->spa, now_ms);
		if (e)
			arp_entry_confirm(e, a->sha, now_ms);
		return;
	}
	has_mac =
	    e->state == ARP_STATE_REACHABLE || e->state == ARP_STATE_STALE;
	if (has_mac && memcmp(e->mac, a->sha, ETH_ADDR_LEN) != 0 &&
	    now_ms - e->confirmed < CONFIG_ARP_LOCKTIME_MS) {
		NET_STAT_INC(ARP_RX_LOCKED);
		return;
	}
	arp_entry_confirm(e, a->sha, now_ms);
}

static void arp_input_request(const struct arp_pkt *a, uint64_t now_ms)
{
	if (a->tpa != net_iface.addr) {
		/* spa == tpa: a gratuitous ARP (announcement) by another
		 * host; it never updates the cache. */
		if (a->spa == a->tpa)
			NET_STAT_INC(ARP_RX_UNSOLICITED);
		else
			NET_STAT_INC(ARP_RX_NOT_FOR_US);
		return;
	}
	arp_learn_from_request(a, now_ms);
	arp_reply(a);
}

/* (a): only a reply to a request of ours that is still outstanding. */
static void arp_input_reply(const struct arp_pkt *a, uint64_t now_ms)
{
	struct arp_entry *e = arp_find(a->spa);

	if (a->tpa == net_iface.addr && e && e->tries > 0 &&
	    (e->state == ARP_STATE_INCOMPLETE || e->state == ARP_STATE_STALE)) {
		arp_entry_confirm(e, a->sha, now_ms);
		return;
	}
	if (a->tpa == net_iface.addr || a->spa == a->tpa)
		NET_STAT_INC(ARP_RX_UNSOLICITED);
	else
		NET_STAT_INC(ARP_RX_NOT_FOR_US);
}

/* An RFC 5227 §2.1.1 probe (sender IP 0): answered when it is for us. */
static void arp_input_probe(const struct arp_pkt *a)
{
	if (a->tpa == net_iface.addr)
		arp_reply(a);
	else
		NET_STAT_INC(ARP_RX_NOT_FOR_US);
}

/* Whether the sender's hardware address is one a host may really have. */
static bool arp_is_valid_sha(const struct arp_pkt *a, const uint8_t *src_mac)
{
	return !eth_addr_is_multicast(a->sha) && !eth_addr_is_zero(a->sha) &&
	       memcmp(a->sha, src_mac, ETH_ADDR_LEN) == 0;
}

/*
 * RFC 5227 §2.1.1: while probing, another host using the address (as
 * sender, in a request or a reply) or probing for it too is a conflict.
 */
static bool arp_is_probe_conflict(const struct arp_pkt *a,
				  const uint8_t *src_mac)
{
	if (arp_probe_ip == 0 || !arp_is_valid_sha(a, src_mac))
		return false;
	return a->spa == arp_probe_ip ||
	       (a->op == ARP_OP_REQUEST && a->spa == 0 &&
		a->tpa == arp_probe_ip);
}

void arp_input(const uint8_t *pkt, size_t len, const uint8_t src_mac[6],
	       uint64_t now_ms)
{
	struct arp_pkt a;

	NET_STAT_INC(ARP_RX);
	if (arp_wire_parse(pkt, len, &a) != NET_OK) {
		NET_STAT_INC(ARP_RX_MALFORMED);
		return;
	}
	if (arp_is_probe_conflict(&a, src_mac)) {
		NET_STAT_INC(ARP_RX_PROBE_CONFLICT);
		arp_probe_conflict = true;
		return;
	}
	/* Without an address nothing is for us: answer nothing. */
	if (net_iface.addr == 0) {
		NET_STAT_INC(ARP_RX_NOT_FOR_US);
		return;
	}
	if (!arp_is_valid_sha(&a, src_mac)) {
		NET_STAT_INC(ARP_RX_BAD_SENDER);
		return;
	}
	if (a.spa == 0 && a.op == ARP_OP_REQUEST) {
		arp_input_probe(&a);
		return;
	}
	if (a.spa == net_iface.addr) {
		NET_STAT_INC(ARP_RX_ADDR_CONFLICT);
		return;
	}
	if (!iface_is_unicast(&net_iface, a.spa) ||
	    !iface_is_on_link(&net_iface, a.spa)) {
		NET_STAT_INC(ARP_RX_BAD_SENDER);
		return;
	}
	if (a.op == ARP_OP_REQUEST)
		arp_input_request(&a, now_ms);
	else
		arp_input_reply(&a, now_ms);
}
