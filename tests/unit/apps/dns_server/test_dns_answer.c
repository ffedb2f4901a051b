/*
 * test_dns_answer.c - authoritative answers (apps/dns_server/dns_answer.c)
 * and response rate limiting (dns_rrl.c).
 *
 * Queries are built here byte by byte; every response is walked whole by
 * a decompressor of the test's own (pointers backwards only), which checks
 * that the section counts match the records and that the records end
 * exactly at the end of the message, before a case looks at it. The zone
 * is tests/unit/apps/dns_server/test.zone, compiled by keeltest.py.
 */
#include "test.h"

#include <klib/bytes.h>

#include "dns_answer.h"
#include "dns_rrl.h"
#include "dns_test_zone.h"

#define T_A	1
#define T_NS	2
#define T_CNAME 5
#define T_SOA	6
#define T_MX	15
#define T_TXT	16
#define T_AAAA	28
#define T_SRV	33
#define T_OPT	41
#define T_AXFR	252
#define T_ANY	255

#define T_NO_EDNS (-1)
#define T_PAYLOAD 1232

struct t_rr {
	char owner[300];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdoff;
};

static uint8_t t_q[600];
static size_t t_qlen;
static uint8_t t_out[70000];
static size_t t_len;
static struct dns_answer_info t_info;
static struct t_rr t_rrs[64];
static unsigned t_nrr;

/* "www.Test" into wire form at p, case kept; returns its length. */
static size_t t_wire(uint8_t *p, const char *text)
{
	size_t n = 0;

	while (*text) {
		const char *dot = strchr(text, '.');
		size_t l = dot ? (size_t)(dot - text) : strlen(text);

		p[n++] = (uint8_t)l;
		memcpy(p + n, text, l);
		n += l;
		text += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

/* A query: edns < 0 for none, else its payload size. */
static size_t t_query(uint8_t *q, uint16_t flags, const char *name,
		      uint16_t type, int edns, uint8_t version)
{
	size_t n = 12;

	memset(q, 0, 12);
	st_be16(q, 0xbeef);
	st_be16(q + 2, flags);
	st_be16(q + 4, 1);
	n += t_wire(q + n, name);
	st_be16(q + n, type);
	st_be16(q + n + 2, 1);
	n += 4;
	if (edns >= 0) {
		q[n] = 0;
		st_be16(q + n + 1, T_OPT);
		st_be16(q + n + 3, (uint16_t)edns);
		st_be32(q + n + 5, (uint32_t)version << 16);
		st_be16(q + n + 9, 0);
		n += 11;
		st_be16(q + 10, 1);
	}
	return n;
}

/* Decompress the name at *off into text (case kept); false if bad. */
static bool t_name(size_t *off, char *text, size_t cap)
{
	size_t pos = *off, end = 0, tl = 0;
	int hops = 0;

	text[0] = '\0';
	for (;;) {
		uint8_t c;

		if (pos >= t_len)
			return false;
		c = t_out[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= t_len || ++hops > 64)
				return false;
			target = (size_t)(c & 0x3f) << 8 | t_out[pos + 1];
			if (target >= pos)
				return false; /* only backwards */
			if (hops == 1)
				end = pos + 2;
			pos = target;
			continue;
		}
		if (c == 0)
			break;
		if (c > 63 || pos + 1 + c > t_len || tl + c + 2 > cap)
			return false;
		if (tl)
			text[tl++] = '.';
		memcpy(text + tl, t_out + pos + 1, c);
		tl += c;
		text[tl] = '\0';
		pos += 1 + (size_t)c;
	}
	*off = hops ? end : pos + 1;
	return true;
}

/* Walk the response in t_out: every record into t_rrs. */
static bool t_walk(void)
{
	size_t off = 12;
	char q[300];
	unsigned total;

	t_nrr = 0;
	if (t_len < 12)
		return false;
	if (ld_be16(t_out + 4) > 1)
		return false;
	if (ld_be16(t_out + 4) == 1 &&
	    (!t_name(&off, q, sizeof(q)) || (off += 4) > t_len))
		return false;
	total = (unsigned)ld_be16(t_out + 6) + ld_be16(t_out + 8) +
		ld_be16(t_out + 10);
	if (total > 64)
		return false;
	for (unsigned i = 0; i < total; i++) {
		struct t_rr *r = &t_rrs[t_nrr++];

		if (!t_name(&off, r->owner, sizeof(r->owner)) ||
		    t_len - off < 10)
			return false;
		r->type = ld_be16(t_out + off);
		r->rclass = ld_be16(t_out + off + 2);
		r->ttl = ld_be32(t_out + off + 4);
		r->rdlen = ld_be16(t_out + off + 8);
		r->rdoff = off + 10;
		off += 10 + (size_t)r->rdlen;
		if (off > t_len)
			return false;
	}
	return off == t_len;
}

static void t_run(bool tcp)
{
	t_len = dns_answer(&dns_test_zone, t_q, t_qlen, tcp, T_PAYLOAD, t_out,
			   tcp ? 65535 : sizeof(t_out), &t_info);
}

/* Ask, and walk the answer (0 when there was none). */
static size_t t_ask_ex(const char *name, uint16_t type, int edns, bool tcp)
{
	t_qlen = t_query(t_q, 0x0100, name, type, edns, 0);
	t_run(tcp);
	return t_len;
}

static size_t t_ask(const char *name, uint16_t type)
{
	return t_ask_ex(name, type, T_NO_EDNS, false);
}

static unsigned t_rcode(void)
{
	return ld_be16(t_out + 2) & 0xf;
}
static bool t_flag(uint16_t f)
{
	return (ld_be16(t_out + 2) & f) != 0;
}
static unsigned t_count(int i)
{
	return ld_be16(t_out + 4 + 2 * i);
}

/* The name in a record's RDATA at byte `skip`, as text. */
static const char *t_rdname(const struct t_rr *r, size_t skip)
{
	static char text[300];
	size_t off = r->rdoff + skip;

	if (!t_name(&off, text, sizeof(text)))
		return "<bad>";
	return text;
}

#define AA 0x0400
#define TC 0x0200

TEST(exact_answer_keeps_question_case)
{
	CHECK(t_ask("A.Test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK(t_flag(AA));
	CHECK(t_flag(0x8000)); /* QR */
	CHECK(t_flag(0x0100)); /* RD copied */
	CHECK_EQ(ld_be16(t_out), 0xbeef);
	CHECK_EQ(t_count(1), 2);
	CHECK_STR(t_rrs[0].owner, "A.Test");
	CHECK_EQ(t_rrs[0].type, T_A);
	CHECK_EQ(t_rrs[0].ttl, 600);
	CHECK_EQ(t_rrs[0].rdlen, 4);
	CHECK_EQ(ld_be32(t_out + t_rrs[0].rdoff), 0x0a000001);
	CHECK_EQ(ld_be32(t_out + t_rrs[1].rdoff), 0x0a000002);
	/* the owner is a pointer to the question */
	CHECK_EQ(ld_be16(t_out + t_rrs[0].rdoff - 10 - 2), 0xc00c);
	CHECK_EQ(t_info.kind, DNS_ANSWER_OK);
}

TEST(nxdomain_has_soa_with_negative_ttl)
{
	CHECK(t_ask("nope.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 3);
	CHECK(t_flag(AA));
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(t_count(2), 1);
	CHECK_EQ(t_rrs[0].type, T_SOA);
	CHECK_STR(t_rrs[0].owner, "test");
	CHECK_EQ(t_rrs[0].ttl, 60); /* min(600, MINIMUM 60), RFC 2308 §5 */
	CHECK_STR(t_rdname(&t_rrs[0], 0), "ns.test");
	CHECK_EQ(t_info.kind, DNS_ANSWER_NXDOMAIN);
}

TEST(nodata_has_soa)
{
	CHECK(t_ask("a.test", T_AAAA) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK(t_flag(AA));
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(t_count(2), 1);
	CHECK_EQ(t_rrs[0].type, T_SOA);
	CHECK_EQ(t_info.kind, DNS_ANSWER_NODATA);
}

TEST(empty_non_terminal_is_nodata_not_wildcard)
{
	CHECK(t_ask("e.w.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(t_count(2), 1);
	CHECK(!t_info.wildcard);
}

TEST(wildcard_synthesizes_with_qname_as_owner)
{
	CHECK(t_ask("Foo.w.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK(t_flag(AA));
	CHECK_EQ(t_count(1), 1);
	CHECK_STR(t_rrs[0].owner, "Foo.w.test");
	CHECK_EQ(ld_be32(t_out + t_rrs[0].rdoff), 0x0a000201);
	CHECK(t_info.wildcard);
	/* two labels below the closest encloser still match */
	CHECK(t_ask("a.b.w.test", T_TXT) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 1);
	CHECK_EQ(t_rrs[0].type, T_TXT);
	/* a type the wildcard lacks: NODATA */
	CHECK(t_ask("foo.w.test", T_AAAA) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(t_count(2), 1);
}

TEST(wildcard_does_not_cover_existing_names)
{
	/* x.w exists with MX only: NODATA, not the wildcard's A */
	CHECK(t_ask("x.w.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), 0);
	CHECK(!t_info.wildcard);
	/* below x.w the closest encloser is x.w, which has no wildcard */
	CHECK(t_ask("y.x.w.test", T_A) > 0);
	CHECK_EQ(t_rcode(), 3);
	/* below the empty non-terminal e.w: NXDOMAIN (RFC 4592 §3.3.1) */
	CHECK(t_ask("z.e.w.test", T_A) > 0);
	CHECK_EQ(t_rcode(), 3);
	/* the wildcard's own name is an exact match */
	CHECK(t_ask("*.w.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 1);
	CHECK(!t_info.wildcard);
}

TEST(wildcard_cname_is_followed)
{
	CHECK(t_ask("q.cw.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 3);
	CHECK_STR(t_rrs[0].owner, "q.cw.test");
	CHECK_EQ(t_rrs[0].type, T_CNAME);
	CHECK_STR(t_rdname(&t_rrs[0], 0), "a.test");
	CHECK_STR(t_rrs[1].owner, "a.test");
	CHECK_EQ(t_rrs[1].type, T_A);
}

TEST(cname_chain_followed_in_zone)
{
	CHECK(t_ask("C1.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK(t_flag(AA));
	CHECK_EQ(t_count(1), 4);
	CHECK_STR(t_rrs[0].owner, "C1.test");
	CHECK_STR(t_rdname(&t_rrs[0], 0), "c2.test");
	CHECK_STR(t_rrs[1].owner, "c2.test");
	CHECK_STR(t_rrs[2].owner, "a.test");
	CHECK_EQ(t_rrs[3].type, T_A);
	CHECK(t_info.cname);
	/* asking for the CNAME itself does not follow it */
	CHECK(t_ask("c1.test", T_CNAME) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 1);
}

TEST(cname_chains_are_bounded)
{
	CHECK(t_ask("loop1.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), DNS_ANSWER_CHAIN_MAX);
	CHECK(t_ask("l0.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), DNS_ANSWER_CHAIN_MAX);
	CHECK_EQ(t_rrs[DNS_ANSWER_CHAIN_MAX - 1].type, T_CNAME);
}

TEST(cname_out_of_zone_and_dangling)
{
	CHECK(t_ask("out.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), 1);
	CHECK_EQ(t_count(2), 0);
	CHECK(t_ask("dangling.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 3); /* the last name's status (RFC 6604) */
	CHECK_EQ(t_count(1), 1);
	CHECK_EQ(t_count(2), 1);
	CHECK_EQ(t_rrs[1].type, T_SOA);
}

TEST(referral_with_glue)
{
	static const char *const names[] = {"www.sub.test", "sub.test",
					    "ns.sub.test"};

	for (int i = 0; i < 3; i++) {
		CHECK(t_ask(names[i], T_A) > 0);
		CHECK(t_walk());
		CHECK_EQ(t_rcode(), 0);
		CHECK(!t_flag(AA));
		CHECK_EQ(t_count(1), 0);
		CHECK_EQ(t_count(2), 2);
		CHECK_EQ(t_count(3), 1);
		CHECK_STR(t_rrs[0].owner, "sub.test");
		CHECK_EQ(t_rrs[0].type, T_NS);
		CHECK_STR(t_rrs[2].owner, "ns.sub.test");
		CHECK_EQ(t_rrs[2].type, T_A);
		CHECK_EQ(t_info.kind, DNS_ANSWER_REFERRAL);
	}
}

TEST(referral_glue_that_does_not_fit_sets_tc)
{
	/* 30 glue addresses: 30 x 16 bytes do not fit in 512 (RFC 9471) */
	CHECK(t_ask("www.fat.test", T_A) > 0);
	CHECK(t_walk());
	CHECK(t_flag(TC));
	CHECK_EQ(t_count(2), 0);
	CHECK_EQ(t_count(3), 0);
	CHECK(t_ask_ex("www.fat.test", T_A, 1232, false) > 0);
	CHECK(t_walk());
	CHECK(!t_flag(TC));
	CHECK_EQ(t_count(2), 1);
	CHECK_EQ(t_count(3), 31); /* and the OPT */
	/* an answer's additional addresses are optional: no TC */
	CHECK(t_ask("test", T_MX) > 0);
	CHECK(!t_flag(TC));
}

TEST(additional_addresses_for_ns_mx_srv)
{
	CHECK(t_ask("test", T_NS) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 2);
	CHECK_EQ(t_count(3), 2); /* ns.test A and AAAA; ns.other is not ours */
	CHECK_STR(t_rrs[2].owner, "ns.test");
	CHECK(t_ask("test", T_MX) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(3), 1);
	CHECK_STR(t_rrs[1].owner, "mx.test");
	CHECK(t_ask("srv.test", T_SRV) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 1);
	CHECK_EQ(t_count(3), 2);
	/* RFC 2782: SRV's target is never compressed */
	CHECK_EQ(t_rrs[0].rdlen, 6 + 9);
	CHECK_STR(t_rdname(&t_rrs[0], 6), "ns.test");
}

TEST(refused_outside_zones_and_other_classes)
{
	CHECK(t_ask("example.org", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 5);
	CHECK(!t_flag(AA));
	CHECK_EQ(t_count(0), 1);
	CHECK(t_ask("test.example", T_A) > 0);
	CHECK_EQ(t_rcode(), 5);
	t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
	st_be16(t_q + t_qlen - 2, 3); /* CH */
	t_run(false);
	CHECK_EQ(t_rcode(), 5);
	CHECK(t_ask("test", T_AXFR) > 0);
	CHECK_EQ(t_rcode(), 5);
}

TEST(any_is_one_rrset)
{
	CHECK(t_ask("a.test", T_ANY) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(1), 2);
	CHECK_EQ(t_rrs[0].type, T_A);
	CHECK_EQ(t_rrs[1].type, T_A);
	CHECK(t_info.any);
}

TEST(formerr_for_malformed_queries)
{
	struct {
		const char *what;
		int field; /* header word to change, -1: other */
		uint16_t value;
	} cases[] = {
	    {"qdcount 2", 4, 2},
	    {"qdcount 0", 4, 0},
	    {"ancount 1", 6, 1},
	    {"nscount 1", 8, 1},
	    {"arcount 1 without a record", 10, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
		st_be16(t_q + cases[i].field, cases[i].value);
		t_run(false);
		CHECK_EQ(t_len, 12);
		CHECK_EQ(t_rcode(), 1);
		CHECK_EQ(t_info.kind, DNS_ANSWER_FORMERR);
	}
	/* every truncation of a good query */
	t_qlen = t_query(t_q, 0, "a.test", T_A, 1232, 0);
	for (size_t n = 12; n < t_qlen; n++) {
		t_len = dns_answer(&dns_test_zone, t_q, n, false, T_PAYLOAD,
				   t_out, sizeof(t_out), &t_info);
		CHECK_EQ(t_rcode(), 1);
	}
	/* trailing bytes */
	t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
	t_q[t_qlen++] = 0;
	t_run(false);
	CHECK_EQ(t_rcode(), 1);
	/* a pointer in the question (to itself) */
	t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
	t_q[12] = 0xc0;
	t_q[13] = 12;
	t_run(false);
	CHECK_EQ(t_rcode(), 1);
	/* QTYPE OPT */
	CHECK(t_ask("a.test", T_OPT) > 0);
	CHECK_EQ(t_rcode(), 1);
}

TEST(formerr_for_bad_opt)
{
	/* two OPT records */
	t_qlen = t_query(t_q, 0, "a.test", T_A, 1232, 0);
	memcpy(t_q + t_qlen, t_q + t_qlen - 11, 11);
	t_qlen += 11;
	st_be16(t_q + 10, 2);
	t_run(false);
	CHECK_EQ(t_rcode(), 1);
	/* an OPT owned by a name other than the root */
	t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
	t_q[t_qlen++] = 1;
	t_q[t_qlen++] = 'x';
	t_q[t_qlen++] = 0;
	st_be16(t_q + t_qlen, T_OPT);
	st_be16(t_q + t_qlen + 2, 1232);
	memset(t_q + t_qlen + 4, 0, 6);
	t_qlen += 10;
	st_be16(t_q + 10, 1);
	t_run(false);
	CHECK_EQ(t_rcode(), 1);
	/* an option running past RDATA */
	t_qlen = t_query(t_q, 0, "a.test", T_A, 1232, 0);
	st_be16(t_q + t_qlen - 2, 4);
	st_be16(t_q + t_qlen, 10);    /* code: cookie */
	st_be16(t_q + t_qlen + 2, 8); /* but no bytes */
	t_qlen += 4;
	t_run(false);
	CHECK_EQ(t_rcode(), 1);
	/* a compression loop in an additional record's name */
	t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
	t_q[t_qlen] = 0xc0;
	t_q[t_qlen + 1] = (uint8_t)t_qlen;
	memset(t_q + t_qlen + 2, 0, 10);
	t_qlen += 12;
	st_be16(t_q + 10, 1);
	t_run(false);
	CHECK_EQ(t_rcode(), 1);
}

TEST(unknown_records_in_additional_are_skipped)
{
	/* a record owned by a pointer to QNAME, type TXT, 2 bytes */
	t_qlen = t_query(t_q, 0, "a.test", T_A, T_NO_EDNS, 0);
	t_q[t_qlen] = 0xc0;
	t_q[t_qlen + 1] = 12;
	st_be16(t_q + t_qlen + 2, T_TXT);
	st_be16(t_q + t_qlen + 4, 1);
	st_be32(t_q + t_qlen + 6, 0);
	st_be16(t_q + t_qlen + 10, 2);
	t_q[t_qlen + 12] = 1;
	t_q[t_qlen + 13] = 'x';
	t_qlen += 14;
	st_be16(t_q + 10, 1);
	t_run(false);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), 2);
}

TEST(no_answer_to_responses_or_short_messages)
{
	t_qlen = t_query(t_q, 0x8000, "a.test", T_A, T_NO_EDNS, 0);
	t_run(false);
	CHECK_EQ(t_len, 0);
	CHECK_EQ(t_info.kind, DNS_ANSWER_DROP);
	for (size_t n = 0; n < 12; n++) {
		t_len = dns_answer(&dns_test_zone, t_q, n, false, T_PAYLOAD,
				   t_out, sizeof(t_out), &t_info);
		CHECK_EQ(t_len, 0);
	}
}

TEST(notimp_for_other_opcodes)
{
	for (unsigned op = 1; op < 16; op++) {
		t_qlen = t_query(t_q, (uint16_t)(op << 11), "a.test", T_A,
				 T_NO_EDNS, 0);
		t_run(false);
		CHECK_EQ(t_len, 12);
		CHECK_EQ(t_rcode(), 4);
		CHECK_EQ((ld_be16(t_out + 2) >> 11) & 0xf, op);
	}
}

TEST(edns_opt_in_answer)
{
	CHECK(t_ask_ex("a.test", T_A, 4096, false) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(3), 1);
	CHECK_EQ(t_rrs[2].type, T_OPT);
	CHECK_STR(t_rrs[2].owner, "");
	CHECK_EQ(t_rrs[2].rclass, T_PAYLOAD);
	CHECK_EQ(t_rrs[2].ttl, 0);
	CHECK(t_info.edns);
	/* no OPT without one in the query */
	CHECK(t_ask("a.test", T_A) > 0);
	CHECK(t_walk());
	CHECK_EQ(t_count(3), 0);
}

TEST(edns_do_bit_copied)
{
	/* RFC 3225 §3: the DO bit of the query is copied in the response */
	t_qlen = t_query(t_q, 0, "a.test", T_A, 1232, 0);
	st_be16(t_q + t_qlen - 4, 0x8000);
	t_run(false);
	CHECK(t_walk());
	CHECK_EQ(t_rrs[2].type, T_OPT);
	CHECK_EQ(t_rrs[2].ttl, 0x8000);
}

TEST(edns_badvers)
{
	t_qlen = t_query(t_q, 0, "a.test", T_A, 1232, 1);
	t_run(false);
	CHECK(t_walk());
	CHECK_EQ(t_rcode(), 0);
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(t_count(3), 1);
	CHECK_EQ(t_rrs[0].type, T_OPT);
	CHECK_EQ(t_rrs[0].ttl >> 24, 1); /* 16 = BADVERS, upper 8 bits */
	CHECK_EQ(t_info.kind, DNS_ANSWER_BADVERS);
}

TEST(truncation_by_transport)
{
	/* 5 x 101-byte strings do not fit in 512 bytes */
	CHECK(t_ask("big.test", T_TXT) > 0);
	CHECK(t_walk());
	CHECK(t_flag(TC));
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(t_count(0), 1);
	CHECK(t_info.truncated);
	/* a small EDNS size is taken as 512 (RFC 6891 §6.2.5) */
	CHECK(t_ask_ex("big.test", T_TXT, 100, false) > 0);
	CHECK(t_flag(TC));
	/* 1232 fits */
	CHECK(t_ask_ex("big.test", T_TXT, 4096, false) > 0);
	CHECK(t_walk());
	CHECK(!t_flag(TC));
	CHECK_EQ(t_count(1), 5);
	CHECK(t_len <= T_PAYLOAD);
	/* TCP fits, with no EDNS */
	CHECK(t_ask_ex("big.test", T_TXT, T_NO_EDNS, true) > 0);
	CHECK(t_walk());
	CHECK(!t_flag(TC));
	CHECK_EQ(t_count(1), 5);
}

TEST(truncate_for_slip)
{
	size_t n;

	CHECK(t_ask("a.test", T_A) > 0);
	n = dns_answer_truncate(t_out, t_len, &t_info);
	t_len = n;
	CHECK(t_walk());
	CHECK(t_flag(TC));
	CHECK_EQ(t_count(0), 1);
	CHECK_EQ(t_count(1), 0);
	CHECK_EQ(n, 12 + 8 + 4);
}

TEST(every_answer_walks)
{
	static const char *const names[] = {
	    "test",	    "a.test",	  "c1.test",   "loop1.test",
	    "w.test",	    "q.w.test",	  "x.w.test",  "d.e.w.test",
	    "sub.test",	    "x.sub.test", "big.test",  "srv.test",
	    "nothing.test", "ns.test",	  "z.cw.test", "out.test"};
	static const uint16_t types[] = {T_A,	T_NS,	T_CNAME, T_SOA, T_MX,
					 T_TXT, T_AAAA, T_SRV,	 T_ANY, 99};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			for (int e = 0; e < 2; e++) {
				CHECK(t_ask_ex(names[i], types[k],
					       e ? 1232 : T_NO_EDNS,
					       false) > 0);
				CHECK(t_walk());
				CHECK(t_len <= (e ? T_PAYLOAD : 512u));
			}
}

/* ---- rate limiting ------------------------------------------------------ */

static struct dns_rrl_bucket t_buckets[64];

TEST(rrl_limits_per_network_with_slip)
{
	struct dns_rrl r;
	int slipped = 0, dropped = 0;

	dns_rrl_init(&r, t_buckets, 64, 10, 2, 0x1234);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(dns_rrl_check(&r, 0x0a000001u + (unsigned)i, 1000),
			 DNS_RRL_PASS);
	for (int i = 0; i < 10; i++) {
		enum dns_rrl_verdict v = dns_rrl_check(&r, 0x0a000005u, 1000);

		CHECK(v != DNS_RRL_PASS);
		slipped += v == DNS_RRL_SLIP;
		dropped += v == DNS_RRL_DROP;
	}
	CHECK_EQ(slipped, 5);
	CHECK_EQ(dropped, 5);
	/* another /24 has its own bucket */
	CHECK_EQ(dns_rrl_check(&r, 0x0a000105u, 1000), DNS_RRL_PASS);
	/* 100 ms later one response is allowed again (10/s) */
	CHECK_EQ(dns_rrl_check(&r, 0x0a000009u, 1100), DNS_RRL_PASS);
	CHECK(dns_rrl_check(&r, 0x0a000009u, 1100) != DNS_RRL_PASS);
	/* a second refills the bucket, no more */
	for (int i = 0; i < 10; i++)
		CHECK_EQ(dns_rrl_check(&r, 0x0a000001u, 5000), DNS_RRL_PASS);
	CHECK(dns_rrl_check(&r, 0x0a000001u, 5000) != DNS_RRL_PASS);
}

TEST(rrl_off_and_slip_zero)
{
	struct dns_rrl r;

	dns_rrl_init(&r, t_buckets, 64, 0, 2, 0);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(dns_rrl_check(&r, 0x0a000001u, 0), DNS_RRL_PASS);
	dns_rrl_init(&r, t_buckets, 64, 1, 0, 0);
	CHECK_EQ(dns_rrl_check(&r, 0x0a000001u, 0), DNS_RRL_PASS);
	for (int i = 0; i < 10; i++)
		CHECK_EQ(dns_rrl_check(&r, 0x0a000001u, 0), DNS_RRL_DROP);
}
