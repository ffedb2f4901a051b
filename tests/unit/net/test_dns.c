/*
 * test_dns.c - the stub resolver (net/dns.c) against a fake name server.
 *
 * The stack is 10.0.0.2/24 on the fake device with two neighbours already
 * known to ARP: 10.0.0.1 (server S1) and 10.0.0.3 (server S2). Each test
 * starts lookups, reads the queries the stack sent out of the capture
 * (independently of dns_wire.c), answers them with messages built by
 * dns_build.h, and moves a fake clock. What is checked: the query on the
 * wire; every RFC 5452 §9.1 spoof case ignored and counted while the
 * real answer is still accepted; CNAME chains, in and beyond the answer,
 * loops and length limits; NXDOMAIN and NODATA with RFC 2308 negative
 * caching; server errors, referrals, ICMP errors, timeouts with server
 * rotation and backoff, fresh IDs and ports per attempt; the cache and its
 * TTLs; truncated answers; the API's limits and errors.
 *
 * Timing values come from CONFIG_DNS_* (tests/unit/unit.toml), never
 * literals, except DNS_CNAME_MAX (8, net/dns.c).
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/dns.h>
#include <net/net.h>

#include "dns.h"
#include "dns_build.h"
#include "fake_netdev.h"
#include "net_config.h"

#define S1	    FAKE_PEER_IP  /* 10.0.0.1 */
#define S2	    FAKE_PEER2_IP /* 10.0.0.3 */
#define OTHER_IP    0x0a000009u	  /* 10.0.0.9: not a server */
#define T_BOGUS	    0x06060606u	  /* what a spoofer claims */
#define T_REAL	    0x0a010203u	  /* the true answer */
#define T_CNAME_MAX 8
#define T_TIMEOUT   CONFIG_DNS_TIMEOUT_MS

/* A query as the stack sent it. */
struct t_query {
	uint32_t server;
	uint16_t sport;
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t qtype;
	uint16_t qclass;
	char qname[300];
	uint8_t quote[28]; /* its IP header and UDP header, for ICMP */
};

/* What a callback was given. */
struct t_result {
	int calls;
	int status;
	unsigned naddrs;
	uint32_t addrs[NET_DNS_ADDRS_MAX];
	uint32_t ttl;
	char name[300];
};

static uint64_t now;
static struct tmsg tm;
static uint8_t frame[FAKE_FRAME_MAX];
static struct t_result res, res2;

/* ---- helpers -------------------------------------------------------- */

static void t_cb(void *ctx, const struct net_dns_result *r)
{
	struct t_result *t = ctx;

	t->calls++;
	t->status = r->status;
	t->naddrs = r->naddrs;
	memcpy(t->addrs, r->addrs, sizeof(t->addrs));
	t->ttl = r->ttl;
	snprintf(t->name, sizeof(t->name), "%s", r->name ? r->name : "(null)");
}

static int t_resolve(const char *name, struct t_result *r)
{
	return net_dns_resolve(name, t_cb, r, now);
}

static void t_servers(size_t n)
{
	static const uint32_t s[] = {S1, S2};

	net_dns_set_servers(s, n);
}

static void t_setup(void)
{
	now = 1000;
	fake_stack_up_peer(now);
	fake_learn(S2, fake_peer2_mac, now);
	fake_netdev_tx_clear();
	net_stats_reset();
	t_servers(1);
	memset(&res, 0, sizeof(res));
	memset(&res2, 0, sizeof(res2));
}

/* The question name at d + *off (uncompressed, as we send it) as text. */
static bool t_read_qname(const uint8_t *d, size_t len, size_t *off, char *out,
			 size_t cap)
{
	size_t n = 0;

	while (*off < len && d[*off] != 0) {
		size_t l = d[*off];

		if (*off + 1 + l > len || n + l + 2 > cap)
			return false;
		if (n > 0)
			out[n++] = '.';
		memcpy(out + n, d + *off + 1, l);
		n += l;
		*off += 1 + l;
	}
	out[n] = '\0';
	*off += 1;
	return *off + 4 <= len;
}

/* The DNS query in captured frame i, if it is one. */
static bool t_query_at(size_t i, struct t_query *q)
{
	const uint8_t *ip = fake_tx_ipv4(i, 17);
	const uint8_t *u, *d;
	size_t ihl, dlen, off = 12;

	if (!ip)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	u = ip + ihl;
	if (ld_be16(u + 2) != 53 || ld_be16(u + 4) < 8 + 12)
		return false;
	d = u + 8;
	dlen = ld_be16(u + 4) - 8u;
	memcpy(q->quote, ip, 20);
	memcpy(q->quote + 20, u, 8);
	q->server = ld_be32(ip + 16);
	q->sport = ld_be16(u);
	q->id = ld_be16(d);
	q->flags = ld_be16(d + 2);
	q->qdcount = ld_be16(d + 4);
	if (!t_read_qname(d, dlen, &off, q->qname, sizeof(q->qname)))
		return false;
	q->qtype = ld_be16(d + off);
	q->qclass = ld_be16(d + off + 2);
	return true;
}

/* Queries in the capture; the last into *last. */
static int t_queries(struct t_query *last)
{
	struct t_query q;
	int n = 0;

	for (size_t i = 0; i < fake_netdev_tx_count(); i++) {
		if (t_query_at(i, &q)) {
			n++;
			if (last)
				*last = q;
		}
	}
	return n;
}

/* Exactly one query since the last take: into *q; clears the capture. */
static bool t_take(struct t_query *q)
{
	bool one = t_queries(q) == 1;

	fake_netdev_tx_clear();
	return one;
}

/* A checksummed datagram from (src, sport) to our dport, then a poll. */
static void t_send(uint32_t src, uint16_t sport, uint16_t dport,
		   const uint8_t *p, size_t n, bool poll)
{
	static uint8_t u[FAKE_FRAME_MAX];
	struct fake_ip h = {
	    .src = src, .dst = FAKE_IP, .proto = 17, .ttl = 64, .id = 7};
	uint8_t ph[12];
	uint16_t c;

	st_be16(u, sport);
	st_be16(u + 2, dport);
	st_be16(u + 4, (uint16_t)(8 + n));
	st_be16(u + 6, 0);
	memcpy(u + 8, p, n);
	st_be32(ph, src);
	st_be32(ph + 4, FAKE_IP);
	ph[8] = 0;
	ph[9] = 17;
	st_be16(ph + 10, (uint16_t)(8 + n));
	c = fake_csum_fold(fake_csum_add(fake_csum_add(0, ph, 12), u, 8 + n));
	st_be16(u + 6, c ? c : 0xffff);
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &h, u, 8 + n));
	if (poll)
		net_poll(now);
}

/* tm from q's server, port 53, to q's port; polled. */
static void t_reply(const struct t_query *q)
{
	t_send(q->server, 53, q->sport, tm.b, tm.len, true);
}

/* Start the answer to q in tm: its ID, our question, the counts. */
static void t_answer(const struct t_query *q, uint16_t flags, uint16_t an,
		     uint16_t ns)
{
	tm_hdr(&tm, q->id, flags, 1, an, ns, 0);
	tm_question(&tm, q->qname, TM_A, TM_IN);
}

/* Answer q with one A record. */
static void t_reply_a(const struct t_query *q, uint32_t addr, uint32_t ttl)
{
	t_answer(q, TM_RESPONSE, 1, 0);
	tm_rr_a(&tm, q->qname, ttl, addr);
	t_reply(q);
}

static void t_at(uint64_t t)
{
	now = t;
	net_poll(now);
}

/* Resolve `name` against S1 with one A answer at TTL `ttl`. */
static bool t_resolved(const char *name, uint32_t addr, uint32_t ttl,
		       struct t_result *r)
{
	struct t_query q;

	if (t_resolve(name, r) < 0 || !t_take(&q))
		return false;
	t_reply_a(&q, addr, ttl);
	return r->calls == 1 && r->status == NET_OK;
}

/* ---- the query and the plain answer ---------------------------------- */

TEST(sends_one_recursive_a_query_and_takes_the_answer)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	CHECK_EQ(q.server, S1);
	CHECK(q.sport >= 49152);
	CHECK_EQ(q.flags, 0x0100);
	CHECK_EQ(q.qdcount, 1);
	CHECK_STR(q.qname, "a.example");
	CHECK_EQ(q.qtype, 1);
	CHECK_EQ(q.qclass, 1);
	CHECK_EQ(res.calls, 0);
	t_reply_a(&q, T_REAL, 300);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.naddrs, 1);
	CHECK_EQ(res.addrs[0], T_REAL);
	CHECK_EQ(res.ttl, 300);
	CHECK_STR(res.name, "a.example");
	CHECK_EQ(fake_stat(NET_STAT_DNS_TX_QUERY), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_ACCEPTED), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_LOOKUP_OK), 1);
	t_at(now + 10 * T_TIMEOUT);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(t_queries(NULL), 0);
	/* The query's socket was given back. */
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++)
		CHECK(net_udp_open() >= 0);
}

TEST(every_query_has_a_fresh_port_and_id)
{
	uint16_t ports[8], ids[8];
	struct t_query q;

	t_setup();
	for (int i = 0; i < 8; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%d.example", i);
		CHECK(t_resolve(name, &res) >= 0);
		CHECK(t_take(&q));
		ports[i] = q.sport;
		ids[i] = q.id;
		t_answer(&q, TM_RESPONSE | TM_NXDOMAIN, 0, 0);
		t_reply(&q);
		CHECK_EQ(res.calls, i + 1);
		CHECK_EQ(res.status, NET_ENOENT);
	}
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < i; j++) {
			CHECK(ports[i] != ports[j]);
			CHECK(ids[i] != ids[j]);
		}
}

TEST(a_final_dot_and_letter_case_are_kept_apart)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("WWW.Example.", &res) >= 0);
	CHECK(t_take(&q));
	CHECK_STR(q.qname, "WWW.Example");
	/* The server answers in another case (RFC 4343): still ours. */
	tm_hdr(&tm, q.id, TM_RESPONSE, 1, 1, 0, 0);
	tm_question(&tm, "www.EXAMPLE", TM_A, TM_IN);
	tm_rr_a(&tm, "wWw.example", 60, T_REAL);
	t_reply(&q);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.addrs[0], T_REAL);
	CHECK_STR(res.name, "WWW.Example");
}

/* ---- RFC 5452 §9.1: spoofs ignored, the real answer taken --------- */

/* The answer to q with a bogus address, its ID and question as given. */
static void t_forged(const struct t_query *q, uint16_t id, uint16_t flags,
		     const char *qname, uint16_t qtype, uint16_t qclass)
{
	tm_hdr(&tm, id, flags, 1, 1, 0, 0);
	tm_question(&tm, qname, qtype, qclass);
	tm_rr_a(&tm, q->qname, 300, T_BOGUS);
}

TEST(spoofed_answers_are_counted_and_ignored)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	/* Wrong ID, from the server. */
	t_forged(&q, (uint16_t)(q.id ^ 1), TM_RESPONSE, q.qname, 1, 1);
	t_reply(&q);
	/* Right ID from the server's address but another port, and from
	 * another address on port 53. */
	t_forged(&q, q.id, TM_RESPONSE, q.qname, 1, 1);
	t_send(S1, 5353, q.sport, tm.b, tm.len, true);
	t_send(OTHER_IP, 53, q.sport, tm.b, tm.len, true);
	t_send(S2, 53, q.sport, tm.b, tm.len, true);
	/* Right ID and source, another question. */
	t_forged(&q, q.id, TM_RESPONSE, "b.example", 1, 1);
	t_reply(&q);
	t_forged(&q, q.id, TM_RESPONSE, q.qname, TM_AAAA, 1);
	t_reply(&q);
	t_forged(&q, q.id, TM_RESPONSE, q.qname, 1, 3);
	t_reply(&q);
	t_forged(&q, q.id, TM_RESPONSE, q.qname, 1, 1);
	tm_counts(&tm, 0, 0, 0, 0);
	tm.len = 12;
	t_reply(&q);
	/* Not a response; not a standard query. */
	t_forged(&q, q.id, TM_RD, q.qname, 1, 1);
	t_reply(&q);
	t_forged(&q, q.id, TM_RESPONSE | 0x0800, q.qname, 1, 1);
	t_reply(&q);
	CHECK_EQ(res.calls, 0);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_BAD_ID), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_BAD_SOURCE), 3);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_BAD_QUESTION), 4);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_NOT_RESPONSE), 2);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_ACCEPTED), 0);
	CHECK_EQ(t_queries(NULL), 0); /* still waiting, nothing resent */
	t_reply_a(&q, T_REAL, 300);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.naddrs, 1);
	CHECK_EQ(res.addrs[0], T_REAL);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX), 11);
}

TEST(malformed_and_oversized_answers_are_ignored)
{
	static uint8_t big[600];
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 1, 0);
	tm_rr_a(&tm, q.qname, 300, T_BOGUS);
	tm.len -= 1; /* RDATA cut short */
	t_reply(&q);
	tm.len += 2; /* a byte after the last record */
	t_reply(&q);
	t_send(S1, 53, q.sport, tm.b, 11, true); /* no whole header */
	memcpy(big, tm.b, tm.len);
	t_send(S1, 53, q.sport, big, sizeof(big), true);
	/* The A record's RDATA is 5 bytes. */
	t_answer(&q, TM_RESPONSE, 1, 0);
	tm_name(&tm, q.qname);
	tm_rr_fixed(&tm, TM_A, TM_IN, 60, 5);
	tm_u32(&tm, T_BOGUS);
	tm_u8(&tm, 0);
	t_reply(&q);
	CHECK_EQ(res.calls, 0);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_MALFORMED), 4);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_TOO_LONG), 1);
	t_reply_a(&q, T_REAL, 300);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.addrs[0], T_REAL);
}

TEST(a_flood_of_spoofs_delays_but_does_not_lose_the_answer)
{
	struct t_query q;
	int polls = 0;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	for (int i = 0; i < 40; i++) {
		t_forged(&q, (uint16_t)(q.id + 1 + i), TM_RESPONSE, q.qname, 1,
			 1);
		t_send(S1, 53, q.sport, tm.b, tm.len, false);
	}
	t_answer(&q, TM_RESPONSE, 1, 0);
	tm_rr_a(&tm, q.qname, 300, T_REAL);
	t_send(S1, 53, q.sport, tm.b, tm.len, false);
	while (res.calls == 0 && polls < 10) {
		net_poll(now);
		polls++;
	}
	CHECK(polls > 1); /* a budget per poll */
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.addrs[0], T_REAL);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_BAD_ID), 40);
}

TEST(datagrams_left_behind_an_answer_are_counted_late)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 1, 0);
	tm_rr_a(&tm, q.qname, 300, T_REAL);
	t_send(S1, 53, q.sport, tm.b, tm.len, false);
	t_send(S1, 53, q.sport, tm.b, tm.len, false); /* a duplicate */
	net_poll(now);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_ACCEPTED), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_LATE), 1);
}

/* ---- CNAME chains ---------------------------------------------------- */

TEST(follows_a_cname_chain_in_any_order)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 4, 0);
	tm_rr_a(&tm, "c.example", 300, T_REAL);
	tm_rr_cname(&tm, "b.example", 50, "C.example");
	tm_rr_a(&tm, "evil.example", 300, T_BOGUS);
	tm_rr_cname(&tm, "a.example", 100, "b.example");
	t_reply(&q);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.naddrs, 1);
	CHECK_EQ(res.addrs[0], T_REAL);
	CHECK_EQ(res.ttl, 50);
	CHECK_STR(res.name, "a.example");
	CHECK_EQ(fake_stat(NET_STAT_DNS_CNAME_REQUERY), 0);
}

TEST(records_outside_the_chain_and_additional_data_are_not_used)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	tm_hdr(&tm, q.id, TM_RESPONSE, 1, 2, 0, 1);
	tm_question(&tm, q.qname, TM_A, TM_IN);
	tm_rr_cname(&tm, "a.example", 100, "b.example");
	tm_rr_a(&tm, "b.example", 100, T_REAL);
	tm_rr_a(&tm, "a.example", 100, T_BOGUS); /* additional */
	t_reply(&q);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.naddrs, 1);
	CHECK_EQ(res.addrs[0], T_REAL);
}

TEST(a_chain_leaving_the_answer_is_queried_afresh)
{
	struct t_query q1, q2;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q1));
	t_answer(&q1, TM_RESPONSE, 1, 0);
	tm_rr_cname(&tm, "a.example", 30, "elsewhere.test");
	t_reply(&q1);
	CHECK_EQ(res.calls, 0);
	CHECK_EQ(fake_stat(NET_STAT_DNS_CNAME_REQUERY), 1);
	CHECK(t_take(&q2));
	CHECK_STR(q2.qname, "elsewhere.test");
	CHECK_EQ(q2.server, S1);
	CHECK(q2.sport != q1.sport);
	CHECK(q2.id != q1.id);
	/* The first query's socket is gone: a second answer to it is not
	 * even delivered. */
	t_reply_a(&q1, T_BOGUS, 300);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 1);
	/* The first question is not the one asked now. */
	t_answer(&q2, TM_RESPONSE, 1, 0);
	tm.len = 12;
	tm_question(&tm, "a.example", TM_A, TM_IN);
	tm_rr_a(&tm, "elsewhere.test", 300, T_BOGUS);
	t_reply(&q2);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_BAD_QUESTION), 1);
	t_reply_a(&q2, T_REAL, 300);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.addrs[0], T_REAL);
	CHECK_EQ(res.ttl, 30);
	CHECK_STR(res.name, "a.example");
}

TEST(a_cname_loop_fails)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 2, 0);
	tm_rr_cname(&tm, "a.example", 30, "b.example");
	tm_rr_cname(&tm, "b.example", 30, "a.example");
	t_reply(&q);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_DNS_CNAME_TOO_LONG), 1);
	CHECK_EQ(t_queries(NULL), 0);
}

/* Answer q with a chain a.example -> c1 -> ... -> c<n> and an A. */
static void t_chain(const struct t_query *q, int n)
{
	char from[32], to[32];

	t_answer(q, TM_RESPONSE, (uint16_t)(n + 1), 0);
	snprintf(from, sizeof(from), "a.example");
	for (int i = 1; i <= n; i++) {
		snprintf(to, sizeof(to), "c%d.example", i);
		tm_rr_cname(&tm, from, 60, to);
		memcpy(from, to, sizeof(from));
	}
	tm_rr_a(&tm, from, 60, T_REAL);
}

TEST(cname_chains_are_limited)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_chain(&q, T_CNAME_MAX);
	t_reply(&q);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.addrs[0], T_REAL);
	net_dns_flush_cache();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_chain(&q, T_CNAME_MAX + 1);
	t_reply(&q);
	CHECK_EQ(res.calls, 2);
	CHECK_EQ(res.status, NET_EBADMSG);
}

TEST(the_cname_limit_spans_new_queries)
{
	struct t_query q;
	char next[32];

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	for (int i = 0; i <= T_CNAME_MAX; i++) {
		CHECK(t_take(&q));
		snprintf(next, sizeof(next), "hop%d.test", i);
		t_answer(&q, TM_RESPONSE, 1, 0);
		tm_rr_cname(&tm, q.qname, 60, next);
		t_reply(&q);
	}
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_EBADMSG);
	CHECK_EQ(fake_stat(NET_STAT_DNS_CNAME_REQUERY), T_CNAME_MAX);
}

/* ---- negative answers ------------------------------------------------ */

TEST(nxdomain_is_cached_for_the_soa_minimum)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("nx.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE | TM_NXDOMAIN, 0, 1);
	tm_rr_soa(&tm, "example", 600, 60);
	t_reply(&q);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_ENOENT);
	CHECK_EQ(res.naddrs, 0);
	CHECK_EQ(res.ttl, 60);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_NXDOMAIN), 1);
	now += 59000;
	CHECK(t_resolve("NX.example", &res2) >= 0);
	CHECK_EQ(t_queries(NULL), 0);
	CHECK_EQ(res2.calls, 0); /* never from inside net_dns_resolve() */
	net_poll(now);
	CHECK_EQ(res2.calls, 1);
	CHECK_EQ(res2.status, NET_ENOENT);
	CHECK_EQ(res2.ttl, 1);
	CHECK_STR(res2.name, "NX.example");
	CHECK_EQ(fake_stat(NET_STAT_DNS_CACHE_HIT), 1);
	now += 1000;
	CHECK(t_resolve("nx.example", &res2) >= 0);
	CHECK_EQ(t_queries(NULL), 1);
}

TEST(negative_ttls_take_the_smaller_soa_value_and_the_cap)
{
	static const uint32_t cases[][3] = {
	    /* SOA TTL, MINIMUM, expected */
	    {30, 600, 30},
	    {600, 45, 45},
	    {1000000, 1000000, CONFIG_DNS_NEG_TTL_MAX},
	    {0x80000000u, 60, 0},
	};
	struct t_query q;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_setup();
		CHECK(t_resolve("nx.example", &res) >= 0);
		CHECK(t_take(&q));
		t_answer(&q, TM_RESPONSE | TM_NXDOMAIN, 0, 1);
		tm_rr_soa(&tm, "example", cases[i][0], cases[i][1]);
		t_reply(&q);
		CHECK_EQ(res.status, NET_ENOENT);
		CHECK_EQ(res.ttl, cases[i][2]);
	}
}

TEST(negative_answers_without_soa_are_not_cached)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("nx.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE | TM_NXDOMAIN, 0, 0);
	t_reply(&q);
	CHECK_EQ(res.status, NET_ENOENT);
	CHECK_EQ(res.ttl, 0);
	CHECK(t_resolve("nx.example", &res) >= 0);
	CHECK_EQ(t_queries(NULL), 1);
}

TEST(nodata_is_its_own_result)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("v6only.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 0, 1);
	tm_rr_soa(&tm, "example", 300, 120);
	t_reply(&q);
	CHECK_EQ(res.status, NET_ENODATA);
	CHECK_EQ(res.ttl, 120);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_NODATA), 1);
	/* A CNAME to a name without A, with the SOA: NODATA, no new query. */
	CHECK(t_resolve("alias.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 1, 1);
	tm_rr_cname(&tm, "alias.example", 20, "v6only.example");
	tm_rr_soa(&tm, "example", 300, 120);
	t_reply(&q);
	CHECK_EQ(res.calls, 2);
	CHECK_EQ(res.status, NET_ENODATA);
	CHECK_EQ(res.ttl, 20);
	CHECK_EQ(t_queries(NULL), 0);
}

TEST(nxdomain_at_the_end_of_a_chain_is_nxdomain)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("alias.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE | TM_NXDOMAIN, 1, 1);
	tm_rr_cname(&tm, "alias.example", 10, "gone.example");
	tm_rr_soa(&tm, "example", 300, 120);
	t_reply(&q);
	CHECK_EQ(res.status, NET_ENOENT);
	CHECK_EQ(res.ttl, 10);
}

/* ---- server errors, timeouts, rotation -------------------------------- */

TEST(server_errors_and_referrals_move_to_the_next_server)
{
	struct t_query q;

	t_setup();
	t_servers(2);
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	CHECK_EQ(q.server, S1);
	t_answer(&q, TM_RESPONSE | TM_SERVFAIL, 0, 0);
	t_reply(&q);
	CHECK(t_take(&q));
	CHECK_EQ(q.server, S2);
	t_answer(&q, TM_RESPONSE | TM_REFUSED, 0, 0);
	t_reply(&q);
	if (CONFIG_DNS_ATTEMPTS > 2) {
		CHECK(t_take(&q));
		CHECK_EQ(q.server, S1);
		/* A referral: no answer, NS records, no SOA. */
		t_answer(&q, TM_QR | TM_RD, 0, 1);
		tm_rr_ns(&tm, "example", 3600, "ns.example");
		t_reply(&q);
	}
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_ESERVFAIL);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_SERVER_ERROR),
		 CONFIG_DNS_ATTEMPTS > 2 ? 3 : 2);
}

TEST(a_server_error_then_an_answer_from_the_next_server)
{
	struct t_query q;

	t_setup();
	t_servers(2);
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE | TM_SERVFAIL, 0, 0);
	t_reply(&q);
	CHECK(t_take(&q));
	CHECK_EQ(q.server, S2);
	t_reply_a(&q, T_REAL, 60);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.addrs[0], T_REAL);
}

/* Time out every attempt of one lookup over n servers, checking each. */
static void t_time_out_all(size_t nservers)
{
	uint16_t ports[16], ids[16];
	uint64_t start = now, due = now;
	struct t_query q;

	for (int i = 0; i < CONFIG_DNS_ATTEMPTS; i++) {
		uint64_t wait = (uint64_t)T_TIMEOUT << (i / nservers);

		CHECK(t_take(&q));
		CHECK_EQ(q.server, i % nservers ? S2 : S1);
		ports[i] = q.sport;
		ids[i] = q.id;
		for (int j = 0; j < i; j++)
			CHECK(ports[j] != q.sport && ids[j] != q.id);
		due += wait;
		CHECK_EQ(dns_next_deadline(), due);
		t_at(due - 1);
		CHECK_EQ(t_queries(NULL), 0);
		CHECK_EQ(res.calls, 0);
		t_at(due);
	}
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_ETIMEDOUT);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TIMEOUT), CONFIG_DNS_ATTEMPTS);
	CHECK_EQ(fake_stat(NET_STAT_DNS_LOOKUP_FAILED), 1);
	CHECK_EQ(dns_next_deadline(), UINT64_MAX);
	CHECK(now > start);
}

TEST(timeouts_rotate_over_the_servers_and_back_off)
{
	t_setup();
	t_servers(2);
	CHECK(t_resolve("a.example", &res) >= 0);
	t_time_out_all(2);
}

TEST(with_one_server_every_retry_waits_twice_as_long)
{
	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	t_time_out_all(1);
}

TEST(an_answer_to_an_earlier_attempt_is_not_taken)
{
	struct t_query q1, q2;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q1));
	t_at(now + T_TIMEOUT);
	CHECK(t_take(&q2));
	t_reply_a(&q1, T_BOGUS, 300);
	CHECK_EQ(res.calls, 0);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 1);
	/* Nor with the old ID on the new port. */
	q1.sport = q2.sport;
	t_reply_a(&q1, T_BOGUS, 300);
	CHECK_EQ(res.calls, 0);
	t_reply_a(&q2, T_REAL, 300);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.addrs[0], T_REAL);
}

TEST(port_unreachable_moves_on_at_once)
{
	uint8_t icmp[8 + 28];
	struct fake_ip h = {.src = S1, .dst = FAKE_IP, .proto = 1, .ttl = 64};
	struct t_query q;

	t_setup();
	t_servers(2);
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	memcpy(icmp + 8, q.quote, sizeof(q.quote));
	fake_icmp_msg(icmp, 3, 3, 0, sizeof(q.quote));
	fake_netdev_inject(frame,
			   fake_ipv4_frame(frame, &h, icmp, sizeof(icmp)));
	net_poll(now);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_ICMP_ERROR), 1);
	CHECK(t_take(&q));
	CHECK_EQ(q.server, S2);
	t_reply_a(&q, T_REAL, 60);
	CHECK_EQ(res.status, NET_OK);
}

TEST(servers_removed_during_a_lookup_end_it)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	CHECK_EQ(net_dns_set_servers(NULL, 0), NET_OK);
	t_at(now + T_TIMEOUT);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_ENETUNREACH);
	CHECK_EQ(t_resolve("a.example", &res), NET_ENETUNREACH);
}

TEST(servers_removed_before_a_cname_requery_end_it)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK(t_take(&q));
	CHECK_EQ(net_dns_set_servers(NULL, 0), NET_OK);
	t_answer(&q, TM_RESPONSE, 1, 0);
	tm_rr_cname(&tm, "a.example", 30, "elsewhere.test");
	t_reply(&q);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_ENETUNREACH);
	CHECK_EQ(t_queries(NULL), 0);
}

/* ---- the cache and TTLs ---------------------------------------------- */

TEST(cached_answers_come_from_the_next_poll_with_what_is_left)
{
	t_setup();
	CHECK(t_resolved("a.example", T_REAL, 300, &res));
	now += 100000;
	CHECK(t_resolve("a.example", &res2) >= 0);
	CHECK_EQ(t_queries(NULL), 0);
	CHECK_EQ(res2.calls, 0);
	CHECK_EQ(dns_next_deadline(), 0);
	net_poll(now);
	CHECK_EQ(res2.calls, 1);
	CHECK_EQ(res2.status, NET_OK);
	CHECK_EQ(res2.addrs[0], T_REAL);
	CHECK_EQ(res2.ttl, 200);
	now += 200000;
	CHECK(t_resolve("a.example", &res2) >= 0);
	CHECK_EQ(t_queries(NULL), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_CACHE_HIT), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_CACHE_MISS), 2);
}

TEST(ttl_zero_is_not_cached_and_long_ttls_are_capped)
{
	t_setup();
	CHECK(t_resolved("zero.example", T_REAL, 0, &res));
	CHECK_EQ(res.ttl, 0);
	CHECK(t_resolve("zero.example", &res) >= 0);
	CHECK_EQ(t_queries(NULL), 1);
	t_setup();
	CHECK(t_resolved("long.example", T_REAL, 0x7fffffffu, &res));
	CHECK_EQ(res.ttl, CONFIG_DNS_MAX_TTL);
	CHECK(t_resolved("neg.example", T_REAL, 0x80000000u, &res2));
	CHECK_EQ(res2.ttl, 0);
}

TEST(keeps_the_first_four_addresses)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("multi.example", &res) >= 0);
	CHECK(t_take(&q));
	t_answer(&q, TM_RESPONSE, 6, 0);
	for (uint32_t i = 1; i <= 6; i++)
		tm_rr_a(&tm, q.qname, 60 + i, 0x0a000100u + i);
	t_reply(&q);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.naddrs, NET_DNS_ADDRS_MAX);
	for (uint32_t i = 0; i < NET_DNS_ADDRS_MAX; i++)
		CHECK_EQ(res.addrs[i], 0x0a000101u + i);
	CHECK_EQ(res.ttl, 61);
}

TEST(a_full_cache_drops_the_entry_nearest_expiry)
{
	char name[32];

	t_setup();
	for (int i = 0; i <= CONFIG_DNS_CACHE; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		/* n1 lives shortest; n0 longest. */
		CHECK(t_resolved(name, T_REAL, i == 0 ? 5000 : 100 + i, &res));
		res.calls = 0;
	}
	CHECK_EQ(fake_stat(NET_STAT_DNS_CACHE_EVICTED), 1);
	CHECK(t_resolve("n1.example", &res) >= 0);
	CHECK_EQ(t_queries(NULL), 1);
	fake_netdev_tx_clear();
	CHECK(t_resolve("n0.example", &res2) >= 0);
	CHECK(t_resolve("n2.example", &res2) >= 0);
	CHECK_EQ(t_queries(NULL), 0);
}

/* ---- truncated answers and TCP ---------------------------------------- */

/* A TCP segment the stack sent to port 53. */
struct t_seg_out {
	uint32_t dst;
	uint16_t sport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *data;
	size_t len;
};

static bool t_tcp_at(size_t i, struct t_seg_out *o)
{
	const uint8_t *ip = fake_tx_ipv4(i, 6);
	const uint8_t *t;
	size_t ihl, doff;

	if (!ip)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	t = ip + ihl;
	doff = (size_t)(t[12] >> 4) * 4;
	if (ld_be16(t + 2) != 53)
		return false;
	o->dst = ld_be32(ip + 16);
	o->sport = ld_be16(t);
	o->seq = ld_be32(t + 4);
	o->ack = ld_be32(t + 8);
	o->flags = t[13];
	o->data = t + doff;
	o->len = ld_be16(ip + 2) - ihl - doff;
	return true;
}

/* The first captured segment to port 53 with any of `flags` (or data). */
static bool t_tcp_find(uint8_t flags, bool with_data, struct t_seg_out *o)
{
	for (size_t i = 0; i < fake_netdev_tx_count(); i++)
		if (t_tcp_at(i, o) &&
		    ((o->flags & flags) || (with_data && o->len > 0)))
			return true;
	return false;
}

/* A segment from (server, 53) to our port, with data; polled. */
static void t_tcp_send(uint32_t server, uint16_t dport, uint32_t seq,
		       uint32_t ack, uint8_t flags, const uint8_t *data,
		       size_t len)
{
	static uint8_t seg[FAKE_FRAME_MAX];
	struct fake_ip h = {
	    .src = server, .dst = FAKE_IP, .proto = 6, .ttl = 64, .id = 9};
	uint8_t ph[12];

	memset(seg, 0, 20);
	st_be16(seg, 53);
	st_be16(seg + 2, dport);
	st_be32(seg + 4, seq);
	st_be32(seg + 8, ack);
	seg[12] = 5 << 4;
	seg[13] = flags;
	st_be16(seg + 14, 65535);
	if (len)
		memcpy(seg + 20, data, len);
	st_be32(ph, server);
	st_be32(ph + 4, FAKE_IP);
	ph[8] = 0;
	ph[9] = 6;
	st_be16(ph + 10, (uint16_t)(20 + len));
	st_be16(seg + 16, fake_csum_fold(fake_csum_add(fake_csum_add(0, ph, 12),
						       seg, 20 + len)));
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &h, seg, 20 + len));
	net_poll(now);
}

#define T_TCP_SYN 0x02
#define T_TCP_RST 0x04
#define T_TCP_PSH 0x08
#define T_TCP_ACK 0x10
#define T_PISS	  7000u /* the server's ISN */

/* A TC answer to q: the whole answer is the question and the flag. */
static void t_reply_tc(const struct t_query *q)
{
	t_answer(q, TM_RESPONSE | TM_TC, 0, 0);
	t_reply(q);
}

/*
 * Complete the handshake the stack started after a TC answer and read
 * its query: the query's ID and name into *q, our port and next sequence
 * number into *port and *seq.
 */
static bool t_tcp_accept_query(struct t_query *q, uint16_t *port, uint32_t *seq)
{
	struct t_seg_out o;
	size_t off = 12;

	if (!t_tcp_find(T_TCP_SYN, false, &o) || o.dst != S1)
		return false;
	*port = o.sport;
	*seq = o.seq + 1;
	fake_netdev_tx_clear();
	t_tcp_send(S1, *port, T_PISS, *seq, T_TCP_SYN | T_TCP_ACK, NULL, 0);
	net_poll(now);
	if (!t_tcp_find(0, true, &o) || o.len < 2 + 12 ||
	    ld_be16(o.data) != o.len - 2 || o.seq != *seq)
		return false;
	*seq += (uint32_t)o.len;
	q->server = S1;
	q->sport = *port;
	q->id = ld_be16(o.data + 2);
	q->flags = ld_be16(o.data + 4);
	fake_netdev_tx_clear();
	return t_read_qname(o.data + 2, o.len - 2, &off, q->qname,
			    sizeof(q->qname));
}

TEST(a_truncated_answer_is_asked_again_over_tcp)
{
	uint8_t len[2];
	struct t_query q, tq;
	uint32_t seq;
	uint16_t port;

	t_setup();
	CHECK(t_resolve("big.example", &res) >= 0);
	CHECK(t_take(&q));
	/* Cut inside its first record, as RFC 1035 §4.1.1 allows. */
	t_answer(&q, TM_RESPONSE | TM_TC, 3, 0);
	tm_rr_a(&tm, q.qname, 60, T_BOGUS);
	tm.len -= 2;
	t_reply(&q);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_TRUNCATED), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_MALFORMED), 0);
	CHECK_EQ(res.calls, 0);
	CHECK(t_tcp_accept_query(&tq, &port, &seq));
	CHECK_EQ(fake_stat(NET_STAT_DNS_TCP_QUERY), 1);
	CHECK_STR(tq.qname, "big.example");
	CHECK_EQ(tq.flags, 0x0100);
	CHECK(tq.id != q.id);
	/* The answer in three segments: the length split from it. */
	t_answer(&tq, TM_RESPONSE, 6, 0);
	for (uint32_t i = 1; i <= 6; i++)
		tm_rr_a(&tm, tq.qname, 120, 0x0a000200u + i);
	st_be16(len, (uint16_t)tm.len);
	t_tcp_send(S1, port, T_PISS + 1, seq, T_TCP_ACK, len, 1);
	t_tcp_send(S1, port, T_PISS + 2, seq, T_TCP_ACK, len + 1, 1);
	CHECK_EQ(res.calls, 0);
	t_tcp_send(S1, port, T_PISS + 3, seq, T_TCP_ACK | T_TCP_PSH, tm.b,
		   tm.len);
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_OK);
	CHECK_EQ(res.naddrs, NET_DNS_ADDRS_MAX);
	CHECK_EQ(res.addrs[0], 0x0a000201u);
	CHECK_EQ(res.ttl, 120);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TCP_FAILED), 0);
}

TEST(over_tcp_the_id_and_question_must_match_too)
{
	uint8_t msg[TM_MAX + 2];
	struct t_query q, tq;
	uint32_t seq;
	uint16_t port;

	t_setup();
	CHECK(t_resolve("big.example", &res) >= 0);
	CHECK(t_take(&q));
	t_reply_tc(&q);
	CHECK(t_tcp_accept_query(&tq, &port, &seq));
	tq.id ^= 0x5555;
	t_answer(&tq, TM_RESPONSE, 1, 0);
	tm_rr_a(&tm, tq.qname, 60, T_BOGUS);
	st_be16(msg, (uint16_t)tm.len);
	memcpy(msg + 2, tm.b, tm.len);
	t_tcp_send(S1, port, T_PISS + 1, seq, T_TCP_ACK, msg, tm.len + 2);
	CHECK_EQ(fake_stat(NET_STAT_DNS_RX_BAD_ID), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TCP_FAILED), 1);
	CHECK(res.calls == 0 || res.status != NET_OK);
	/* The next attempt goes out over UDP again. */
	if (CONFIG_DNS_ATTEMPTS > 1) {
		CHECK(t_take(&q));
		t_reply_a(&q, T_REAL, 60);
		CHECK_EQ(res.status, NET_OK);
		CHECK_EQ(res.addrs[0], T_REAL);
	}
}

TEST(a_refused_tcp_connection_ends_in_emsgsize)
{
	struct t_seg_out o;
	struct t_query q;

	t_setup();
	CHECK(t_resolve("big.example", &res) >= 0);
	for (int i = 0; i < CONFIG_DNS_ATTEMPTS; i++) {
		CHECK(t_take(&q));
		t_reply_tc(&q);
		CHECK(t_tcp_find(T_TCP_SYN, false, &o));
		t_tcp_send(S1, o.sport, 0, o.seq + 1, T_TCP_RST | T_TCP_ACK,
			   NULL, 0);
		net_poll(now);
	}
	CHECK_EQ(res.calls, 1);
	CHECK_EQ(res.status, NET_EMSGSIZE);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TCP_FAILED), CONFIG_DNS_ATTEMPTS);
}

TEST(a_silent_tcp_server_times_out)
{
	struct t_query q;

	t_setup();
	CHECK(t_resolve("big.example", &res) >= 0);
	CHECK(t_take(&q));
	t_reply_tc(&q);
	fake_netdev_tx_clear();
	CHECK_EQ(dns_next_deadline(), now + 4 * (uint64_t)T_TIMEOUT);
	t_at(now + 4 * (uint64_t)T_TIMEOUT);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TCP_FAILED), 1);
	CHECK_EQ(fake_stat(NET_STAT_DNS_TIMEOUT), 1);
	CHECK_EQ(t_queries(NULL), CONFIG_DNS_ATTEMPTS > 1 ? 1 : 0);
}

/* ---- the API ---------------------------------------------------------- */

TEST(bad_arguments_are_refused)
{
	t_setup();
	CHECK_EQ(net_dns_resolve("a.example", NULL, NULL, now), NET_EINVAL);
	CHECK_EQ(t_resolve(NULL, &res), NET_EINVAL);
	CHECK_EQ(t_resolve("", &res), NET_EINVAL);
	CHECK_EQ(t_resolve("a..example", &res), NET_EINVAL);
	CHECK_EQ(t_resolve("a example", &res), NET_EINVAL);
	CHECK_EQ(t_queries(NULL), 0);
	CHECK_EQ(net_dns_cancel(-1, now), NET_EINVAL);
	CHECK_EQ(net_dns_cancel(CONFIG_DNS_QUERIES, now), NET_EINVAL);
	CHECK_EQ(net_dns_cancel(0, now), NET_EINVAL);
}

TEST(servers_are_checked_and_kept_in_order)
{
	static const uint32_t bad[] = {0,	    0x7f000001u, 0xe0000001u,
				       0xf0000001u, 0xffffffffu, 0x00000001u};
	static const uint32_t five[] = {1 << 24 | 1, 2 << 24 | 1, 3 << 24 | 1,
					4 << 24 | 1, 5 << 24 | 1};
	uint32_t got[8];

	t_setup();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t two[2] = {S2, bad[i]};

		CHECK_EQ(net_dns_set_servers(two, 2), NET_EINVAL);
		CHECK_EQ(net_dns_get_servers(got, 8), 1);
		CHECK_EQ(got[0], S1);
	}
	CHECK_EQ(net_dns_set_servers(NULL, 1), NET_EINVAL);
	CHECK_EQ(net_dns_set_servers(five, 5), NET_OK);
	CHECK_EQ(net_dns_get_servers(got, 2), NET_DNS_SERVERS_MAX);
	CHECK_EQ(got[1], five[1]);
	CHECK_EQ(net_dns_get_servers(got, 8), NET_DNS_SERVERS_MAX);
	CHECK_EQ(got[3], five[3]);
	CHECK_EQ(net_dns_set_servers(NULL, 0), NET_OK);
	CHECK_EQ(net_dns_get_servers(got, 8), 0);
	CHECK_EQ(t_resolve("a.example", &res), NET_ENETUNREACH);
}

TEST(the_image_servers_are_there_after_init)
{
	static const uint32_t want[] = CONFIG_DNS_SERVERS;
	uint32_t got[NET_DNS_SERVERS_MAX];

	t_setup();
	fake_stack_up(now);
	CHECK_EQ(net_dns_get_servers(got, NET_DNS_SERVERS_MAX),
		 CONFIG_DNS_SERVER_COUNT);
	for (int i = 0; i < CONFIG_DNS_SERVER_COUNT; i++)
		CHECK_EQ(got[i], want[i]);
}

TEST(lookups_are_limited_to_their_slots)
{
	static struct t_result rs[CONFIG_DNS_QUERIES];
	struct t_query q;
	char name[32];

	t_setup();
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		CHECK(t_resolve(name, &rs[i]) >= 0);
	}
	CHECK_EQ(t_resolve("one.more", &res), NET_ENOBUFS);
	CHECK_EQ(t_queries(&q), CONFIG_DNS_QUERIES);
	fake_netdev_tx_clear();
	t_reply_a(&q, T_REAL, 60);
	CHECK_EQ(rs[CONFIG_DNS_QUERIES - 1].calls, 1);
	CHECK(t_resolve("one.more", &res) >= 0);
}

TEST(a_cancelled_lookup_calls_nobody)
{
	struct t_query q;
	int h;

	t_setup();
	h = t_resolve("a.example", &res);
	CHECK(h >= 0);
	CHECK(t_take(&q));
	CHECK_EQ(net_dns_cancel(h, now), NET_OK);
	CHECK_EQ(net_dns_cancel(h, now), NET_EINVAL);
	t_reply_a(&q, T_REAL, 60);
	t_at(now + 100 * T_TIMEOUT);
	CHECK_EQ(res.calls, 0);
	CHECK_EQ(t_queries(NULL), 0);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_NO_SOCKET), 1);
}

/* A callback that starts the next lookup from inside net_poll(). */
static void t_chain_cb(void *ctx, const struct net_dns_result *r)
{
	t_cb(ctx, r);
	CHECK(t_resolve("b.example", &res2) >= 0);
}

TEST(a_callback_may_start_another_lookup)
{
	struct t_query q;

	t_setup();
	for (int i = 1; i < CONFIG_DNS_QUERIES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "busy%d.example", i);
		CHECK(t_resolve(name, &res2) >= 0);
	}
	fake_netdev_tx_clear();
	CHECK(net_dns_resolve("a.example", t_chain_cb, &res, now) >= 0);
	CHECK(t_take(&q));
	t_reply_a(&q, T_REAL, 60); /* all slots busy until this frees one */
	CHECK_EQ(res.calls, 1);
	CHECK(t_take(&q));
	CHECK_STR(q.qname, "b.example");
	res2.calls = 0;
	t_reply_a(&q, T_REAL, 60);
	CHECK_EQ(res2.calls, 1);
	CHECK_EQ(res2.status, NET_OK);
}

TEST(the_deadline_is_the_next_timeout)
{
	t_setup();
	CHECK_EQ(dns_next_deadline(), UINT64_MAX);
	CHECK(t_resolve("a.example", &res) >= 0);
	CHECK_EQ(dns_next_deadline(), now + T_TIMEOUT);
	CHECK(net_next_deadline() <= now + T_TIMEOUT);
}
