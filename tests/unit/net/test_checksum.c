/*
 * test_checksum.c - the Internet checksum (net/checksum.c, RFC 1071).
 *
 * The worked example of RFC 1071 §3, a real IPv4 header, odd lengths,
 * sums split across buffers, and csum_add() against a naive word-by-word
 * reference on pseudo-random data.
 */
#include "test.h"

#include "checksum.h"

/* RFC 1071 §3, "Numerical Examples": the sum of these bytes is ddf2. */
static const uint8_t rfc1071_bytes[] = {0x00, 0x01, 0xf2, 0x03,
					0xf4, 0xf5, 0xf6, 0xf7};

/* An echo request header captured from Linux (checksum 0x7479). */
static const uint8_t captured_ip_hdr[] = {
    0x45, 0x00, 0x00, 0x54, 0xb2, 0x1b, 0x40, 0x00, 0x40, 0x01,
    0x74, 0x79, 0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02,
};

static uint32_t test_rng_state = 0x2545f491u;

static uint32_t test_rng(void)
{
	/* xorshift32: deterministic, so a failure reproduces. */
	test_rng_state ^= test_rng_state << 13;
	test_rng_state ^= test_rng_state >> 17;
	test_rng_state ^= test_rng_state << 5;
	return test_rng_state;
}

/* The checksum the slow, obvious way: 16-bit words, end-around carry. */
static uint16_t naive_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2) {
		uint32_t w = (uint32_t)p[i] << 8;

		if (i + 1 < len)
			w |= p[i + 1];
		sum += w;
		if (sum > 0xffff)
			sum = (sum & 0xffff) + 1;
	}
	return (uint16_t)~sum;
}

TEST(rfc1071_example)
{
	uint32_t sum = csum_add(0, rfc1071_bytes, sizeof(rfc1071_bytes));

	CHECK_EQ(csum_fold(sum), 0x220d);
	CHECK_EQ((uint16_t)~csum_fold(sum), 0xddf2);
}

TEST(rfc1071_example_byte_order_independent)
{
	/* RFC 1071 §2(B): swapping bytes swaps the sum. */
	uint8_t swapped[sizeof(rfc1071_bytes)];

	for (size_t i = 0; i < sizeof(swapped); i += 2) {
		swapped[i] = rfc1071_bytes[i + 1];
		swapped[i + 1] = rfc1071_bytes[i];
	}
	CHECK_EQ((uint16_t)~csum_fold(csum_add(0, swapped, sizeof(swapped))),
		 0xf2dd);
}

TEST(captured_header_verifies)
{
	uint8_t h[sizeof(captured_ip_hdr)];

	CHECK_EQ(csum_fold(csum_add(0, captured_ip_hdr, sizeof(h))), 0);
	memcpy(h, captured_ip_hdr, sizeof(h));
	h[10] = 0;
	h[11] = 0;
	CHECK_EQ(csum_fold(csum_add(0, h, sizeof(h))), 0x7479);
}

TEST(empty_and_zero)
{
	static const uint8_t zeros[64];

	CHECK_EQ(csum_add(0, zeros, 0), 0);
	CHECK_EQ(csum_fold(0), 0xffff);
	CHECK_EQ(csum_fold(csum_add(0, zeros, sizeof(zeros))), 0xffff);
}

TEST(odd_lengths_pad_with_zero)
{
	static const uint8_t one[] = {0x01};
	static const uint8_t three[] = {0x01, 0x02, 0x03};
	static const uint8_t three_padded[] = {0x01, 0x02, 0x03, 0x00};

	CHECK_EQ(csum_add(0, one, 1), 0x0100);
	CHECK_EQ(csum_add(0, three, 3), 0x0402);
	CHECK_EQ(csum_add(0, three, 3), csum_add(0, three_padded, 4));
	for (size_t len = 1; len < 16; len += 2) {
		uint8_t b[16];

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)(0xf0 + i);
		CHECK_EQ(csum_fold(csum_add(0, b, len)),
			 naive_checksum(b, len));
	}
}

TEST(all_ones_carries)
{
	static uint8_t ff[65535];

	memset(ff, 0xff, sizeof(ff));
	for (size_t len = 0; len <= sizeof(ff); len += len < 64 ? 1 : 4093)
		CHECK_EQ(csum_fold(csum_add(0, ff, len)),
			 naive_checksum(ff, len));
	CHECK_EQ(csum_fold(csum_add(0, ff, sizeof(ff))),
		 naive_checksum(ff, sizeof(ff)));
}

TEST(split_buffers_equal_whole)
{
	uint8_t buf[301];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)test_rng();
	for (size_t cut = 0; cut <= sizeof(buf); cut += 2) {
		uint32_t sum = csum_add(0, buf, cut);

		sum = csum_add(sum, buf + cut, sizeof(buf) - cut);
		CHECK_EQ(csum_fold(sum),
			 csum_fold(csum_add(0, buf, sizeof(buf))));
	}
}

TEST(three_way_split)
{
	uint8_t buf[200];
	uint32_t sum;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)test_rng();
	sum = csum_add(0, buf, 20);
	sum = csum_add(sum, buf + 20, 8);
	sum = csum_add(sum, buf + 28, 171);
	CHECK_EQ(csum_fold(sum), naive_checksum(buf, 199));
}

TEST(random_against_naive)
{
	static uint8_t buf[2048];

	for (int round = 0; round < 2000; round++) {
		size_t len = test_rng() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)test_rng();
		CHECK_EQ(csum_fold(csum_add(0, buf, len)),
			 naive_checksum(buf, len));
	}
}

TEST(running_sum_any_start)
{
	uint8_t buf[64];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)test_rng();
	/* A partial sum already near the top still folds correctly. */
	for (uint32_t start = 0xff00; start <= 0xffff; start++) {
		uint8_t pre[2] = {(uint8_t)(start >> 8), (uint8_t)start};
		uint8_t all[2 + sizeof(buf)];

		memcpy(all, pre, 2);
		memcpy(all + 2, buf, sizeof(buf));
		CHECK_EQ(csum_fold(csum_add(start, buf, sizeof(buf))),
			 naive_checksum(all, sizeof(all)));
	}
}

TEST(pseudo_header_matches_bytes)
{
	for (int round = 0; round < 1000; round++) {
		uint32_t src = test_rng(), dst = test_rng();
		uint8_t proto = (uint8_t)test_rng();
		uint16_t len = (uint16_t)test_rng();
		uint8_t ph[12] = {
		    (uint8_t)(src >> 24),
		    (uint8_t)(src >> 16),
		    (uint8_t)(src >> 8),
		    (uint8_t)src,
		    (uint8_t)(dst >> 24),
		    (uint8_t)(dst >> 16),
		    (uint8_t)(dst >> 8),
		    (uint8_t)dst,
		    0,
		    proto,
		    (uint8_t)(len >> 8),
		    (uint8_t)len,
		};

		CHECK_EQ(csum_fold(csum_pseudo_ipv4(src, dst, proto, len)),
			 naive_checksum(ph, sizeof(ph)));
	}
}
