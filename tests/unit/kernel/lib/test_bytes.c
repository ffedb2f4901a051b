/*
 * test_bytes.c - kernel/lib/include/klib/bytes.h.
 *
 * Each load and store against known byte patterns, at every offset within a
 * word (the helpers must not care about alignment), and stores checked to
 * touch exactly their own bytes. Then round trips over values with every
 * byte distinct and with the top bit set, which shows up sign-extension
 * mistakes.
 */
#include "test.h"

#include <klib/bytes.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Filler around each store, to see that it writes only its own bytes. */
#define GUARD 0xa5

static const uint8_t pattern[8] = { 0x01, 0x23, 0x45, 0x67,
				    0x89, 0xab, 0xcd, 0xef };

TEST(loads_at_every_offset)
{
	uint8_t buf[16];

	for (size_t off = 0; off < 8; off++) {
		memset(buf, GUARD, sizeof(buf));
		memcpy(buf + off, pattern, sizeof(pattern));
		CHECK_EQ(ld_be16(buf + off), 0x0123);
		CHECK_EQ(ld_le16(buf + off), 0x2301);
		CHECK_EQ(ld_be32(buf + off), 0x01234567);
		CHECK_EQ(ld_le32(buf + off), 0x67452301);
		CHECK(ld_le64(buf + off) == 0xefcdab8967452301ULL);
	}
}

TEST(loads_with_high_bits)
{
	static const uint8_t ff[8] = { 0xff, 0xfe, 0x80, 0x7f,
				       0x80, 0x00, 0x00, 0x81 };

	CHECK_EQ(ld_be16(ff), 0xfffe);
	CHECK_EQ(ld_le16(ff), 0xfeff);
	CHECK(ld_be32(ff) == 0xfffe807fu);
	CHECK(ld_le32(ff) == 0x7f80feffu);
	CHECK(ld_le32(ff + 4) == 0x81000080u);
	CHECK(ld_le64(ff) == 0x810000807f80feffULL);
}

/* Stores v of n bytes at each offset; want holds the expected bytes. */
static bool check_store(void (*store)(uint8_t *p, uint64_t v), uint64_t v,
			const uint8_t *want, size_t n)
{
	for (size_t off = 0; off < 8; off++) {
		uint8_t buf[16], expect[16];

		memset(buf, GUARD, sizeof(buf));
		memset(expect, GUARD, sizeof(expect));
		memcpy(expect + off, want, n);
		store(buf + off, v);
		if (memcmp(buf, expect, sizeof(buf)) != 0) {
			test_fail(__FILE__, __LINE__, "store n=%zu off=%zu", n,
				  off);
			return false;
		}
	}
	return true;
}

/* Adapters giving every store one signature for check_store(). */
static void store_be16(uint8_t *p, uint64_t v)
{
	st_be16(p, (uint16_t)v);
}

static void store_le16(uint8_t *p, uint64_t v)
{
	st_le16(p, (uint16_t)v);
}

static void store_be32(uint8_t *p, uint64_t v)
{
	st_be32(p, (uint32_t)v);
}

static void store_le32(uint8_t *p, uint64_t v)
{
	st_le32(p, (uint32_t)v);
}

static void store_le64(uint8_t *p, uint64_t v)
{
	st_le64(p, v);
}

TEST(stores_at_every_offset)
{
	static const uint8_t le[8] = { 0xef, 0xcd, 0xab, 0x89,
				       0x67, 0x45, 0x23, 0x01 };
	static const struct {
		void (*store)(uint8_t *p, uint64_t v);
		uint64_t v;
		const uint8_t *want;
		size_t n;
	} cases[] = {
		{ store_be16, 0x0123, pattern, 2 },
		{ store_le16, 0x2301, pattern, 2 },
		{ store_be32, 0x01234567, pattern, 4 },
		{ store_le32, 0x67452301, pattern, 4 },
		{ store_le64, 0x0123456789abcdefULL, le, 8 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (!check_store(cases[i].store, cases[i].v, cases[i].want,
				 cases[i].n))
			return;
}

TEST(round_trips)
{
	static const uint64_t vals[] = {
		0,
		1,
		0x80,
		0x8000,
		0x80000000u,
		0x8000000000000000ULL,
		0x0102030405060708ULL,
		0xfffefdfcfbfaf9f8ULL,
		UINT64_MAX,
	};
	uint8_t buf[9];

	for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
		uint64_t v = vals[i];

		st_be16(buf + 1, (uint16_t)v);
		CHECK_EQ(ld_be16(buf + 1), (uint16_t)v);
		st_le16(buf + 1, (uint16_t)v);
		CHECK_EQ(ld_le16(buf + 1), (uint16_t)v);
		st_be32(buf + 1, (uint32_t)v);
		CHECK(ld_be32(buf + 1) == (uint32_t)v);
		st_le32(buf + 1, (uint32_t)v);
		CHECK(ld_le32(buf + 1) == (uint32_t)v);
		st_le64(buf + 1, v);
		CHECK(ld_le64(buf + 1) == v);
	}
}

/* Big- and little-endian stores of the same value mirror each other. */
TEST(be_is_reversed_le)
{
	uint8_t be[4], le[4];

	st_be32(be, 0xdeadbeef);
	st_le32(le, 0xdeadbeef);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(be[i], le[3 - i]);
	CHECK_EQ(be[0], 0xde);
	st_be16(be, 0xbeef);
	st_le16(le, 0xbeef);
	CHECK_EQ(be[0], le[1]);
	CHECK_EQ(be[1], le[0]);
	CHECK_EQ(be[0], 0xbe);
}
