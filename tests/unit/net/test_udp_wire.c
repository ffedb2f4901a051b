/*
 * test_udp_wire.c - UDP header parse and emit (net/udp_wire.c).
 *
 * Known-good datagrams sent by Linux 6.x from 10.9.0.1 to 10.9.0.2 and
 * read back from a TUN device (so the kernel computed the checksums in
 * software, not left them to offload): an even and an odd payload, and a
 * payload chosen so that the checksum computes to 0, which Linux sends as
 * 0xffff (RFC 768). Each is parsed, re-emitted and compared; then zero
 * checksums, trailing bytes, and truncated and garbage input.
 */
#include "test.h"

#include <klib/bytes.h>

#include "udp_wire.h"

#define CAP_SRC 0x0a090001u
#define CAP_DST 0x0a090002u

/* 40000 -> 53, "keel". */
static const uint8_t cap_even[] = {
    0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0x7e, 0x7a, 0x6b, 0x65, 0x65, 0x6c,
};
/* 40001 -> 7, "hello, world!" (odd length). */
static const uint8_t cap_odd[] = {
    0x9c, 0x41, 0x00, 0x07, 0x00, 0x15, 0xee, 0x1a, 0x68, 0x65, 0x6c,
    0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0x21,
};
/* 40002 -> 9, "zero" plus two bytes making the sum come out 0. */
static const uint8_t cap_ffff[] = {
    0x9c, 0x42, 0x00, 0x09, 0x00, 0x0e, 0xff,
    0xff, 0x7a, 0x65, 0x72, 0x6f, 0x62, 0x9d,
};

struct wire_case {
	const uint8_t *dgram;
	size_t len;
	uint16_t src_port, dst_port, checksum;
};

static const struct wire_case wire_cases[] = {
    {cap_even, sizeof(cap_even), 40000, 53, 0x7e7a},
    {cap_odd, sizeof(cap_odd), 40001, 7, 0xee1a},
    {cap_ffff, sizeof(cap_ffff), 40002, 9, 0xffff},
};

#define N_CASES (sizeof(wire_cases) / sizeof(wire_cases[0]))

static uint8_t pkt[128];

/* A copy of case c at the end of pkt, `extra` bytes of 0x6b after it. */
static uint8_t *copy_case(const struct wire_case *c, size_t extra)
{
	uint8_t *p = pkt + sizeof(pkt) - c->len - extra;

	memcpy(p, c->dgram, c->len);
	memset(p + c->len, 0x6b, extra);
	return p;
}

TEST(parse_captured)
{
	for (size_t i = 0; i < N_CASES; i++) {
		const struct wire_case *c = &wire_cases[i];
		struct udp_hdr h;

		CHECK_EQ(udp_wire_parse(c->dgram, c->len, CAP_SRC, CAP_DST, &h),
			 UDP_WIRE_OK);
		CHECK_EQ(h.src_port, c->src_port);
		CHECK_EQ(h.dst_port, c->dst_port);
		CHECK_EQ(h.length, c->len);
		CHECK_EQ(h.checksum, c->checksum);
	}
}

TEST(emit_reproduces_captured)
{
	for (size_t i = 0; i < N_CASES; i++) {
		const struct wire_case *c = &wire_cases[i];
		/* Length and checksum in the struct are ignored by emit. */
		struct udp_hdr h = {c->src_port, c->dst_port, 1, 2};
		uint8_t out[UDP_HDR_LEN + 4];

		memset(out, 0xee, sizeof(out));
		CHECK_EQ(udp_wire_emit(out, &h, CAP_SRC, CAP_DST,
				       c->dgram + UDP_HDR_LEN,
				       c->len - UDP_HDR_LEN),
			 UDP_HDR_LEN);
		CHECK_MEM(out, c->dgram, UDP_HDR_LEN);
		CHECK_EQ(out[UDP_HDR_LEN], 0xee); /* no overrun */
	}
}

TEST(emit_never_sends_zero_checksum)
{
	const struct wire_case *c = &wire_cases[2];
	struct udp_hdr h = {c->src_port, c->dst_port, 0, 0};
	uint8_t out[UDP_HDR_LEN];

	udp_wire_emit(out, &h, CAP_SRC, CAP_DST, c->dgram + UDP_HDR_LEN,
		      c->len - UDP_HDR_LEN);
	CHECK_EQ(ld_be16(out + UDP_OFF_CHECKSUM), 0xffff);
}

TEST(emit_empty_datagram)
{
	struct udp_hdr h = {1234, 5678, 0, 0};
	uint8_t out[UDP_HDR_LEN];
	struct udp_hdr back;

	CHECK_EQ(udp_wire_emit(out, &h, CAP_SRC, CAP_DST, NULL, 0),
		 UDP_HDR_LEN);
	CHECK_EQ(ld_be16(out + UDP_OFF_LENGTH), UDP_HDR_LEN);
	CHECK(ld_be16(out + UDP_OFF_CHECKSUM) != 0);
	CHECK_EQ(udp_wire_parse(out, sizeof(out), CAP_SRC, CAP_DST, &back),
		 UDP_WIRE_OK);
	CHECK_EQ(back.src_port, 1234);
	CHECK_EQ(back.dst_port, 5678);
}

TEST(emit_refuses_oversized)
{
	static uint8_t data[UDP_MAX_DATA + 1];
	struct udp_hdr h = {1, 2, 0, 0};
	uint8_t out[UDP_HDR_LEN];

	memset(out, 0xee, sizeof(out));
	CHECK_EQ(udp_wire_emit(out, &h, CAP_SRC, CAP_DST, data, sizeof(data)),
		 0);
	CHECK_EQ(out[0], 0xee);
	CHECK_EQ(udp_wire_emit(out, &h, CAP_SRC, CAP_DST, data, UDP_MAX_DATA),
		 UDP_HDR_LEN);
	CHECK_EQ(ld_be16(out + UDP_OFF_LENGTH), 65535);
}

TEST(zero_checksum_is_not_verified)
{
	for (size_t i = 0; i < N_CASES; i++) {
		const struct wire_case *c = &wire_cases[i];
		uint8_t *p = copy_case(c, 0);
		struct udp_hdr h;

		st_be16(p + UDP_OFF_CHECKSUM, 0);
		/* RFC 768: zero means the sender computed none. */
		CHECK_EQ(udp_wire_parse(p, c->len, CAP_SRC, CAP_DST, &h),
			 UDP_WIRE_OK);
		CHECK_EQ(h.checksum, 0);
		/* Even with a wrong pseudo-header. */
		CHECK_EQ(udp_wire_parse(p, c->len, 1, 2, &h), UDP_WIRE_OK);
	}
}

TEST(trailing_bytes_ignored)
{
	for (size_t i = 0; i < N_CASES; i++) {
		const struct wire_case *c = &wire_cases[i];
		uint8_t *p = copy_case(c, 7);
		struct udp_hdr h;

		/* The IP payload is longer than the UDP length: the extra
		 * bytes are neither data nor checksummed. */
		CHECK_EQ(udp_wire_parse(p, c->len + 7, CAP_SRC, CAP_DST, &h),
			 UDP_WIRE_OK);
		CHECK_EQ(h.length, c->len);
	}
}

TEST(short_input)
{
	copy_case(&wire_cases[0], 0);
	for (size_t n = 0; n < UDP_HDR_LEN; n++) {
		/* The bytes end at the end of pkt: ASan catches overreads. */
		uint8_t *p = pkt + sizeof(pkt) - n;
		struct udp_hdr h;

		CHECK_EQ(udp_wire_parse(p, n, CAP_SRC, CAP_DST, &h),
			 UDP_WIRE_SHORT);
	}
}

TEST(bad_length_field)
{
	const struct wire_case *c = &wire_cases[1];
	struct udp_hdr h;
	uint8_t *p;

	for (uint16_t l = 0; l < UDP_HDR_LEN; l++) {
		p = copy_case(c, 0);
		st_be16(p + UDP_OFF_LENGTH, l);
		CHECK_EQ(udp_wire_parse(p, c->len, CAP_SRC, CAP_DST, &h),
			 UDP_WIRE_BAD_LENGTH);
	}
	/* Longer than what arrived: truncated in transit, or a lie. */
	p = copy_case(c, 0);
	st_be16(p + UDP_OFF_LENGTH, (uint16_t)(c->len + 1));
	CHECK_EQ(udp_wire_parse(p, c->len, CAP_SRC, CAP_DST, &h),
		 UDP_WIRE_BAD_LENGTH);
	CHECK_EQ(udp_wire_parse(c->dgram, c->len - 1, CAP_SRC, CAP_DST, &h),
		 UDP_WIRE_BAD_LENGTH);
	st_be16(p + UDP_OFF_LENGTH, 0xffff);
	CHECK_EQ(udp_wire_parse(p, c->len, CAP_SRC, CAP_DST, &h),
		 UDP_WIRE_BAD_LENGTH);
}

TEST(bad_checksum_every_byte)
{
	for (size_t i = 0; i < N_CASES; i++) {
		const struct wire_case *c = &wire_cases[i];
		struct udp_hdr h;

		for (size_t b = 0; b < c->len; b++) {
			uint8_t *p = copy_case(c, 0);

			if (b == UDP_OFF_LENGTH || b == UDP_OFF_LENGTH + 1)
				continue; /* a length check catches those */
			p[b] ^= 0x10;
			CHECK_EQ(
			    udp_wire_parse(p, c->len, CAP_SRC, CAP_DST, &h),
			    UDP_WIRE_BAD_CHECKSUM);
		}
	}
}

TEST(bad_checksum_pseudo_header)
{
	const struct wire_case *c = &wire_cases[0];
	struct udp_hdr h;

	/* The same bytes between other addresses fail. */
	CHECK_EQ(udp_wire_parse(c->dgram, c->len, CAP_SRC, CAP_DST + 1, &h),
		 UDP_WIRE_BAD_CHECKSUM);
	CHECK_EQ(udp_wire_parse(c->dgram, c->len, CAP_SRC + 256, CAP_DST, &h),
		 UDP_WIRE_BAD_CHECKSUM);
	/* Swapping source and destination leaves the sum unchanged. */
	CHECK_EQ(udp_wire_parse(c->dgram, c->len, CAP_DST, CAP_SRC, &h),
		 UDP_WIRE_OK);
}

TEST(read_quote_unchecked)
{
	static const uint8_t q[UDP_HDR_LEN] = {0xc3, 0x50, 0x00, 0x35,
					       0x00, 0x03, 0xab, 0xcd};
	struct udp_hdr h;

	udp_wire_read(q, &h);
	CHECK_EQ(h.src_port, 50000);
	CHECK_EQ(h.dst_port, 53);
	CHECK_EQ(h.length, 3);
	CHECK_EQ(h.checksum, 0xabcd);
}

TEST(garbage_never_overreads)
{
	uint32_t x = 0x12345678;

	/* Random bytes of every length, ending at the end of pkt. */
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)round % (sizeof(pkt) + 1);
		uint8_t *p = pkt + sizeof(pkt) - n;
		struct udp_hdr h;
		enum udp_wire_status st;

		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			p[i] = (uint8_t)(x >> 16);
		}
		if (n >= UDP_HDR_LEN && round % 3 == 0)
			st_be16(p + UDP_OFF_LENGTH, (uint16_t)n);
		st = udp_wire_parse(p, n, CAP_SRC, CAP_DST, &h);
		CHECK(st == UDP_WIRE_OK || st == UDP_WIRE_SHORT ||
		      st == UDP_WIRE_BAD_LENGTH || st == UDP_WIRE_BAD_CHECKSUM);
		if (st == UDP_WIRE_OK)
			CHECK(h.length >= UDP_HDR_LEN && h.length <= n);
	}
}
