/*
 * dns.c - the stub resolver: A lookups over UDP (and TCP after a truncated
 * answer) to recursive name servers, with a small cache. The application
 * calls are in <net/dns.h>, the stack's hooks in dns.h; messages are read
 * and written by dns_wire.c.
 *
 * A lookup lives in one of CONFIG_DNS_QUERIES slots:
 *
 *   FREE      unused.
 *   UDP_WAIT  a query for `qname` is out to `server` from socket `sock`
 *             with ID `id`; `deadline_ms` is when the attempt times out.
 *   TCP_WAIT  the same question over a TCP connection to `server`, after
 *             a truncated answer: the query is being written, then the
 *             two-byte length and the answer read (RFC 1035 §4.2.2).
 *   DONE      `result` holds the outcome; the next dns_poll() frees the
 *             slot and calls the callback (a cache hit goes straight here,
 *             so callbacks only ever run from net_poll()).
 *
 * Attempts (RFC 1035 §4.2.1, RFC 1536 §1). Attempt i (counted per qname)
 * goes to server i mod n, from a new UDP socket on a fresh random
 * ephemeral port (udp.c: RFC 6056 §3.3.1) with a fresh random ID
 * (RFC 5452 §4, §9.2): a late answer to an earlier attempt finds its
 * socket closed (dns.rx_late when it was already queued). An attempt
 * waits CONFIG_DNS_TIMEOUT_MS << round, round = i / n, so every server
 * gets the same wait within a round and the wait doubles per round.
 * Timeouts, SERVFAIL / REFUSED / FORMERR / NOTIMP, referrals and ICMP
 * errors move on to the next attempt; after CONFIG_DNS_ATTEMPTS the lookup
 * fails with the reason of the last one. A transmit failure (no socket,
 * no route, ARP queue full) counts dns.tx_failed and is left to the
 * timeout, like a lost datagram.
 *
 * Accepting an answer (RFC 5452 §9.1): it must come from `server`, port
 * 53 (dns.rx_bad_source), fit DNS_UDP_MAX (dns.rx_too_long), carry `id`
 * (dns.rx_bad_id), be a response to a standard query (dns.rx_not_response),
 * parse strictly (dns.rx_malformed) and repeat our one question - name
 * (ASCII case ignored), type A, class IN (dns.rx_bad_question). Anything
 * else is ignored and the attempt keeps waiting for the real answer; up
 * to DNS_RX_BUDGET datagrams are read per lookup and poll.
 *
 * Reading an accepted answer (RFC 1034 §3.6.2, RFC 2308 §2):
 *   - rcode other than NOERROR and NXDOMAIN: server error, next attempt;
 *   - CNAMEs owned by the current name are followed through the answer
 *     section, in any order, at most DNS_CNAME_MAX per lookup (a longer
 *     chain, or a loop, fails with NET_EBADMSG);
 *   - NXDOMAIN: NET_ENOENT (it speaks of the chain's last name);
 *   - A records of class IN owned by the chain's last name: NET_OK with
 *     up to NET_DNS_ADDRS_MAX addresses, in the order received;
 *   - no A record, the chain left the answer and no SOA says "no data":
 *     the chain's last name is queried afresh (dns.cname_requery);
 *   - no A record, no SOA, but NS records in the authority section: a
 *     referral from a server that does not recurse - server error;
 *   - otherwise NODATA: NET_ENODATA.
 * Only records of the chain are used; the additional section is ignored
 * (RFC 5452 §6: no glue or out-of-chain data is trusted).
 *
 * TTLs. An answer lives for the smallest TTL of the CNAMEs and A records
 * it used (RFC 2181 §5.2, §8: a TTL with the top bit set is 0), at most
 * CONFIG_DNS_MAX_TTL seconds. A negative answer lives for the smaller of
 * the authority SOA's TTL and its MINIMUM (RFC 2308 §5), at most
 * CONFIG_DNS_NEG_TTL_MAX, and is not cached without an SOA. TTL 0 is
 * reported and not cached (RFC 1035 §3.2.1).
 *
 * Cache: CONFIG_DNS_CACHE entries keyed by the name the application
 * asked, holding its final result; looked up before any query. A full
 * cache replaces the entry nearest its expiry (dns.cache_evicted).
 *
 * TC (RFC 1035 §4.2.1, RFC 7766 §5): a truncated answer is asked again
 * over TCP to the same server, with a new ID, through <net/tcp.h>. The
 * answer may be up to CONFIG_DNS_TCP_MAX bytes and must arrive within
 * DNS_TCP_TIMEOUT_MS; a TCP failure counts dns.tcp_failed and moves on
 * to the next attempt with NET_EMSGSIZE as the reason.
 *
 * Left out: AAAA and other types, EDNS(0) (RFC 6891), DNSSEC, 0x20 case
 * randomisation, search lists and ndots, reverse lookups, keeping one TCP
 * connection for several queries (RFC 7766 §6.2.1), sharing one query
 * between concurrent lookups of the same name.
 */
#include <net/dns.h>

#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>
#include <net/tcp.h>

#include "dns.h"
#include "dns_wire.h"
#include "net_config.h"
#include "rand.h"
#include "stats_internal.h"

/* CNAMEs followed per lookup, within answers and across new queries. */
#define DNS_CNAME_MAX 8
/* Datagrams read per lookup per poll, so a flood cannot stall the loop. */
#define DNS_RX_BUDGET 16
/* The largest attempt timeout after doubling. */
#define DNS_TIMEOUT_MAX_MS 60000u
/* Time for a TCP retry: connect, send and the whole answer. */
#define DNS_TCP_TIMEOUT_MS (4u * CONFIG_DNS_TIMEOUT_MS)
/* The length prefix of a message over TCP (RFC 1035 §4.2.2). */
#define DNS_TCP_LEN_LEN 2

enum dns_state {
	DNS_STATE_FREE = 0,
	DNS_STATE_UDP_WAIT,
	DNS_STATE_TCP_WAIT,
	DNS_STATE_DONE,
};

struct dns_query {
	enum dns_state state;
	bool sock_is_tcp;
	int sock; /* -1: none */
	uint16_t id;
	uint32_t server;
	uint8_t attempt; /* queries sent for qname so far */
	uint8_t cnames;	 /* CNAMEs followed so far */
	uint64_t deadline_ms;
	uint32_t chain_ttl;    /* smallest TTL of the CNAMEs followed */
	struct dns_name name;  /* asked by the application */
	struct dns_name qname; /* asked of the server now */
	net_dns_callback cb;
	void *ctx;
	struct net_dns_result result;
	/* TCP: tcp_buf holds the query (length first) until it is sent,
	 * then the answer. */
	size_t tcp_out;	     /* bytes of the query */
	size_t tcp_sent;     /* of them sent */
	size_t tcp_len_have; /* bytes of the answer's length read */
	size_t tcp_want;     /* the answer's length, once read */
	size_t tcp_have;     /* bytes of the answer read */
	uint8_t tcp_len[DNS_TCP_LEN_LEN];
	uint8_t tcp_buf[CONFIG_DNS_TCP_MAX];
};

struct dns_cache_entry {
	uint64_t expires_ms; /* 0: free */
	int status;	     /* NET_OK, NET_ENOENT or NET_ENODATA */
	uint8_t naddrs;
	uint32_t addrs[NET_DNS_ADDRS_MAX];
	struct dns_name name;
};

static const uint32_t dns_config_servers[] = CONFIG_DNS_SERVERS;

static struct dns_query dns_queries[CONFIG_DNS_QUERIES];
static struct dns_cache_entry dns_cache[CONFIG_DNS_CACHE];
static uint32_t dns_servers[NET_DNS_SERVERS_MAX];
static size_t dns_nservers;
/* One datagram being read; answers are handled before the next read. */
static uint8_t dns_rx_buf[DNS_UDP_MAX];
/* The result's name for the callback being called. */
static char dns_result_name[NET_DNS_NAME_MAX + 1];

static void dns_send_udp(struct dns_query *q, uint64_t now_ms);

static uint32_t dns_min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- servers ---------------------------------------------------------- */

static bool dns_is_server_addr(uint32_t addr)
{
	uint8_t top = (uint8_t)(addr >> 24);

	/* RFC 1122 §3.2.1.3: this network, loopback; class D and E. */
	return top != 0 && top != 127 && top < 224;
}

int net_dns_set_servers(const uint32_t *addrs, size_t n)
{
	if (n > 0 && !addrs)
		return NET_EINVAL;
	if (n > NET_DNS_SERVERS_MAX)
		n = NET_DNS_SERVERS_MAX;
	for (size_t i = 0; i < n; i++)
		if (!dns_is_server_addr(addrs[i]))
			return NET_EINVAL;
	for (size_t i = 0; i < n; i++)
		dns_servers[i] = addrs[i];
	dns_nservers = n;
	return NET_OK;
}

size_t net_dns_get_servers(uint32_t *addrs, size_t cap)
{
	for (size_t i = 0; i < dns_nservers && i < cap; i++)
		addrs[i] = dns_servers[i];
	return dns_nservers;
}

/* ---- cache ------------------------------------------------------------ */

void net_dns_flush_cache(void)
{
	memset(dns_cache, 0, sizeof(dns_cache));
}

static struct dns_cache_entry *dns_cache_find(const struct dns_name *name,
					      uint64_t now_ms)
{
	for (int i = 0; i < CONFIG_DNS_CACHE; i++) {
		struct dns_cache_entry *e = &dns_cache[i];

		if (e->expires_ms > now_ms && dns_name_equal(&e->name, name))
			return e;
	}
	return NULL;
}

/* The entry for `name`: its own, a free or expired one, or the victim. */
static struct dns_cache_entry *dns_cache_slot(const struct dns_name *name,
					      uint64_t now_ms)
{
	struct dns_cache_entry *victim = &dns_cache[0];

	for (int i = 0; i < CONFIG_DNS_CACHE; i++) {
		struct dns_cache_entry *e = &dns_cache[i];

		if (e->expires_ms > now_ms && dns_name_equal(&e->name, name))
			return e;
		if (victim->expires_ms > now_ms &&
		    e->expires_ms < victim->expires_ms)
			victim = e;
	}
	if (victim->expires_ms > now_ms)
		NET_STAT_INC(DNS_CACHE_EVICTED);
	return victim;
}

static void dns_cache_store(const struct dns_query *q, uint64_t now_ms)
{
	const struct net_dns_result *r = &q->result;
	struct dns_cache_entry *e;

	if (r->ttl == 0)
		return;
	e = dns_cache_slot(&q->name, now_ms);
	e->expires_ms = now_ms + (uint64_t)r->ttl * 1000u;
	e->status = r->status;
	e->naddrs = (uint8_t)r->naddrs;
	memcpy(e->addrs, r->addrs, sizeof(e->addrs));
	e->name = q->name;
}

/* A cached result for q's name into q->result: true on a hit. */
static bool dns_cache_lookup(struct dns_query *q, uint64_t now_ms)
{
	const struct dns_cache_entry *e = dns_cache_find(&q->name, now_ms);

	if (!e) {
		NET_STAT_INC(DNS_CACHE_MISS);
		return false;
	}
	NET_STAT_INC(DNS_CACHE_HIT);
	q->result.status = e->status;
	q->result.naddrs = e->naddrs;
	memcpy(q->result.addrs, e->addrs, sizeof(q->result.addrs));
	q->result.ttl = (uint32_t)((e->expires_ms - now_ms) / 1000u);
	return true;
}

/* ---- slots and sockets ------------------------------------------------ */

/* Give up the lookup's socket; datagrams still queued on it are late. */
static void dns_close_sock(struct dns_query *q, uint64_t now_ms)
{
	int n;

	if (q->sock < 0)
		return;
	if (q->sock_is_tcp) {
		net_tcp_close(q->sock, now_ms);
	} else {
		while ((n = net_udp_recvfrom(q->sock, NULL, 0, NULL, NULL)) !=
			   NET_EAGAIN &&
		       n != NET_EBADF)
			if (n >= 0)
				NET_STAT_INC(DNS_RX_LATE);
		net_udp_close(q->sock);
	}
	q->sock = -1;
	q->sock_is_tcp = false;
}

/* The lookup is over: `status` and q->result go to the next dns_poll(). */
static void dns_finish(struct dns_query *q, int status, uint64_t now_ms)
{
	dns_close_sock(q, now_ms);
	q->result.status = status;
	if (status != NET_OK)
		q->result.naddrs = 0;
	if (status == NET_OK)
		NET_STAT_INC(DNS_LOOKUP_OK);
	else
		NET_STAT_INC(DNS_LOOKUP_FAILED);
	q->state = DNS_STATE_DONE;
	q->deadline_ms = 0;
}

/* Free the slot, then call the callback: it may reuse the slot. */
static void dns_deliver(struct dns_query *q)
{
	struct net_dns_result r = q->result;
	net_dns_callback cb = q->cb;
	void *ctx = q->ctx;

	if (dns_name_to_text(&q->name, dns_result_name,
			     sizeof(dns_result_name)) < 0)
		dns_result_name[0] = '\0'; /* cannot happen: checked names */
	r.name = dns_result_name;
	memset(q, 0, sizeof(*q));
	q->sock = -1;
	cb(ctx, &r);
}

static struct dns_query *dns_query_get(int handle)
{
	if (handle < 0 || handle >= CONFIG_DNS_QUERIES ||
	    dns_queries[handle].state == DNS_STATE_FREE)
		return NULL;
	return &dns_queries[handle];
}

static int dns_query_alloc(void)
{
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++) {
		if (dns_queries[i].state == DNS_STATE_FREE)
			return i;
	}
	return NET_ENOBUFS;
}

/* ---- attempts --------------------------------------------------------- */

/* How long attempt `i` (0-based) waits with n servers. */
static uint64_t dns_timeout_ms(unsigned i, size_t n)
{
	unsigned round = (unsigned)(i / (n ? n : 1));
	uint64_t ms = CONFIG_DNS_TIMEOUT_MS;

	while (round-- > 0 && ms < DNS_TIMEOUT_MAX_MS)
		ms *= 2;
	return ms < DNS_TIMEOUT_MAX_MS ? ms : DNS_TIMEOUT_MAX_MS;
}

/* The attempt failed for `err`: try the next one, or give up. */
static void dns_next_attempt(struct dns_query *q, int err, uint64_t now_ms)
{
	if (q->attempt >= CONFIG_DNS_ATTEMPTS) {
		dns_finish(q, err, now_ms);
		return;
	}
	dns_send_udp(q, now_ms);
}

/* Our query for q->qname with a fresh ID into buf; its length or 0. */
static size_t dns_emit_query(struct dns_query *q, uint8_t *buf, size_t cap)
{
	q->id = (uint16_t)rand_u32();
	return dns_wire_emit_query(buf, cap, q->id, DNS_FLAG_RD, &q->qname,
				   DNS_TYPE_A, DNS_CLASS_IN);
}

/* A new UDP socket on a random ephemeral port for q. */
static int dns_open_udp(struct dns_query *q)
{
	int s = net_udp_open();
	int rc;

	if (s < 0)
		return s;
	rc = net_udp_bind(s, NET_IPV4_ANY, 0);
	if (rc != NET_OK) {
		net_udp_close(s);
		return rc;
	}
	q->sock = s;
	q->sock_is_tcp = false;
	return NET_OK;
}

/* Send the next attempt for q->qname over UDP. */
static void dns_send_udp(struct dns_query *q, uint64_t now_ms)
{
	uint8_t msg[DNS_UDP_MAX];
	size_t len = dns_emit_query(q, msg, sizeof(msg));
	int rc;

	if (dns_nservers == 0) {
		/* net_dns_set_servers() removed them since the last one. */
		dns_finish(q, NET_ENETUNREACH, now_ms);
		return;
	}
	dns_close_sock(q, now_ms);
	q->server = dns_servers[q->attempt % dns_nservers];
	q->deadline_ms = now_ms + dns_timeout_ms(q->attempt, dns_nservers);
	q->attempt++;
	q->state = DNS_STATE_UDP_WAIT;
	/* A name fits: 12 + 255 + 4 bytes are well under 512. */
	rc = len ? dns_open_udp(q) : NET_EMSGSIZE;
	if (rc == NET_OK)
		rc = net_udp_sendto(q->sock, msg, len, q->server, DNS_PORT,
				    now_ms);
	if (rc < 0) {
		NET_STAT_INC(DNS_TX_FAILED);
		return;
	}
	NET_STAT_INC(DNS_TX_QUERY);
}

/* ---- reading an answer ------------------------------------------------ */

/*
 * Whether the `len` bytes at buf answer q's outstanding query (RFC 5452
 * §9.1; the source was checked by the caller). Fills *m; counts a drop.
 */
static bool dns_is_our_answer(const struct dns_query *q, const uint8_t *buf,
			      size_t len, struct dns_msg *m)
{
	struct dns_question qq;
	struct dns_hdr h;
	int rc;

	if (dns_wire_parse_hdr(buf, len, &h) != NET_OK) {
		NET_STAT_INC(DNS_RX_MALFORMED);
		return false;
	}
	if (h.id != q->id) {
		NET_STAT_INC(DNS_RX_BAD_ID);
		return false;
	}
	if (!(h.flags & DNS_FLAG_QR) || (h.flags & DNS_FLAG_OPCODE_MASK)) {
		NET_STAT_INC(DNS_RX_NOT_RESPONSE);
		return false;
	}
	rc = (h.flags & DNS_FLAG_TC) ? dns_wire_parse_head(buf, len, m)
				     : dns_wire_parse_msg(buf, len, m);
	if (rc != NET_OK) {
		NET_STAT_INC(DNS_RX_MALFORMED);
		return false;
	}
	if (h.qdcount != 1 || dns_wire_question(m, &qq) != NET_OK ||
	    qq.type != DNS_TYPE_A || qq.qclass != DNS_CLASS_IN ||
	    !dns_name_equal(&qq.name, &q->qname)) {
		NET_STAT_INC(DNS_RX_BAD_QUESTION);
		return false;
	}
	NET_STAT_INC(DNS_RX_ACCEPTED);
	return true;
}

/* The first answer record of `type` (class IN) owned by `owner`. */
static bool dns_find_rr(const struct dns_msg *m, enum dns_section s,
			uint16_t type, const struct dns_name *owner,
			struct dns_rr *rr)
{
	struct dns_rr_iter it;

	dns_wire_rr_first(m, s, &it);
	while (dns_wire_rr_next(&it, rr)) {
		if (rr->type == type && rr->rclass == DNS_CLASS_IN &&
		    (!owner || dns_name_equal(&rr->name, owner)))
			return true;
	}
	return false;
}

/*
 * Follow the CNAMEs of the answer section from *cur, lowering *ttl:
 * NET_OK with *cur the chain's last name, or NET_EBADMSG when the lookup
 * would follow more than DNS_CNAME_MAX.
 */
static int dns_follow_cnames(struct dns_query *q, const struct dns_msg *m,
			     struct dns_name *cur, uint32_t *ttl)
{
	struct dns_rr rr;

	while (dns_find_rr(m, DNS_SECTION_ANSWER, DNS_TYPE_CNAME, cur, &rr)) {
		if (q->cnames >= DNS_CNAME_MAX)
			return NET_EBADMSG;
		/* The RDATA was checked by dns_wire_parse_msg(). */
		if (dns_wire_rdata_name(m, &rr, cur) != NET_OK)
			return NET_EBADMSG;
		q->cnames++;
		*ttl = dns_min_u32(*ttl, dns_wire_ttl(rr.ttl));
	}
	return NET_OK;
}

/* The A records owned by `owner` into q->result; lowers *ttl. */
static unsigned dns_collect_a(struct dns_query *q, const struct dns_msg *m,
			      const struct dns_name *owner, uint32_t *ttl)
{
	struct net_dns_result *r = &q->result;
	struct dns_rr_iter it;
	struct dns_rr rr;
	uint32_t addr;

	r->naddrs = 0;
	dns_wire_rr_first(m, DNS_SECTION_ANSWER, &it);
	while (dns_wire_rr_next(&it, &rr)) {
		if (rr.type != DNS_TYPE_A || rr.rclass != DNS_CLASS_IN ||
		    !dns_name_equal(&rr.name, owner) ||
		    dns_wire_rdata_a(m, &rr, &addr) != NET_OK)
			continue;
		*ttl = dns_min_u32(*ttl, dns_wire_ttl(rr.ttl));
		if (r->naddrs < NET_DNS_ADDRS_MAX)
			r->addrs[r->naddrs++] = addr;
	}
	return r->naddrs;
}

/* The negative TTL an authority SOA gives (RFC 2308 §5), or 0. */
static uint32_t dns_negative_ttl(const struct dns_msg *m)
{
	struct dns_soa soa;
	struct dns_rr rr;

	if (!dns_find_rr(m, DNS_SECTION_AUTHORITY, DNS_TYPE_SOA, NULL, &rr) ||
	    dns_wire_rdata_soa(m, &rr, &soa) != NET_OK)
		return 0;
	return dns_min_u32(dns_wire_ttl(rr.ttl), dns_wire_ttl(soa.minimum));
}

static bool dns_has_rr(const struct dns_msg *m, enum dns_section s,
		       uint16_t type)
{
	struct dns_rr rr;

	return dns_find_rr(m, s, type, NULL, &rr);
}

/* NXDOMAIN or NODATA: cached for the SOA's negative TTL, if any. */
static void dns_negative(struct dns_query *q, const struct dns_msg *m,
			 uint32_t ttl, int status, uint64_t now_ms)
{
	ttl = dns_min_u32(ttl, dns_negative_ttl(m));
	q->result.ttl = dns_min_u32(ttl, CONFIG_DNS_NEG_TTL_MAX);
	q->result.status = status;
	q->result.naddrs = 0;
	dns_cache_store(q, now_ms);
	dns_finish(q, status, now_ms);
}

static void dns_positive(struct dns_query *q, uint32_t ttl, uint64_t now_ms)
{
	q->result.ttl = dns_min_u32(ttl, CONFIG_DNS_MAX_TTL);
	q->result.status = NET_OK;
	dns_cache_store(q, now_ms);
	dns_finish(q, NET_OK, now_ms);
}

/* The chain left the answer at `cur`: ask for it (RFC 1034 §5.3.3). */
static void dns_requery(struct dns_query *q, const struct dns_name *cur,
			uint32_t ttl, uint64_t now_ms)
{
	NET_STAT_INC(DNS_CNAME_REQUERY);
	q->qname = *cur;
	q->chain_ttl = ttl;
	q->attempt = 0;
	dns_send_udp(q, now_ms);
}

/* An accepted, complete answer: see the top of the file. */
static void dns_answer(struct dns_query *q, const struct dns_msg *m,
		       uint64_t now_ms)
{
	uint16_t rcode = m->hdr.flags & DNS_FLAG_RCODE_MASK;
	struct dns_name cur = q->qname;
	uint32_t ttl = q->chain_ttl;

	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN) {
		NET_STAT_INC(DNS_RX_SERVER_ERROR);
		dns_next_attempt(q, NET_ESERVFAIL, now_ms);
		return;
	}
	if (dns_follow_cnames(q, m, &cur, &ttl) != NET_OK) {
		NET_STAT_INC(DNS_CNAME_TOO_LONG);
		dns_finish(q, NET_EBADMSG, now_ms);
	} else if (rcode == DNS_RCODE_NXDOMAIN) {
		NET_STAT_INC(DNS_RX_NXDOMAIN);
		dns_negative(q, m, ttl, NET_ENOENT, now_ms);
	} else if (dns_collect_a(q, m, &cur, &ttl) > 0) {
		dns_positive(q, ttl, now_ms);
	} else if (!dns_name_equal(&cur, &q->qname) &&
		   !dns_has_rr(m, DNS_SECTION_AUTHORITY, DNS_TYPE_SOA)) {
		dns_requery(q, &cur, ttl, now_ms);
	} else if (!dns_has_rr(m, DNS_SECTION_AUTHORITY, DNS_TYPE_SOA) &&
		   dns_has_rr(m, DNS_SECTION_AUTHORITY, DNS_TYPE_NS)) {
		NET_STAT_INC(DNS_RX_SERVER_ERROR); /* a referral */
		dns_next_attempt(q, NET_ESERVFAIL, now_ms);
	} else {
		NET_STAT_INC(DNS_RX_NODATA);
		dns_negative(q, m, ttl, NET_ENODATA, now_ms);
	}
}

/* ---- TCP after TC ----------------------------------------------------- */

/* The TCP retry failed: the next attempt, over UDP again. */
static void dns_tcp_failed(struct dns_query *q, uint64_t now_ms)
{
	NET_STAT_INC(DNS_TCP_FAILED);
	dns_next_attempt(q, NET_EMSGSIZE, now_ms);
}

/* Ask q's question again over TCP to the same server. */
static void dns_tcp_start(struct dns_query *q, uint64_t now_ms)
{
	size_t len;
	int s, rc;

	dns_close_sock(q, now_ms);
	len = dns_emit_query(q, q->tcp_buf + DNS_TCP_LEN_LEN,
			     sizeof(q->tcp_buf) - DNS_TCP_LEN_LEN);
	st_be16(q->tcp_buf, (uint16_t)len);
	q->tcp_out = len + DNS_TCP_LEN_LEN;
	q->tcp_sent = 0;
	q->tcp_len_have = 0;
	q->tcp_want = 0;
	q->tcp_have = 0;
	q->state = DNS_STATE_TCP_WAIT;
	q->deadline_ms = now_ms + DNS_TCP_TIMEOUT_MS;
	s = net_tcp_open();
	if (s < 0) {
		dns_tcp_failed(q, now_ms);
		return;
	}
	q->sock = s;
	q->sock_is_tcp = true;
	rc = net_tcp_connect(s, q->server, DNS_PORT, now_ms);
	if (rc != NET_OK) {
		dns_tcp_failed(q, now_ms);
		return;
	}
	NET_STAT_INC(DNS_TCP_QUERY);
}

/* Write what is left of the query: NET_OK once sent, NET_EAGAIN, or an
 * error (the connection's, e.g. NET_ECONNREFUSED). */
static int dns_tcp_send(struct dns_query *q, uint64_t now_ms)
{
	while (q->tcp_sent < q->tcp_out) {
		int n = net_tcp_send(q->sock, q->tcp_buf + q->tcp_sent,
				     q->tcp_out - q->tcp_sent, now_ms);

		if (n <= 0)
			return n == 0 ? NET_EAGAIN : n;
		q->tcp_sent += (size_t)n;
	}
	return NET_OK;
}

/*
 * Read into `buf` until `want` bytes are in, counting in *have: NET_OK
 * when complete, NET_EAGAIN, or an error (NET_ECONNRESET for a stream
 * that ended early).
 */
static int dns_tcp_read(struct dns_query *q, uint8_t *buf, size_t want,
			size_t *have, uint64_t now_ms)
{
	while (*have < want) {
		int n =
		    net_tcp_recv(q->sock, buf + *have, want - *have, now_ms);

		if (n == 0)
			return NET_ECONNRESET;
		if (n < 0)
			return n;
		*have += (size_t)n;
	}
	return NET_OK;
}

/* The length, then the answer: NET_OK once all of it is in. */
static int dns_tcp_receive(struct dns_query *q, uint64_t now_ms)
{
	int rc;

	if (q->tcp_len_have < DNS_TCP_LEN_LEN) {
		rc = dns_tcp_read(q, q->tcp_len, DNS_TCP_LEN_LEN,
				  &q->tcp_len_have, now_ms);
		if (rc != NET_OK)
			return rc;
		q->tcp_want = ld_be16(q->tcp_len);
		if (q->tcp_want > sizeof(q->tcp_buf))
			return NET_EMSGSIZE;
	}
	return dns_tcp_read(q, q->tcp_buf, q->tcp_want, &q->tcp_have, now_ms);
}

static void dns_tcp_progress(struct dns_query *q, uint64_t now_ms)
{
	struct dns_msg m;
	int rc = dns_tcp_send(q, now_ms);

	if (rc == NET_OK)
		rc = dns_tcp_receive(q, now_ms);
	if (rc == NET_EAGAIN)
		return;
	if (rc == NET_EMSGSIZE) {
		/* Larger than CONFIG_DNS_TCP_MAX: no server will do better. */
		dns_finish(q, NET_EMSGSIZE, now_ms);
		return;
	}
	/* The connection fixes the source; over TCP a truncated answer is
	 * as useless as a malformed one. */
	if (rc == NET_OK && dns_is_our_answer(q, q->tcp_buf, q->tcp_want, &m) &&
	    !(m.hdr.flags & DNS_FLAG_TC)) {
		dns_answer(q, &m, now_ms);
		return;
	}
	dns_tcp_failed(q, now_ms);
}

/* ---- UDP answers ------------------------------------------------------ */

/* One datagram from (src, sport) for q's attempt. */
static void dns_udp_datagram(struct dns_query *q, size_t len, uint32_t src,
			     uint16_t sport, uint64_t now_ms)
{
	struct dns_msg m;

	NET_STAT_INC(DNS_RX);
	if (src != q->server || sport != DNS_PORT) {
		NET_STAT_INC(DNS_RX_BAD_SOURCE);
		return;
	}
	if (len > sizeof(dns_rx_buf)) {
		NET_STAT_INC(DNS_RX_TOO_LONG);
		return;
	}
	if (!dns_is_our_answer(q, dns_rx_buf, len, &m))
		return;
	if (m.hdr.flags & DNS_FLAG_TC) {
		NET_STAT_INC(DNS_RX_TRUNCATED);
		dns_tcp_start(q, now_ms);
		return;
	}
	dns_answer(q, &m, now_ms);
}

static void dns_udp_receive(struct dns_query *q, uint64_t now_ms)
{
	for (int i = 0; i < DNS_RX_BUDGET && q->state == DNS_STATE_UDP_WAIT;
	     i++) {
		uint32_t src;
		uint16_t sport;
		int n = net_udp_recvfrom(q->sock, dns_rx_buf,
					 sizeof(dns_rx_buf), &src, &sport);

		if (n == NET_ECONNREFUSED || n == NET_EHOSTUNREACH) {
			/* udp.c matched the ICMP error to our query. */
			NET_STAT_INC(DNS_RX_ICMP_ERROR);
			dns_next_attempt(q, n, now_ms);
			return;
		}
		if (n < 0)
			return; /* nothing more, or no socket */
		dns_udp_datagram(q, (size_t)n, src, sport, now_ms);
	}
}

/* ---- the application's calls and the stack's hooks -------------------- */

int net_dns_resolve(const char *name, net_dns_callback cb, void *ctx,
		    uint64_t now_ms)
{
	struct dns_name qn;
	struct dns_query *q;
	int h;

	if (!cb || !name || dns_name_from_text(name, &qn) != NET_OK)
		return NET_EINVAL;
	h = dns_query_alloc();
	if (h < 0)
		return h;
	q = &dns_queries[h];
	memset(q, 0, sizeof(*q));
	q->sock = -1;
	q->name = qn;
	q->qname = qn;
	q->cb = cb;
	q->ctx = ctx;
	q->chain_ttl = CONFIG_DNS_MAX_TTL;
	if (dns_cache_lookup(q, now_ms)) {
		q->state = DNS_STATE_DONE;
		return h;
	}
	if (dns_nservers == 0) {
		q->state = DNS_STATE_FREE;
		return NET_ENETUNREACH;
	}
	dns_send_udp(q, now_ms);
	return h;
}

int net_dns_cancel(int handle, uint64_t now_ms)
{
	struct dns_query *q = dns_query_get(handle);

	if (!q)
		return NET_EINVAL;
	dns_close_sock(q, now_ms);
	memset(q, 0, sizeof(*q));
	q->sock = -1;
	return NET_OK;
}

void dns_init(void)
{
	memset(dns_queries, 0, sizeof(dns_queries));
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++)
		dns_queries[i].sock = -1;
	net_dns_flush_cache();
	dns_nservers = 0;
	if (net_dns_set_servers(dns_config_servers, CONFIG_DNS_SERVER_COUNT) !=
	    NET_OK)
		dns_nservers = 0; /* build.py refuses such an image */
}

static bool dns_is_waiting(const struct dns_query *q)
{
	return q->state == DNS_STATE_UDP_WAIT || q->state == DNS_STATE_TCP_WAIT;
}

void dns_poll(uint64_t now_ms)
{
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++) {
		struct dns_query *q = &dns_queries[i];

		if (q->state == DNS_STATE_UDP_WAIT)
			dns_udp_receive(q, now_ms);
		else if (q->state == DNS_STATE_TCP_WAIT)
			dns_tcp_progress(q, now_ms);
		if (dns_is_waiting(q) && now_ms >= q->deadline_ms) {
			NET_STAT_INC(DNS_TIMEOUT);
			if (q->state == DNS_STATE_TCP_WAIT)
				dns_tcp_failed(q, now_ms);
			else
				dns_next_attempt(q, NET_ETIMEDOUT, now_ms);
		}
		if (q->state == DNS_STATE_DONE)
			dns_deliver(q);
	}
}

uint64_t dns_next_deadline(void)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < CONFIG_DNS_QUERIES; i++) {
		const struct dns_query *q = &dns_queries[i];

		if (q->state == DNS_STATE_DONE)
			return 0;
		if (dns_is_waiting(q) && q->deadline_ms < next)
			next = q->deadline_ms;
	}
	return next;
}
