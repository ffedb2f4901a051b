/*
 * test_ipv4_wire.c - IPv4 header parse and emit (net/ipv4_wire.c).
 *
 * Known-good headers captured from Linux 6.x pinging across a veth pair
 * (10.9.0.1 -> 10.9.0.2: a 56-byte echo and a 3000-byte one sent as three
 * fragments, and the replies), parsed, re-emitted and compared; then every
 * drop reason with truncated and garbage input.
 */
#include "test.h"

#include "checksum.h"
#include "ipv4_wire.h"

/* Echo request, DF set, id 0xb21b, 64 bytes of ICMP. */
static const uint8_t cap_echo_req[] = {
    0x45, 0x00, 0x00, 0x54, 0xb2, 0x1b, 0x40, 0x00, 0x40, 0x01,
    0x74, 0x79, 0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02,
};
/* Linux's echo reply: DF clear, id 0x7115. */
static const uint8_t cap_echo_reply[] = {
    0x45, 0x00, 0x00, 0x54, 0x71, 0x15, 0x00, 0x00, 0x40, 0x01,
    0xf5, 0x7f, 0x0a, 0x09, 0x00, 0x02, 0x0a, 0x09, 0x00, 0x01,
};
/* The three fragments of one 3008-byte ICMP message, id 0xb21a. */
static const uint8_t cap_frag0[] = {
    0x45, 0x00, 0x05, 0xdc, 0xb2, 0x1a, 0x20, 0x00, 0x40, 0x01,
    0x8e, 0xf2, 0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02,
};
static const uint8_t cap_frag1[] = {
    0x45, 0x00, 0x05, 0xdc, 0xb2, 0x1a, 0x20, 0xb9, 0x40, 0x01,
    0x8e, 0x39, 0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02,
};
static const uint8_t cap_frag2[] = {
    0x45, 0x00, 0x00, 0x44, 0xb2, 0x1a, 0x01, 0x72, 0x40, 0x01,
    0xb3, 0x18, 0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02,
};

struct wire_case {
	const uint8_t *hdr;
	uint16_t total_len;
	uint16_t id;
	bool df, mf;
	uint16_t frag_off;
	uint32_t src, dst;
};

static const struct wire_case wire_cases[] = {
    {cap_echo_req, 84, 0xb21b, true, false, 0, 0x0a090001, 0x0a090002},
    {cap_echo_reply, 84, 0x7115, false, false, 0, 0x0a090002, 0x0a090001},
    {cap_frag0, 1500, 0xb21a, false, true, 0, 0x0a090001, 0x0a090002},
    {cap_frag1, 1500, 0xb21a, false, true, 1480, 0x0a090001, 0x0a090002},
    {cap_frag2, 68, 0xb21a, false, false, 2960, 0x0a090001, 0x0a090002},
};

/* A packet buffer: the header, then the payload the length claims. */
static uint8_t pkt[1600];

static size_t with_payload(const uint8_t *hdr, size_t hdr_len)
{
	size_t total = (size_t)hdr[2] << 8 | hdr[3];

	memset(pkt, 0x6b, sizeof(pkt));
	memcpy(pkt, hdr, hdr_len);
	return total;
}

/* Rewrite the header checksum of pkt after a test edits the header. */
static void fix_checksum(size_t hdr_len)
{
	uint16_t c;

	pkt[IPV4_OFF_CHECKSUM] = 0;
	pkt[IPV4_OFF_CHECKSUM + 1] = 0;
	c = csum_fold(csum_add(0, pkt, hdr_len));
	pkt[IPV4_OFF_CHECKSUM] = (uint8_t)(c >> 8);
	pkt[IPV4_OFF_CHECKSUM + 1] = (uint8_t)c;
}

/* A 20-byte header plus `olen` option bytes, total length 100. */
static size_t with_options(const uint8_t *opt, size_t olen)
{
	size_t hdr_len = IPV4_HDR_LEN + olen;

	with_payload(cap_echo_req, sizeof(cap_echo_req));
	memcpy(pkt + IPV4_HDR_LEN, opt, olen);
	pkt[0] = (uint8_t)(0x40 | hdr_len / 4);
	pkt[2] = 0;
	pkt[3] = 100;
	fix_checksum(hdr_len);
	return 100;
}

TEST(parse_captured)
{
	for (size_t i = 0; i < sizeof(wire_cases) / sizeof(wire_cases[0]);
	     i++) {
		const struct wire_case *c = &wire_cases[i];
		size_t len = with_payload(c->hdr, IPV4_HDR_LEN);
		struct ipv4_hdr h;

		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_OK);
		CHECK_EQ(h.hdr_len, 20);
		CHECK_EQ(h.tos, 0);
		CHECK_EQ(h.total_len, c->total_len);
		CHECK_EQ(h.id, c->id);
		CHECK_EQ(h.df, c->df);
		CHECK_EQ(h.mf, c->mf);
		CHECK_EQ(h.frag_off, c->frag_off);
		CHECK_EQ(h.ttl, 64);
		CHECK_EQ(h.proto, 1);
		CHECK_EQ(h.src, c->src);
		CHECK_EQ(h.dst, c->dst);
		CHECK_EQ(ipv4_wire_is_fragment(&h), c->mf || c->frag_off);
	}
}

TEST(emit_reproduces_captured)
{
	for (size_t i = 0; i < sizeof(wire_cases) / sizeof(wire_cases[0]);
	     i++) {
		const struct wire_case *c = &wire_cases[i];
		struct ipv4_hdr h = {0};
		uint8_t out[IPV4_HDR_LEN + 4];

		memset(out, 0xee, sizeof(out));
		h.hdr_len = 20;
		h.total_len = c->total_len;
		h.id = c->id;
		h.df = c->df;
		h.mf = c->mf;
		h.frag_off = c->frag_off;
		h.ttl = 64;
		h.proto = 1;
		h.src = c->src;
		h.dst = c->dst;
		CHECK_EQ(ipv4_wire_emit(out, &h), IPV4_HDR_LEN);
		CHECK_MEM(out, c->hdr, IPV4_HDR_LEN);
		CHECK_EQ(out[IPV4_HDR_LEN], 0xee); /* no overrun */
	}
}

TEST(parse_then_emit_round_trip)
{
	struct ipv4_hdr h;
	uint8_t out[IPV4_HDR_LEN];
	size_t len = with_payload(cap_frag1, sizeof(cap_frag1));

	pkt[IPV4_OFF_TOS] = 0xb8;
	pkt[IPV4_OFF_TTL] = 1;
	fix_checksum(IPV4_HDR_LEN);
	CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_OK);
	CHECK_EQ(h.tos, 0xb8);
	ipv4_wire_emit(out, &h);
	CHECK_MEM(out, pkt, IPV4_HDR_LEN);
}

TEST(link_padding_is_not_length)
{
	struct ipv4_hdr h;
	size_t len = with_payload(cap_echo_req, sizeof(cap_echo_req));

	/* Ethernet pads short frames; extra bytes past total length are
	 * fine and left to the caller to trim. */
	CHECK_EQ(ipv4_wire_parse(pkt, len + 30, &h), IPV4_WIRE_OK);
	CHECK_EQ(h.total_len, 84);
}

TEST(truncated_every_length)
{
	size_t len = with_payload(cap_echo_req, sizeof(cap_echo_req));
	struct ipv4_hdr h;

	for (size_t n = 0; n < IPV4_HDR_LEN; n++)
		CHECK_EQ(ipv4_wire_parse(pkt, n, &h), IPV4_WIRE_SHORT);
	for (size_t n = IPV4_HDR_LEN; n < len; n++)
		CHECK_EQ(ipv4_wire_parse(pkt, n, &h), IPV4_WIRE_BAD_LENGTH);
	CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_OK);
}

TEST(bad_version)
{
	static const uint8_t versions[] = {0, 1, 5, 6, 15};
	size_t len = with_payload(cap_echo_req, sizeof(cap_echo_req));
	struct ipv4_hdr h;

	for (size_t i = 0; i < sizeof(versions); i++) {
		pkt[0] = (uint8_t)(versions[i] << 4 | 5);
		fix_checksum(IPV4_HDR_LEN);
		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_BAD_VERSION);
	}
}

TEST(bad_ihl)
{
	size_t len = with_payload(cap_echo_req, sizeof(cap_echo_req));
	struct ipv4_hdr h;

	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		pkt[0] = (uint8_t)(0x40 | ihl);
		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_BAD_IHL);
	}
	/* A 60-byte header in 40 received bytes. */
	pkt[0] = 0x4f;
	CHECK_EQ(ipv4_wire_parse(pkt, 40, &h), IPV4_WIRE_BAD_IHL);
}

TEST(total_length_shorter_than_header)
{
	size_t len = with_payload(cap_echo_req, sizeof(cap_echo_req));
	struct ipv4_hdr h;

	for (uint16_t tl = 0; tl < IPV4_HDR_LEN; tl++) {
		pkt[2] = 0;
		pkt[3] = (uint8_t)tl;
		fix_checksum(IPV4_HDR_LEN);
		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_BAD_LENGTH);
	}
	/* Header with options longer than the total length. */
	pkt[0] = 0x46;
	pkt[3] = 22;
	fix_checksum(24);
	CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_BAD_LENGTH);
}

TEST(bad_checksum_every_bit)
{
	size_t len = with_payload(cap_echo_req, sizeof(cap_echo_req));
	struct ipv4_hdr h;

	/* Any single flipped bit outside version/IHL/length changes the
	 * sum; those three fail earlier checks or the sum. */
	for (size_t bit = 32; bit < IPV4_HDR_LEN * 8; bit++) {
		pkt[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_BAD_CHECKSUM);
		pkt[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
	}
	CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_OK);
}

TEST(options_valid_lists)
{
	/* NOP NOP NOP EOL; record route (7) with room for one address;
	 * timestamp (68) of 8 bytes; router alert (148, 4 bytes); an
	 * unknown option; EOL followed by garbage padding. */
	static const uint8_t nops[] = {1, 1, 1, 0};
	static const uint8_t rr[] = {7, 7, 4, 0, 0, 0, 0, 0};
	static const uint8_t ts[] = {68, 8, 5, 0, 0, 0, 0, 0};
	static const uint8_t ra[] = {148, 4, 0, 0};
	static const uint8_t unknown[] = {0x9e, 2, 1, 0};
	static const uint8_t eol_pad[] = {0, 0xff, 0x83, 1};
	static const uint8_t full[40] = {1, 1, 1, 1, 7, 36};
	const struct {
		const uint8_t *opt;
		size_t len;
	} ok[] = {
	    {nops, 4},	  {rr, 8},	{ts, 8},    {ra, 4},
	    {unknown, 4}, {eol_pad, 4}, {full, 40},
	};
	struct ipv4_hdr h;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t len = with_options(ok[i].opt, ok[i].len);

		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_OK);
		CHECK_EQ(h.hdr_len, IPV4_HDR_LEN + ok[i].len);
	}
}

TEST(options_malformed)
{
	static const uint8_t len0[] = {7, 0, 0, 0};
	static const uint8_t len1[] = {7, 1, 0, 0};
	static const uint8_t past_end[] = {7, 5, 0, 0};
	static const uint8_t no_len_byte[] = {1, 1, 1, 7};
	static const uint8_t second_bad[] = {148, 4, 0, 0, 1, 68, 9, 0};
	const struct {
		const uint8_t *opt;
		size_t len;
	} bad[] = {
	    {len0, 4},	      {len1, 4},       {past_end, 4},
	    {no_len_byte, 4}, {second_bad, 8},
	};
	struct ipv4_hdr h;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = with_options(bad[i].opt, bad[i].len);

		CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_BAD_OPTIONS);
	}
}

TEST(options_source_routes)
{
	static const uint8_t lsrr[] = {131, 7, 4, 10, 0, 0, 9, 0};
	static const uint8_t ssrr[] = {1, 137, 7, 4, 10, 0, 0, 9};
	struct ipv4_hdr h;
	size_t len;

	len = with_options(lsrr, sizeof(lsrr));
	CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_SOURCE_ROUTE);
	len = with_options(ssrr, sizeof(ssrr));
	CHECK_EQ(ipv4_wire_parse(pkt, len, &h), IPV4_WIRE_SOURCE_ROUTE);
	/* A malformed source route is malformed first. */
	CHECK_EQ(ipv4_wire_check_options((const uint8_t[]){131, 1, 0, 0}, 4),
		 IPV4_WIRE_BAD_OPTIONS);
}

TEST(check_options_direct)
{
	CHECK_EQ(ipv4_wire_check_options(NULL, 0), IPV4_WIRE_OK);
	CHECK_EQ(ipv4_wire_check_options((const uint8_t[]){1}, 1),
		 IPV4_WIRE_OK);
	CHECK_EQ(ipv4_wire_check_options((const uint8_t[]){0x44}, 1),
		 IPV4_WIRE_BAD_OPTIONS);
	CHECK_EQ(ipv4_wire_check_options((const uint8_t[]){0x44, 2}, 2),
		 IPV4_WIRE_OK);
	CHECK_EQ(ipv4_wire_check_options((const uint8_t[]){0x44, 3}, 2),
		 IPV4_WIRE_BAD_OPTIONS);
}

TEST(emit_fragment_fields)
{
	struct ipv4_hdr h = {0}, back;
	uint8_t out[IPV4_HDR_LEN + 8] = {0};

	h.total_len = 28;
	h.id = 0xbeef;
	h.mf = true;
	h.frag_off = 8 * 0x1fff; /* the largest offset */
	h.ttl = 255;
	h.proto = 17;
	h.src = 0xc0000201;
	h.dst = 0xc6336402;
	ipv4_wire_emit(out, &h);
	CHECK_EQ(out[0], 0x45);
	CHECK_EQ(out[6], 0x3f);
	CHECK_EQ(out[7], 0xff);
	CHECK_EQ(ipv4_wire_parse(out, sizeof(out), &back), IPV4_WIRE_OK);
	CHECK_EQ(back.frag_off, 8 * 0x1fff);
	CHECK(back.mf && !back.df);
	CHECK_EQ(back.src, h.src);
	CHECK_EQ(back.dst, h.dst);
}

TEST(garbage_never_overreads)
{
	uint32_t x = 12345;
	int accepted = 0;

	for (int round = 0; round < 20000; round++) {
		size_t len, hdr_len;
		struct ipv4_hdr h;

		for (size_t i = 0; i < 128; i++) {
			x = x * 1103515245u + 12345u;
			pkt[i] = (uint8_t)(x >> 16);
		}
		len = (x >> 8) % 128;
		/* Every other round plausible enough to reach the later
		 * checks: version 4, a fitting length, a good checksum. */
		if (round % 2) {
			pkt[0] = (uint8_t)(0x45 + (x >> 4) % 11);
			hdr_len = (size_t)(pkt[0] & 0x0f) * 4;
			pkt[2] = 0;
			pkt[3] = (uint8_t)(hdr_len + (x >> 12) % 40);
			fix_checksum(hdr_len);
		}
		if (ipv4_wire_parse(pkt, len, &h) != IPV4_WIRE_OK)
			continue;
		accepted++;
		CHECK(h.hdr_len >= 20 && h.hdr_len <= 60);
		CHECK(h.hdr_len <= h.total_len && h.total_len <= len);
	}
	CHECK(accepted > 0);
}
