/*
 * test_tcp_wire.c - the TCP header and options on the wire (net/tcp_wire.c).
 *
 * A SYN laid out as Linux sends it (MSS, SACK-permitted, timestamps, NOP,
 * window scale) is parsed; segments emitted by tcp_wire_emit() are compared
 * with bytes written here at literal offsets, and their checksums verified
 * with the reference checksum of fake_netdev.c. Then every malformed input:
 * short, bad data offset, every corrupted byte, each option with a wrong
 * length, an option running past the header; and random garbage (under
 * ASan, nothing may be read out of bounds).
 */
#include "test.h"

#include <klib/bytes.h>

#include "fake_netdev.h"
#include "tcp_wire.h"

#define SRC 0x0a000001u
#define DST 0x0a000002u

static uint8_t seg[128];

/* Over a segment with its checksum in place: 0 when correct. */
static uint16_t t_csum(uint32_t src, uint32_t dst, const uint8_t *p, size_t len)
{
	uint8_t ph[12];

	st_be32(ph, src);
	st_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 6;
	st_be16(ph + 10, (uint16_t)len);
	return fake_csum_fold(
	    fake_csum_add(fake_csum_add(0, ph, sizeof(ph)), p, len));
}

/* Header fields at literal offsets, options copied after, checksummed. */
static size_t t_build(uint8_t flags, const uint8_t *opt, size_t olen,
		      const uint8_t *data, size_t dlen)
{
	size_t hlen = 20 + olen;

	memset(seg, 0, sizeof(seg));
	st_be16(seg, 50000);
	st_be16(seg + 2, 7);
	st_be32(seg + 4, 0x01020304);
	st_be32(seg + 8, 0xa0b0c0d0);
	seg[12] = (uint8_t)((hlen / 4) << 4);
	seg[13] = flags;
	st_be16(seg + 14, 64240);
	if (olen > 0)
		memcpy(seg + 20, opt, olen);
	if (dlen > 0)
		memcpy(seg + hlen, data, dlen);
	st_be16(seg + 16, t_csum(SRC, DST, seg, hlen + dlen));
	return hlen + dlen;
}

static const uint8_t linux_syn_opts[20] = {
    2, 4,  0x05, 0xb4,			       /* MSS 1460 */
    4, 2,				       /* SACK permitted */
    8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, /* TS 0x11223344, 0 */
    1,					       /* NOP */
    3, 3,  7};				       /* window scale 7 */

TEST(parse_linux_syn)
{
	struct tcp_hdr h;
	size_t n = t_build(0x02, linux_syn_opts, 20, NULL, 0);

	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_OK);
	CHECK_EQ(h.src_port, 50000);
	CHECK_EQ(h.dst_port, 7);
	CHECK_EQ(h.seq, 0x01020304u);
	CHECK_EQ(h.ack, 0xa0b0c0d0u);
	CHECK_EQ(h.hdr_len, 40);
	CHECK_EQ(h.flags, TCP_FLAG_SYN);
	CHECK_EQ(h.window, 64240);
	CHECK(h.opts.has_mss);
	CHECK_EQ(h.opts.mss, 1460);
	CHECK(h.opts.sack_permitted);
	CHECK(h.opts.has_ts);
	CHECK_EQ(h.opts.ts_val, 0x11223344u);
	CHECK_EQ(h.opts.ts_ecr, 0);
	CHECK(h.opts.has_wscale);
	CHECK_EQ(h.opts.wscale, 7);
	CHECK_EQ(h.opts.sack_count, 0);
}

TEST(parse_data_and_sack_blocks)
{
	static const uint8_t opt[20] = {1, 1,  5, 18, 0, 0, 0, 10, 0, 0,
					0, 20, 0, 0,  1, 0, 0, 0,  2, 0};
	struct tcp_hdr h;
	size_t n = t_build(0x18, opt, 20, (const uint8_t *)"hello", 5);

	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_OK);
	CHECK_EQ(h.flags, TCP_FLAG_PSH | TCP_FLAG_ACK);
	CHECK_EQ(n - h.hdr_len, 5);
	CHECK_EQ(h.opts.sack_count, 2);
	CHECK_EQ(h.opts.sack[0].left, 10);
	CHECK_EQ(h.opts.sack[0].right, 20);
	CHECK_EQ(h.opts.sack[1].left, 256);
	CHECK_EQ(h.opts.sack[1].right, 512);
}

TEST(emit_syn_layout)
{
	static const uint8_t want[20] = {2,    4,    0x05, 0xb4, 1,  3,	   3,
					 7,    4,    2,	   8,	 10, 0xde, 0xad,
					 0xbe, 0xef, 0,	   0,	 0,  9};
	struct tcp_hdr h = {0};
	uint8_t out[TCP_HDR_MAX];

	h.src_port = 7;
	h.dst_port = 50000;
	h.seq = 0x11111111;
	h.ack = 0x22222222;
	h.flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
	h.window = 65535;
	h.opts.has_mss = true;
	h.opts.mss = 1460;
	h.opts.has_wscale = true;
	h.opts.wscale = 7;
	h.opts.sack_permitted = true;
	h.opts.has_ts = true;
	h.opts.ts_val = 0xdeadbeef;
	h.opts.ts_ecr = 9;
	CHECK_EQ(tcp_wire_options_len(&h.opts), 20);
	CHECK_EQ(tcp_wire_emit(out, &h, DST, SRC, NULL, 0), 40);
	CHECK_EQ(ld_be16(out), 7);
	CHECK_EQ(ld_be16(out + 2), 50000);
	CHECK_EQ(ld_be32(out + 4), 0x11111111u);
	CHECK_EQ(ld_be32(out + 8), 0x22222222u);
	CHECK_EQ(out[12], 10 << 4);
	CHECK_EQ(out[13], 0x12);
	CHECK_EQ(ld_be16(out + 14), 65535);
	CHECK_EQ(ld_be16(out + 18), 0);
	CHECK_MEM(out + 20, want, 20);
	CHECK_EQ(t_csum(DST, SRC, out, 40), 0);
}

TEST(emit_checksum_covers_data)
{
	static const uint8_t data[7] = {1, 2, 3, 4, 5, 6, 7}; /* odd */
	struct tcp_hdr h = {0};
	uint8_t buf[TCP_HDR_MAX + sizeof(data)];
	size_t hl;

	h.src_port = 1;
	h.dst_port = 2;
	h.flags = TCP_FLAG_ACK;
	hl = tcp_wire_emit(buf, &h, SRC, DST, data, sizeof(data));
	CHECK_EQ(hl, 20);
	memcpy(buf + hl, data, sizeof(data));
	CHECK_EQ(t_csum(SRC, DST, buf, hl + sizeof(data)), 0);
}

TEST(emit_parse_roundtrip_sack_with_timestamps)
{
	struct tcp_hdr h = {0}, p;
	uint8_t buf[TCP_HDR_MAX];
	size_t hl;

	h.flags = TCP_FLAG_ACK;
	h.opts.has_ts = true;
	h.opts.ts_val = 5;
	h.opts.ts_ecr = 6;
	h.opts.sack_count = 3;
	for (int i = 0; i < 3; i++) {
		h.opts.sack[i].left = 1000u * (uint32_t)i + 0xfffff000u;
		h.opts.sack[i].right = 1000u * (uint32_t)i + 0xfffff100u;
	}
	hl = tcp_wire_emit(buf, &h, SRC, DST, NULL, 0);
	CHECK_EQ(hl, 60);
	CHECK_EQ(tcp_wire_parse(buf, hl, SRC, DST, &p), TCP_WIRE_OK);
	CHECK(p.opts.has_ts);
	CHECK_EQ(p.opts.ts_val, 5);
	CHECK_EQ(p.opts.ts_ecr, 6);
	CHECK_EQ(p.opts.sack_count, 3);
	CHECK_EQ(p.opts.sack[2].right, 0xfffff100u + 2000u);
}

TEST(emit_refuses_options_over_40_bytes)
{
	struct tcp_hdr h = {0};
	uint8_t buf[TCP_HDR_MAX];

	h.opts.has_ts = true;
	h.opts.sack_count = 4; /* 12 + 4 + 32 = 48 */
	CHECK_EQ(tcp_wire_emit(buf, &h, SRC, DST, NULL, 0), 0);
}

TEST(short_and_bad_offset)
{
	struct tcp_hdr h;
	size_t n = t_build(0x10, NULL, 0, NULL, 0);

	CHECK_EQ(tcp_wire_parse(seg, 19, SRC, DST, &h), TCP_WIRE_SHORT);
	CHECK_EQ(tcp_wire_parse(seg, 0, SRC, DST, &h), TCP_WIRE_SHORT);
	seg[12] = 4 << 4;
	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_BAD_OFFSET);
	seg[12] = 6 << 4; /* 24 bytes of header in a 20-byte segment */
	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_BAD_OFFSET);
}

TEST(bad_checksum_every_byte)
{
	struct tcp_hdr h;
	size_t n = t_build(0x02, linux_syn_opts, 20, (const uint8_t *)"abc", 3);

	for (size_t i = 0; i < n; i++) {
		if (i == 12)
			continue; /* the offset check comes first */
		seg[i] ^= 0x01;
		CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h),
			 TCP_WIRE_BAD_CHECKSUM);
		seg[i] ^= 0x01;
	}
	CHECK_EQ(tcp_wire_parse(seg, n, SRC + 1, DST, &h),
		 TCP_WIRE_BAD_CHECKSUM);
	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_OK);
}

/* Options that must make the segment malformed, each padded to 4n. */
static const struct {
	uint8_t len;
	uint8_t opt[12];
} bad_opts[] = {
    {4, {2, 3, 5, 0}},				/* MSS of length 3 */
    {8, {2, 5, 5, 180, 0, 1, 1, 1}},		/* MSS of length 5 */
    {4, {3, 4, 7, 0}},				/* window scale of length 4 */
    {4, {4, 3, 0, 0}},				/* SACK-permitted of length 3 */
    {12, {8, 8, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}}, /* timestamps of 8 */
    {12, {5, 9, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1}}, /* SACK of length 9 */
    {4, {5, 2, 1, 1}},				/* SACK with no block */
    {4, {99, 1, 0, 0}},				/* length 1 */
    {4, {99, 0, 0, 0}},				/* length 0 */
    {4, {99, 5, 0, 0}},				/* past the header */
    {4, {1, 1, 1, 2}},				/* kind with no length byte */
};

TEST(malformed_options)
{
	struct tcp_hdr h;

	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		size_t n =
		    t_build(0x10, bad_opts[i].opt, bad_opts[i].len, NULL, 0);

		if (tcp_wire_parse(seg, n, SRC, DST, &h) !=
		    TCP_WIRE_BAD_OPTIONS) {
			test_fail(__FILE__, __LINE__, "bad option %zu taken",
				  i);
			return;
		}
	}
}

TEST(unknown_option_skipped_and_eol_ends)
{
	static const uint8_t opt[12] = {
	    30, 4, 0xaa, 0xbb, 2, 4, 1, 0, 0, 9, 9, 9}; /* EOL, then junk */
	struct tcp_hdr h;
	size_t n = t_build(0x10, opt, 12, NULL, 0);

	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_OK);
	CHECK(h.opts.has_mss);
	CHECK_EQ(h.opts.mss, 256);
	CHECK(!h.opts.has_ts);
}

TEST(wscale_above_14_passed_up_as_is)
{
	static const uint8_t opt[4] = {1, 3, 3, 15};
	struct tcp_hdr h;
	size_t n = t_build(0x02, opt, 4, NULL, 0);

	CHECK_EQ(tcp_wire_parse(seg, n, SRC, DST, &h), TCP_WIRE_OK);
	CHECK_EQ(h.opts.wscale, 15); /* tcp_in.c clamps (RFC 7323 §2.3) */
}

TEST(read_quote_unchecked)
{
	uint16_t sp, dp;
	uint32_t seq;

	t_build(0x10, NULL, 0, NULL, 0);
	tcp_wire_read_quote(seg, &sp, &dp, &seq);
	CHECK_EQ(sp, 50000);
	CHECK_EQ(dp, 7);
	CHECK_EQ(seq, 0x01020304u);
}

TEST(garbage_never_overreads)
{
	static uint8_t buf[64];
	uint32_t x = 12345;
	struct tcp_hdr h;

	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(round % 61);
		uint8_t *p = buf + sizeof(buf) - len; /* ends at the end */

		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			p[i] = (uint8_t)(x >> 16);
		}
		if (len > 12)
			p[12] = (uint8_t)((5 + round % 11) << 4);
		(void)tcp_wire_parse(p, len, SRC, DST, &h);
		(void)tcp_wire_parse_options(p, len, &h.opts);
	}
	CHECK(true);
}
