/*
 * test_dns_wire.c - DNS message parse and emit, names (net/dns_wire.c).
 *
 * Known-good messages: replies of dnsmasq 2.90 (Debian 12) captured with a
 * Python socket, which compress their names with pointers into the
 * question and into a CNAME's RDATA. Each parses, and every prefix of it,
 * and every count that disagrees with it, is refused. Then the
 * decompression rules one by one (pointers backwards only, never into the
 * header, a hop limit, 63-byte labels, 255-byte names), RDATA checks,
 * truncated (TC) messages, names in text, and the query we emit.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "dns_build.h"
#include "dns_wire.h"

/* a.example A -> 10.1.2.3, ttl 300, answer name a pointer to 12. */
static const uint8_t cap_a[] = {
    0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x61, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0x0a, 0x01, 0x02, 0x03,
};

/* www.example CNAME b.example, b.example A 10.1.2.4; the A record's name
 * is a pointer (0xc029) into the CNAME's RDATA. */
static const uint8_t cap_cname[] = {
    0x23, 0x45, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00,
    0x00, 0x01, 0x2c, 0x00, 0x0b, 0x01, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d,
    0x70, 0x6c, 0x65, 0x00, 0xc0, 0x29, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0x01, 0x2c, 0x00, 0x04, 0x0a, 0x01, 0x02, 0x04,
};

/* nx.example: NXDOMAIN, question only. */
static const uint8_t cap_nx[] = {
    0x34, 0x56, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x02, 0x6e, 0x78, 0x07, 0x65, 0x78, 0x61, 0x6d,
    0x70, 0x6c, 0x65, 0x00, 0x00, 0x01, 0x00, 0x01,
};

/* multi.example: two A records. */
static const uint8_t cap_multi[] = {
    0x45, 0x67, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x00, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x07, 0x65, 0x78, 0x61,
    0x6d, 0x70, 0x6c, 0x65, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c,
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0x0a,
    0x01, 0x02, 0x05, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
    0x01, 0x2c, 0x00, 0x04, 0x0a, 0x01, 0x02, 0x06,
};

/* The query for a.example that produced cap_a (id 0x1234, RD). */
static const uint8_t query_a[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x61, 0x07, 0x65, 0x78, 0x61,
    0x6d, 0x70, 0x6c, 0x65, 0x00, 0x00, 0x01, 0x00, 0x01,
};

struct known {
	const uint8_t *msg;
	size_t len;
};

static const struct known knowns[] = {
    {cap_a, sizeof(cap_a)},	{cap_cname, sizeof(cap_cname)},
    {cap_nx, sizeof(cap_nx)},	{cap_multi, sizeof(cap_multi)},
    {query_a, sizeof(query_a)},
};

static struct tmsg tm;
static uint8_t buf[TM_MAX];

/* `text` in wire form, for comparisons. */
static struct dns_name t_name(const char *text)
{
	struct dns_name n;

	memset(&n, 0, sizeof(n));
	if (dns_name_from_text(text, &n) != NET_OK)
		n.len = 0;
	return n;
}

/* Read the name at `off` of tm; its text, or "!" when refused. */
static const char *t_read(size_t off, size_t *end)
{
	static char text[1100];
	struct dns_name n;

	if (dns_wire_read_name(tm.b, tm.len, &off, &n) != NET_OK)
		return "!";
	if (end)
		*end = off;
	if (dns_name_to_text(&n, text, sizeof(text)) < 0)
		return "?";
	return text;
}

/* ---- known messages ------------------------------------------------ */

TEST(parses_dnsmasq_a_answer)
{
	struct dns_question q;
	struct dns_rr_iter it;
	struct dns_msg m;
	struct dns_rr rr;
	uint32_t addr;
	struct dns_name want = t_name("a.example");

	CHECK_EQ(dns_wire_parse_msg(cap_a, sizeof(cap_a), &m), NET_OK);
	CHECK_EQ(m.hdr.id, 0x1234);
	CHECK_EQ(m.hdr.flags, 0x8580);
	CHECK_EQ(m.hdr.qdcount, 1);
	CHECK_EQ(m.hdr.ancount, 1);
	CHECK_EQ(dns_wire_question(&m, &q), NET_OK);
	CHECK(dns_name_equal(&q.name, &want));
	CHECK_EQ(q.type, 1);
	CHECK_EQ(q.qclass, 1);
	dns_wire_rr_first(&m, DNS_SECTION_ANSWER, &it);
	CHECK(dns_wire_rr_next(&it, &rr));
	CHECK(dns_name_equal(&rr.name, &want));
	CHECK_EQ(rr.type, DNS_TYPE_A);
	CHECK_EQ(rr.rclass, DNS_CLASS_IN);
	CHECK_EQ(rr.ttl, 300);
	CHECK_EQ(rr.rdlen, 4);
	CHECK_EQ(rr.rdata_off, sizeof(cap_a) - 4);
	CHECK_EQ(dns_wire_rdata_a(&m, &rr, &addr), NET_OK);
	CHECK_EQ(addr, 0x0a010203);
	CHECK(!dns_wire_rr_next(&it, &rr));
	dns_wire_rr_first(&m, DNS_SECTION_AUTHORITY, &it);
	CHECK(!dns_wire_rr_next(&it, &rr));
}

TEST(parses_dnsmasq_cname_with_pointer_into_rdata)
{
	struct dns_name www = t_name("www.example"), b = t_name("b.example");
	struct dns_name target;
	struct dns_rr_iter it;
	struct dns_msg m;
	struct dns_rr rr;
	uint32_t addr;

	CHECK_EQ(dns_wire_parse_msg(cap_cname, sizeof(cap_cname), &m), NET_OK);
	dns_wire_rr_first(&m, DNS_SECTION_ANSWER, &it);
	CHECK(dns_wire_rr_next(&it, &rr));
	CHECK(dns_name_equal(&rr.name, &www));
	CHECK_EQ(rr.type, DNS_TYPE_CNAME);
	CHECK_EQ(dns_wire_rdata_name(&m, &rr, &target), NET_OK);
	CHECK(dns_name_equal(&target, &b));
	CHECK(dns_wire_rr_next(&it, &rr));
	CHECK(dns_name_equal(&rr.name, &b));
	CHECK_EQ(dns_wire_rdata_a(&m, &rr, &addr), NET_OK);
	CHECK_EQ(addr, 0x0a010204);
	CHECK(!dns_wire_rr_next(&it, &rr));
}

TEST(parses_dnsmasq_nxdomain_and_two_addresses)
{
	struct dns_rr_iter it;
	struct dns_msg m;
	struct dns_rr rr;
	uint32_t addr[2];

	CHECK_EQ(dns_wire_parse_msg(cap_nx, sizeof(cap_nx), &m), NET_OK);
	CHECK_EQ(m.hdr.flags & DNS_FLAG_RCODE_MASK, DNS_RCODE_NXDOMAIN);
	CHECK_EQ(m.hdr.ancount, 0);
	CHECK_EQ(dns_wire_parse_msg(cap_multi, sizeof(cap_multi), &m), NET_OK);
	dns_wire_rr_first(&m, DNS_SECTION_ANSWER, &it);
	for (int i = 0; i < 2; i++) {
		CHECK(dns_wire_rr_next(&it, &rr));
		CHECK_EQ(dns_wire_rdata_a(&m, &rr, &addr[i]), NET_OK);
	}
	CHECK_EQ(addr[0], 0x0a010205);
	CHECK_EQ(addr[1], 0x0a010206);
}

TEST(every_prefix_of_a_known_message_is_refused)
{
	struct dns_msg m;

	for (size_t k = 0; k < sizeof(knowns) / sizeof(knowns[0]); k++) {
		CHECK_EQ(dns_wire_parse_msg(knowns[k].msg, knowns[k].len, &m),
			 NET_OK);
		for (size_t n = 0; n < knowns[k].len; n++)
			CHECK_EQ(dns_wire_parse_msg(knowns[k].msg, n, &m),
				 NET_EBADMSG);
	}
}

TEST(trailing_bytes_and_wrong_counts_are_refused)
{
	struct dns_msg m;

	memcpy(buf, cap_a, sizeof(cap_a));
	buf[sizeof(cap_a)] = 0;
	CHECK_EQ(dns_wire_parse_msg(buf, sizeof(cap_a) + 1, &m), NET_EBADMSG);
	for (int field = 0; field < 4; field++) {
		uint16_t orig = ld_be16(cap_a + 4 + 2 * field);
		uint16_t bad[] = {(uint16_t)(orig + 1), 0, 0xffff};

		for (size_t i = 0; i < 3; i++) {
			if (bad[i] == orig)
				continue;
			memcpy(buf, cap_a, sizeof(cap_a));
			st_be16(buf + 4 + 2 * field, bad[i]);
			CHECK_EQ(dns_wire_parse_msg(buf, sizeof(cap_a), &m),
				 NET_EBADMSG);
		}
	}
}

TEST(short_header_is_refused)
{
	struct dns_hdr h;

	CHECK_EQ(dns_wire_parse_hdr(cap_a, 11, &h), NET_EBADMSG);
	CHECK_EQ(dns_wire_parse_hdr(cap_a, 12, &h), NET_OK);
	CHECK_EQ(h.id, 0x1234);
	CHECK_EQ(h.arcount, 0);
}

TEST(emits_the_query_linux_tools_send)
{
	struct dns_name n = t_name("a.example");

	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(dns_wire_emit_query(buf, sizeof(buf), 0x1234, DNS_FLAG_RD, &n,
				     DNS_TYPE_A, DNS_CLASS_IN),
		 sizeof(query_a));
	CHECK_MEM(buf, query_a, sizeof(query_a));
	CHECK_EQ(buf[sizeof(query_a)], 0xee);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(dns_wire_emit_query(buf, sizeof(query_a) - 1, 1, 0, &n, 1, 1),
		 0);
	CHECK_EQ(buf[0], 0xee);
}

/* ---- decompression ------------------------------------------------- */

TEST(reads_plain_names_and_the_root)
{
	size_t end;

	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_name(&tm, "www.Example.com");
	tm_name(&tm, "");
	CHECK_STR(t_read(12, &end), "www.Example.com");
	CHECK_EQ(end, 12 + 17);
	CHECK_STR(t_read(29, &end), ".");
	CHECK_EQ(end, 30);
}

TEST(a_pointer_ends_the_name_and_chains_backwards)
{
	size_t b, c, end;

	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_name(&tm, "a.example");
	b = tm_labels(&tm, "b");
	tm_ptr(&tm, 12);
	c = tm_labels(&tm, "c");
	tm_ptr(&tm, b);
	CHECK_STR(t_read(b, &end), "b.a.example");
	CHECK_EQ(end, c);
	CHECK_STR(t_read(c, &end), "c.b.a.example");
	CHECK_EQ(end, tm.len);
	/* A pointer alone is a name too. */
	tm_ptr(&tm, c);
	CHECK_STR(t_read(tm.len - 2, &end), "c.b.a.example");
	CHECK_EQ(end, tm.len);
}

TEST(forward_self_and_header_pointers_are_refused)
{
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_ptr(&tm, 14); /* at 12, forward */
	tm_name(&tm, "a");
	CHECK_STR(t_read(12, NULL), "!");
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_ptr(&tm, 12); /* at 12, itself */
	CHECK_STR(t_read(12, NULL), "!");
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_ptr(&tm, 4); /* into the header */
	CHECK_STR(t_read(12, NULL), "!");
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_name(&tm, "a");
	tm_ptr(&tm, 0x3fff); /* far past the end */
	CHECK_STR(t_read(15, NULL), "!");
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_name(&tm, "a");
	tm_u8(&tm, 0xc0); /* a pointer cut in half */
	CHECK_STR(t_read(15, NULL), "!");
}

TEST(a_loop_through_a_label_is_refused)
{
	/* 12: label "a", 14: pointer to 12. Read from 14 it jumps to 12,
	 * reads "a" and meets the pointer again: its target is no longer
	 * before the run of labels it ends. */
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_labels(&tm, "a");
	tm_ptr(&tm, 12);
	CHECK_STR(t_read(14, NULL), "!");
	CHECK_STR(t_read(12, NULL), "!");
	/* Two names pointing at each other. */
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_labels(&tm, "a");
	tm_ptr(&tm, 16);
	tm_labels(&tm, "b");
	tm_ptr(&tm, 12);
	CHECK_STR(t_read(12, NULL), "!");
	CHECK_STR(t_read(16, NULL), "!");
}

TEST(the_pointer_hop_limit_holds)
{
	size_t p[DNS_PTR_HOPS_MAX + 1];

	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_name(&tm, "a");
	for (int i = 0; i <= DNS_PTR_HOPS_MAX; i++) {
		p[i] = tm.len;
		tm_ptr(&tm, i == 0 ? 12 : p[i - 1]);
	}
	/* From p[k], k + 1 pointers lead to "a". */
	CHECK_STR(t_read(p[DNS_PTR_HOPS_MAX - 1], NULL), "a");
	CHECK_STR(t_read(p[DNS_PTR_HOPS_MAX], NULL), "!");
}

TEST(label_types_other_than_00_and_11_are_refused)
{
	static const uint8_t tops[] = {0x40, 0x41, 0x80, 0xbf};

	for (size_t i = 0; i < sizeof(tops); i++) {
		tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
		tm_u8(&tm, tops[i]);
		for (int k = 0; k < 200; k++)
			tm_u8(&tm, 'x');
		tm_u8(&tm, 0);
		CHECK_STR(t_read(12, NULL), "!");
	}
}

/* A label of `n` 'x' bytes. */
static void t_label(size_t n)
{
	tm_u8(&tm, (uint8_t)n);
	for (size_t i = 0; i < n; i++)
		tm_u8(&tm, 'x');
}

TEST(names_of_255_bytes_pass_and_256_do_not)
{
	struct dns_name n;
	size_t off = 12;

	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	t_label(63);
	t_label(63);
	t_label(63);
	t_label(61);
	tm_u8(&tm, 0);
	CHECK_EQ(dns_wire_read_name(tm.b, tm.len, &off, &n), NET_OK);
	CHECK_EQ(n.len, 255);
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	t_label(63);
	t_label(63);
	t_label(63);
	t_label(62);
	tm_u8(&tm, 0);
	CHECK_STR(t_read(12, NULL), "!");
}

TEST(pointers_cannot_stretch_a_name_past_255)
{
	size_t second;

	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	t_label(63);
	t_label(63);
	t_label(63);
	tm_u8(&tm, 0); /* 193 bytes */
	second = tm.len;
	t_label(60);
	tm_ptr(&tm, 12); /* 61 + 193 = 254: fits */
	CHECK(strcmp(t_read(second, NULL), "!") != 0);
	second = tm.len;
	t_label(61);
	tm_ptr(&tm, 12); /* 62 + 193 = 255: fits */
	CHECK(strcmp(t_read(second, NULL), "!") != 0);
	second = tm.len;
	t_label(62);
	tm_ptr(&tm, 12); /* 256 */
	CHECK_STR(t_read(second, NULL), "!");
}

TEST(cut_labels_and_a_missing_root_are_refused)
{
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_labels(&tm, "example"); /* no root byte */
	CHECK_STR(t_read(12, NULL), "!");
	tm_hdr(&tm, 0, 0, 0, 0, 0, 0);
	tm_u8(&tm, 10);
	tm_bytes(&tm, "short", 5);
	CHECK_STR(t_read(12, NULL), "!");
	CHECK_STR(t_read(tm.len, NULL), "!"); /* at the very end */
}

/* ---- names in text ------------------------------------------------- */

TEST(text_names_convert_to_wire_form)
{
	static const uint8_t want[] = {3,   'w', 'W', 'w', 7,	'e', 'x',
				       'a', 'm', 'p', 'l', 'e', 0};
	struct dns_name a, b;

	CHECK_EQ(dns_name_from_text("wWw.example", &a), NET_OK);
	CHECK_EQ(a.len, sizeof(want));
	CHECK_MEM(a.b, want, sizeof(want));
	CHECK_EQ(dns_name_from_text("wWw.example.", &b), NET_OK);
	CHECK_EQ(b.len, a.len);
	CHECK_MEM(b.b, a.b, a.len);
	CHECK_EQ(dns_name_from_text("_sip-1.x", &a), NET_OK);
}

TEST(bad_text_names_are_refused)
{
	static const char *const bad[] = {
	    "",	     ".",
	    "..",    "a..b",
	    ".a",    "a.example..",
	    "a b",   "a/b",
	    "a\\.b", "caf\xc3\xa9.example",
	    "a\tb",  "a.example:53",
	};
	struct dns_name n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(dns_name_from_text(bad[i], &n), NET_EINVAL);
	CHECK_EQ(dns_name_from_text(NULL, &n), NET_EINVAL);
}

TEST(text_name_limits)
{
	char text[300];
	struct dns_name n;

	memset(text, 'x', 63);
	text[63] = '\0';
	CHECK_EQ(dns_name_from_text(text, &n), NET_OK);
	text[63] = 'x';
	text[64] = '\0';
	CHECK_EQ(dns_name_from_text(text, &n), NET_EINVAL);
	/* 63.63.63.61: 253 characters, 255 bytes. */
	memset(text, 'x', sizeof(text));
	text[63] = text[127] = text[191] = '.';
	text[253] = '\0';
	CHECK_EQ(dns_name_from_text(text, &n), NET_OK);
	CHECK_EQ(n.len, 255);
	text[253] = '.';
	text[254] = '\0';
	CHECK_EQ(dns_name_from_text(text, &n), NET_OK);
	CHECK_EQ(n.len, 255);
	text[253] = 'x';
	CHECK_EQ(dns_name_from_text(text, &n), NET_EINVAL);
}

TEST(names_print_safely)
{
	static const uint8_t odd[] = {4, 'a', '.', '\\', 0x07, 1, 0xff, 0};
	struct dns_name n = {0};
	char text[64];

	memcpy(n.b, odd, sizeof(odd));
	n.len = sizeof(odd);
	CHECK_EQ(dns_name_to_text(&n, text, sizeof(text)), 14);
	CHECK_STR(text, "a\\.\\\\\\007.\\255");
	CHECK_EQ(dns_name_to_text(&n, text, 14), NET_EMSGSIZE);
	CHECK_STR(text, "");
	CHECK_EQ(dns_name_to_text(&n, text, 15), 14);
	n.b[0] = 0;
	n.len = 1;
	CHECK_EQ(dns_name_to_text(&n, text, sizeof(text)), 1);
	CHECK_STR(text, ".");
	CHECK_EQ(dns_name_to_text(&n, text, 0), NET_EMSGSIZE);
}

TEST(names_compare_ignoring_ascii_case_only)
{
	struct dns_name a = t_name("WWW.Example.COM");
	struct dns_name b = t_name("www.example.com");
	struct dns_name c = t_name("www.example.co");
	struct dns_name d = t_name("www.example.con");
	struct dns_name e = {0}, f = {0};

	CHECK(dns_name_equal(&a, &b));
	CHECK(!dns_name_equal(&a, &c));
	CHECK(!dns_name_equal(&b, &d));
	/* 0xc1 and 0xe1 differ by 0x20 but are not ASCII letters. */
	e.len = f.len = 3;
	e.b[0] = f.b[0] = 1;
	e.b[1] = 0xc1;
	f.b[1] = 0xe1;
	CHECK(!dns_name_equal(&e, &f));
	/* '@' and '`' neither. */
	e.b[1] = '@';
	f.b[1] = '`';
	CHECK(!dns_name_equal(&e, &f));
}

/* ---- RDATA --------------------------------------------------------- */

TEST(reads_a_cname_and_soa_rdata)
{
	struct dns_name target, want = t_name("b.example");
	struct dns_rr_iter it;
	struct dns_msg m;
	struct dns_soa soa;
	struct dns_rr rr;
	uint32_t addr;

	tm_hdr(&tm, 7, TM_RESPONSE, 1, 2, 1, 0);
	tm_question(&tm, "a.example", TM_A, TM_IN);
	tm_rr_cname(&tm, "a.example", 100, "b.example");
	tm_rr_a(&tm, "b.example", 200, 0xc0000201);
	tm_rr_soa(&tm, "example", 3600, 60);
	CHECK_EQ(dns_wire_parse_msg(tm.b, tm.len, &m), NET_OK);
	dns_wire_rr_first(&m, DNS_SECTION_ANSWER, &it);
	CHECK(dns_wire_rr_next(&it, &rr));
	CHECK_EQ(dns_wire_rdata_name(&m, &rr, &target), NET_OK);
	CHECK(dns_name_equal(&target, &want));
	CHECK(dns_wire_rr_next(&it, &rr));
	CHECK_EQ(dns_wire_rdata_a(&m, &rr, &addr), NET_OK);
	CHECK_EQ(addr, 0xc0000201);
	CHECK(!dns_wire_rr_next(&it, &rr));
	dns_wire_rr_first(&m, DNS_SECTION_AUTHORITY, &it);
	CHECK(dns_wire_rr_next(&it, &rr));
	CHECK_EQ(rr.ttl, 3600);
	CHECK_EQ(dns_wire_rdata_soa(&m, &rr, &soa), NET_OK);
	CHECK_EQ(soa.minimum, 60);
	CHECK_EQ(soa.expire, 86400);
	CHECK_EQ(soa.serial, 2024010101);
}

/* A message with one answer record of `type`/`class` and the given RDATA. */
static int t_parse_one(uint16_t type, uint16_t rclass, const void *rdata,
		       size_t rdlen)
{
	struct dns_msg m;

	tm_hdr(&tm, 7, TM_RESPONSE, 1, 1, 0, 0);
	tm_question(&tm, "a.example", TM_A, TM_IN);
	tm_ptr(&tm, 12);
	tm_rr_fixed(&tm, type, rclass, 60, (uint16_t)rdlen);
	tm_bytes(&tm, rdata, rdlen);
	return dns_wire_parse_msg(tm.b, tm.len, &m);
}

TEST(rdata_of_read_types_is_checked_while_parsing)
{
	static const uint8_t five[] = {1, 2, 3, 4, 5};
	static const uint8_t name_plus[] = {1, 'b', 0, 0xff};
	static const uint8_t name_cut[] = {5, 'b', 0};
	static const uint8_t name_ok[] = {1, 'b', 0xc0, 12};
	static const uint8_t soa_short[] = {0, 0, 1, 2, 3, 4};

	CHECK_EQ(t_parse_one(TM_A, TM_IN, five, 4), NET_OK);
	CHECK_EQ(t_parse_one(TM_A, TM_IN, five, 5), NET_EBADMSG);
	CHECK_EQ(t_parse_one(TM_A, TM_IN, five, 3), NET_EBADMSG);
	CHECK_EQ(t_parse_one(TM_A, 3 /* CH */, five, 5), NET_OK);
	CHECK_EQ(t_parse_one(TM_CNAME, TM_IN, name_ok, 4), NET_OK);
	CHECK_EQ(t_parse_one(TM_CNAME, TM_IN, name_plus, 4), NET_EBADMSG);
	CHECK_EQ(t_parse_one(TM_CNAME, TM_IN, name_cut, 3), NET_EBADMSG);
	CHECK_EQ(t_parse_one(TM_NS, TM_IN, name_plus, 4), NET_EBADMSG);
	CHECK_EQ(t_parse_one(TM_SOA, TM_IN, soa_short, 6), NET_EBADMSG);
	CHECK_EQ(t_parse_one(99, TM_IN, five, 5), NET_OK);
	CHECK_EQ(t_parse_one(TM_AAAA, TM_IN, five, 1), NET_OK);
}

TEST(a_truncated_message_parses_up_to_its_question)
{
	struct dns_question q;
	struct dns_rr_iter it;
	struct dns_msg m;
	struct dns_rr rr;

	tm_hdr(&tm, 7, TM_RESPONSE | TM_TC, 1, 3, 0, 0);
	tm_question(&tm, "a.example", TM_A, TM_IN);
	tm_rr_a(&tm, "a.example", 60, 0x01020304);
	tm.len -= 3; /* cut inside the first answer */
	CHECK_EQ(dns_wire_parse_msg(tm.b, tm.len, &m), NET_EBADMSG);
	CHECK_EQ(dns_wire_parse_head(tm.b, tm.len, &m), NET_OK);
	CHECK_EQ(dns_wire_question(&m, &q), NET_OK);
	dns_wire_rr_first(&m, DNS_SECTION_ANSWER, &it);
	CHECK(!dns_wire_rr_next(&it, &rr));
	/* The question itself must still be whole. */
	CHECK_EQ(dns_wire_parse_head(tm.b, 20, &m), NET_EBADMSG);
}

TEST(ttls_with_the_top_bit_are_zero)
{
	CHECK_EQ(dns_wire_ttl(0), 0);
	CHECK_EQ(dns_wire_ttl(0x7fffffffu), 0x7fffffffu);
	CHECK_EQ(dns_wire_ttl(0x80000000u), 0);
	CHECK_EQ(dns_wire_ttl(0xffffffffu), 0);
}
