/*
 * test_string.c - kernel/lib/string.c against the host C library.
 *
 * string.c is built with -DKLIB_PREFIX, so its functions are klib_memcpy,
 * klib_strlen, ... and each is compared with glibc's namesake: the memory
 * functions over every small size and every source/destination offset within
 * a word (memmove with overlaps in both directions, guard bytes checked), the
 * comparisons by the sign of their result over all byte pairs, and the
 * string searches on tables of edge cases (empty strings, embedded and
 * terminating NULs, bytes above 0x7f, non-letters one case bit apart).
 */
/* glibc declares strnlen and strcasecmp only for POSIX builds. */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include "klib_string_test.h"

#include <stdlib.h>
#include <strings.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Sizes and offsets swept by the memory tests: past a few words each way. */
#define MAX_N 80
#define MAX_OFF 16
#define BUF_LEN (MAX_N + 2 * MAX_OFF + 16)

static uint32_t rng_state = 0x2545f491;

/* xorshift32: a fixed pseudo-random sequence, so failures reproduce. */
static uint8_t rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (uint8_t)(rng_state >> 24);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rng_byte();
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static bool memcpy_case(size_t n, size_t doff, size_t soff)
{
	_Alignas(16) uint8_t src[BUF_LEN];
	_Alignas(16) uint8_t want[BUF_LEN];
	_Alignas(16) uint8_t got[BUF_LEN];

	fill_random(src, sizeof(src));
	fill_random(want, sizeof(want));
	memcpy(got, want, sizeof(got));
	memcpy(want + doff, src + soff, n);
	if (klib_memcpy(got + doff, src + soff, n) != got + doff ||
	    memcmp(got, want, sizeof(got)) != 0) {
		test_fail(__FILE__, __LINE__, "memcpy n=%zu doff=%zu soff=%zu",
			  n, doff, soff);
		return false;
	}
	return true;
}

TEST(memcpy_sizes_and_alignments)
{
	for (size_t n = 0; n <= MAX_N; n++)
		for (size_t doff = 0; doff < MAX_OFF; doff++)
			for (size_t soff = 0; soff < MAX_OFF; soff++)
				if (!memcpy_case(n, doff, soff))
					return;
}

TEST(memcpy_large)
{
	enum { LEN = 4096 + 13 };
	uint8_t *src = malloc(LEN);
	uint8_t *dst = malloc(LEN);

	CHECK(src != NULL && dst != NULL);
	fill_random(src, LEN);
	klib_memcpy(dst + 3, src + 3, LEN - 3);
	CHECK_MEM(dst + 3, src + 3, LEN - 3);
	klib_memcpy(dst, src + 5, LEN - 5);
	CHECK_MEM(dst, src + 5, LEN - 5);
	free(src);
	free(dst);
}

/* Both copies start from the same bytes; ranges overlap when close. */
static bool memmove_case(size_t n, size_t doff, size_t soff)
{
	_Alignas(16) uint8_t want[BUF_LEN];
	_Alignas(16) uint8_t got[BUF_LEN];

	fill_random(want, sizeof(want));
	memcpy(got, want, sizeof(got));
	memmove(want + doff, want + soff, n);
	if (klib_memmove(got + doff, got + soff, n) != got + doff ||
	    memcmp(got, want, sizeof(got)) != 0) {
		test_fail(__FILE__, __LINE__, "memmove n=%zu doff=%zu soff=%zu",
			  n, doff, soff);
		return false;
	}
	return true;
}

TEST(memmove_overlap_both_directions)
{
	/* Offsets up to 2 * MAX_OFF put dst before, on, and after src. */
	for (size_t n = 0; n <= MAX_N; n++)
		for (size_t doff = 0; doff < 2 * MAX_OFF; doff++)
			for (size_t soff = 0; soff < 2 * MAX_OFF; soff++)
				if (!memmove_case(n, doff, soff))
					return;
}

TEST(memmove_large_overlap)
{
	enum { LEN = 4096 };
	uint8_t *want = malloc(LEN + 64);
	uint8_t *got = malloc(LEN + 64);

	CHECK(want != NULL && got != NULL);
	for (size_t shift = 1; shift < 64; shift += 7) {
		fill_random(want, LEN + 64);
		memcpy(got, want, LEN + 64);
		memmove(want + shift, want, LEN);
		klib_memmove(got + shift, got, LEN);
		CHECK_MEM(got, want, LEN + 64);
		memmove(want, want + shift, LEN);
		klib_memmove(got, got + shift, LEN);
		CHECK_MEM(got, want, LEN + 64);
	}
	free(want);
	free(got);
}

static bool memset_case(size_t n, size_t off, int c)
{
	_Alignas(16) uint8_t want[BUF_LEN];
	_Alignas(16) uint8_t got[BUF_LEN];

	fill_random(want, sizeof(want));
	memcpy(got, want, sizeof(got));
	memset(want + off, c, n);
	if (klib_memset(got + off, c, n) != got + off ||
	    memcmp(got, want, sizeof(got)) != 0) {
		test_fail(__FILE__, __LINE__, "memset n=%zu off=%zu c=%d", n,
			  off, c);
		return false;
	}
	return true;
}

TEST(memset_sizes_alignments_values)
{
	/* Values outside 0..255 are converted to unsigned char. */
	static const int values[] = { 0, 1, 0x5a, 0x80, 0xff, 0x1ab, -1, -128 };

	for (size_t v = 0; v < ARRAY_LEN(values); v++)
		for (size_t n = 0; n <= MAX_N; n++)
			for (size_t off = 0; off < MAX_OFF; off++)
				if (!memset_case(n, off, values[v]))
					return;
}

TEST(memcmp_sign_at_every_position)
{
	uint8_t a[40], b[40];

	fill_random(a, sizeof(a));
	CHECK_EQ(klib_memcmp(a, a, sizeof(a)), 0);
	CHECK_EQ(klib_memcmp(a, b, 0), 0);
	for (size_t i = 0; i < sizeof(a); i++) {
		static const uint8_t pairs[][2] = {
			{ 0x00, 0x01 }, { 0x7f, 0x80 }, { 0x01, 0xff },
			{ 0xfe, 0xff }, { 0x80, 0x00 },
		};

		for (size_t p = 0; p < ARRAY_LEN(pairs); p++) {
			memcpy(b, a, sizeof(b));
			a[i] = pairs[p][0];
			b[i] = pairs[p][1];
			for (size_t n = 0; n <= sizeof(a); n++)
				CHECK_EQ(sign(klib_memcmp(a, b, n)),
					 sign(memcmp(a, b, n)));
		}
	}
}

TEST(memchr_finds_first_within_bound)
{
	uint8_t buf[64];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 4 + 3);
	buf[40] = buf[10];
	for (int c = -256; c < 512; c++)
		for (size_t n = 0; n <= sizeof(buf); n += 9)
			CHECK(klib_memchr(buf, c, n) == memchr(buf, c, n));
	CHECK(klib_memchr(buf, buf[10], sizeof(buf)) == buf + 10);
	CHECK(klib_memchr(buf, buf[10] + 256, sizeof(buf)) == buf + 10);
	CHECK(klib_memchr(buf, buf[63], 63) == NULL);
	CHECK(klib_memchr(NULL, 0, 0) == NULL);
}

TEST(memchr_finds_zero_byte)
{
	static const uint8_t buf[] = { 1, 2, 0, 3, 0 };

	CHECK(klib_memchr(buf, 0, sizeof(buf)) == buf + 2);
	CHECK(klib_memchr(buf, 0, 2) == NULL);
}

TEST(strlen_and_strnlen)
{
	static const char *const strs[] = {
		"",
		"a",
		"ab",
		"abcdefg",
		"abcdefgh",
		"abcdefghi",
		"\xff\x80",
		"embedded\0zero",
		"a longer string that runs past several machine words",
	};
	/* Not terminated: strnlen must stop at max without reading on. */
	static const char raw[4] = { 'w', 'x', 'y', 'z' };

	for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
		size_t len = strlen(strs[i]);

		CHECK_EQ(klib_strlen(strs[i]), len);
		for (size_t max = 0; max <= len + 2; max++)
			CHECK_EQ(klib_strnlen(strs[i], max),
				 strnlen(strs[i], max));
	}
	CHECK_EQ(klib_strnlen(raw, sizeof(raw)), 4);
	CHECK_EQ(klib_strnlen(raw, 2), 2);
	CHECK_EQ(klib_strnlen(NULL, 0), 0);
}

/* Every pair of one-byte strings, then the pair behind a common prefix. */
TEST(strcmp_all_byte_pairs)
{
	char a[4] = "p", b[4] = "p";

	for (int x = 0; x < 256; x++) {
		for (int y = 0; y < 256; y++) {
			a[1] = (char)x;
			b[1] = (char)y;
			CHECK_EQ(sign(klib_strcmp(a + 1, b + 1)),
				 sign(strcmp(a + 1, b + 1)));
			CHECK_EQ(sign(klib_strcmp(a, b)), sign(strcmp(a, b)));
		}
	}
}

TEST(strcmp_and_strncmp_table)
{
	static const char *const pairs[][2] = {
		{ "", "" },	      { "", "a" },
		{ "a", "" },	      { "abc", "abc" },
		{ "abc", "abd" },     { "abd", "abc" },
		{ "abc", "abcd" },    { "abcd", "abc" },
		{ "a\x80", "a\x7f" }, { "same\0x", "same\0y" },
		{ "xyz", "XYZ" },     { "\xff", "\x01" },
	};

	for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
		const char *a = pairs[i][0], *b = pairs[i][1];

		CHECK_EQ(sign(klib_strcmp(a, b)), sign(strcmp(a, b)));
		for (size_t n = 0; n <= 6; n++)
			CHECK_EQ(sign(klib_strncmp(a, b, n)),
				 sign(strncmp(a, b, n)));
	}
}

/*
 * glibc in the "C" locale folds A-Z only, like klib; so every byte pair
 * must agree, including non-letters one case bit apart ('@' and '`',
 * '[' and '{', '_' and DEL) and bytes above 0x7f.
 */
TEST(strcasecmp_all_byte_pairs)
{
	char a[3] = "q", b[3] = "Q";

	for (int x = 0; x < 256; x++) {
		for (int y = 0; y < 256; y++) {
			a[1] = (char)x;
			b[1] = (char)y;
			CHECK_EQ(sign(klib_strcasecmp(a, b)),
				 sign(strcasecmp(a, b)));
			CHECK_EQ(sign(klib_strncasecmp(a, b, 2)),
				 sign(strncasecmp(a, b, 2)));
			CHECK_EQ(klib_strncasecmp(a, b, 1), 0);
		}
	}
}

TEST(strcasecmp_non_letters_differ)
{
	static const char *const pairs[][2] = {
		{ "@", "`" }, { "[", "{" },    { "\\", "|" },	   { "]", "}" },
		{ "^", "~" }, { "_", "\x7f" }, { "\xc0", "\xe0" },
	};

	for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
		CHECK(klib_strcasecmp(pairs[i][0], pairs[i][1]) != 0);
	CHECK_EQ(klib_strcasecmp("Hello, World!", "hELLO, wORLD!"), 0);
	CHECK_EQ(klib_strncasecmp("HostName", "hostnamex", 8), 0);
	CHECK(klib_strncasecmp("HostName", "hostnamex", 9) < 0);
	CHECK_EQ(klib_strncasecmp("abc", "xyz", 0), 0);
}

TEST(strchr_and_strrchr_every_byte)
{
	static const char s[] = "abcabc\x80\xff-";

	for (int c = -256; c < 512; c++) {
		CHECK(klib_strchr(s, c) == strchr(s, c));
		CHECK(klib_strrchr(s, c) == strrchr(s, c));
	}
	CHECK(klib_strchr(s, '\0') == s + sizeof(s) - 1);
	CHECK(klib_strrchr(s, '\0') == s + sizeof(s) - 1);
	CHECK(klib_strchr(s, 'c') == s + 2);
	CHECK(klib_strrchr(s, 'c') == s + 5);
	CHECK(klib_strchr("", 'a') == NULL);
	CHECK(klib_strrchr("", 'a') == NULL);
}

TEST(strstr_table)
{
	static const char *const cases[][2] = {
		{ "", "" },
		{ "abc", "" },
		{ "", "a" },
		{ "hello", "ll" },
		{ "hello", "hello" },
		{ "hello", "helloo" },
		{ "aaab", "aab" },
		{ "abcabd", "abd" },
		{ "abc", "c" },
		{ "abc", "abcd" },
		{ "ab", "b" },
		{ "abab", "bab" },
		{ "xyz", "Y" },
		{ "a\xff", "\xff" },
		{ "mississippi", "issip" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *h = cases[i][0], *n = cases[i][1];

		CHECK(klib_strstr(h, n) == strstr(h, n));
	}
}

/* Short, exact and long sources; dst padded with NULs up to n. */
TEST(strncpy_pads_and_truncates)
{
	static const char *const srcs[] = { "", "a", "hello", "exactly8" };

	for (size_t i = 0; i < ARRAY_LEN(srcs); i++) {
		for (size_t n = 0; n <= 12; n++) {
			char want[16], got[16];

			memset(want, '#', sizeof(want));
			memset(got, '#', sizeof(got));
			strncpy(want + 1, srcs[i], n);
			CHECK(klib_strncpy(got + 1, srcs[i], n) == got + 1);
			CHECK_MEM(got, want, sizeof(got));
		}
	}
}
