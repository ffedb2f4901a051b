/*
 * test_fmt.c - kernel/lib/fmt.c.
 *
 * Tables of formats crossed with tables of values are run through both
 * fmt_snprintf and glibc's snprintf, which must agree on text and return
 * value. Every check also replays the call at each buffer size from 0 to
 * the full length + 1, into a heap buffer of exactly that size (so ASan
 * flags any write past it), and checks the return value, the stored prefix
 * and the NUL. Where fmt.h chooses differently from glibc (%p of NULL,
 * %s of NULL, unknown conversions) the expected strings are explicit.
 */
#include "test.h"

#include <klib/fmt.h>

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>

/*
 * The tables below hold formats as data, which -Wformat-nonliteral (part of
 * the build's -Wformat=2) rejects. Each table's formats were written for its
 * value type; the CHECK_LIBC calls with literal formats are still checked.
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define OUT_MAX 512

/*
 * Formats into a buffer of each size 0..want_len + 1 and compares with the
 * first bytes of want. The call at size 0 passes a NULL buffer.
 */
static bool check_sizes(int line, const char *want, int want_len,
			const char *fmt, va_list ap)
{
	for (int size = 0; size <= want_len + 1; size++) {
		char *buf = size > 0 ? malloc((size_t)size) : NULL;
		int stored = size - 1 < want_len ? size - 1 : want_len;
		bool ok;
		va_list aq;
		int n;

		va_copy(aq, ap);
		n = fmt_vsnprintf(buf, (size_t)size, fmt, aq);
		va_end(aq);
		ok = n == want_len;
		if (ok && size > 0)
			ok = memcmp(buf, want, (size_t)stored) == 0 &&
			     buf[stored] == '\0';
		if (!ok)
			test_fail(__FILE__, line,
				  "fmt \"%s\" size %d: got %d \"%.*s\", "
				  "want %d \"%s\"",
				  fmt, size, n, size > 0 ? stored : 0,
				  size > 0 ? buf : "", want_len, want);
		free(buf);
		if (!ok)
			return false;
	}
	return true;
}

/* Checks fmt_snprintf(fmt, ...) against glibc's snprintf. */
__attribute__((format(printf, 2, 3))) static bool
check_libc(int line, const char *fmt, ...)
{
	char want[OUT_MAX];
	va_list ap, aq;
	int want_len;
	bool ok;

	va_start(ap, fmt);
	va_copy(aq, ap);
	want_len = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	if (want_len < 0 || want_len >= OUT_MAX) {
		test_fail(__FILE__, line, "glibc: fmt \"%s\" gave %d", fmt,
			  want_len);
		va_end(ap);
		return false;
	}
	ok = check_sizes(line, want, want_len, fmt, ap);
	va_end(ap);
	return ok;
}

/* Checks fmt_snprintf(fmt, ...) against an explicit expected string. */
__attribute__((format(printf, 3, 4))) static bool
check_str(int line, const char *want, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = check_sizes(line, want, (int)strlen(want), fmt, ap);
	va_end(ap);
	return ok;
}

#define CHECK_LIBC(...)                                                        \
	do {                                                                   \
		if (!check_libc(__LINE__, __VA_ARGS__))                        \
			return;                                                \
	} while (0)

#define CHECK_FMT(want, ...)                                                   \
	do {                                                                   \
		if (!check_str(__LINE__, (want), __VA_ARGS__))                 \
			return;                                                \
	} while (0)

/*
 * Returns s through a volatile, so gcc cannot see the value: for formats and
 * arguments that -Wformat and -Wformat-overflow would rightly reject.
 */
static const char *hide(const char *s)
{
	const char *volatile v = s;

	return v;
}

/* Runs every format of fmts against every value of vals. */
#define CHECK_TABLE(fmts, vals)                                                \
	do {                                                                   \
		for (size_t i_ = 0; i_ < ARRAY_LEN(fmts); i_++)                \
			for (size_t j_ = 0; j_ < ARRAY_LEN(vals); j_++)        \
				CHECK_LIBC(fmts[i_], vals[j_]);                \
	} while (0)

TEST(int_table_matches_libc)
{
	static const char *const fmts[] = {
		"%d",	    "%i",	 "[%5d]",   "[%-5d]",	"[%05d]",
		"%+d",	    "% d",	 "[%+05d]", "[%-+6d]",	"[% 06d]",
		"%.0d",	    "%.3d",	 "[%8.3d]", "[%-8.3d]", "[%08.3d]",
		"[%+.0d]",  "[% .0d]",	 "[%5.0d]", "%hhd",	"%hd",
		"[%-010d]", "%+ d",	 "%.12d",   "[%1d]",	"%hhi",
		"[%0-8d]",  "[%012.0d]",
	};
	static const int vals[] = {
		0,     1,	  -1,	   7,	    -7,		 42,
		127,   128,	  -128,	   -129,    255,	 256,
		32767, 32768,	  -32768,  -32769,  65535,	 65536,
		99999, 123456789, INT_MAX, INT_MIN, INT_MIN + 1,
	};

	CHECK_TABLE(fmts, vals);
}

TEST(unsigned_table_matches_libc)
{
	static const char *const fmts[] = {
		"%u",	    "%x",	"%X",	    "%o",      "%#x",
		"%#X",	    "%#o",	"%#.0o",    "%#.0x",   "%.0u",
		"%.0x",	    "%.0o",	"[%08x]",   "[%#08x]", "[%#8x]",
		"[%-#8x]",  "[%#8.3x]", "%#.5o",    "[%#5o]",  "[%#08o]",
		"%hhu",	    "%hhx",	"%hx",	    "%ho",     "%hu",
		"%+u",	    "% x",	"[%-012o]", "%.10X",   "[%#-12.4X]",
		"[%#3.0o]", "%#hhx",
	};
	static const unsigned vals[] = {
		0,	  1,	      7,	  8,	       9,
		10,	  15,	      16,	  0x7f,	       0x80,
		0xff,	  0x100,      0x7fff,	  0x8000,      0xffff,
		0x10000,  0x12345678, 0x7fffffff, 0x80000000u, 0xdeadbeefu,
		UINT_MAX,
	};

	CHECK_TABLE(fmts, vals);
}

TEST(long_long_tables_match_libc)
{
	static const char *const sfmts[] = {
		"%lld",	     "%lli",	  "%+lld",   "% lld",  "[%25lld]",
		"[%-25lld]", "[%025lld]", "%.22lld", "%.0lld",
	};
	static const long long svals[] = {
		0,
		1,
		-1,
		LLONG_MAX,
		LLONG_MIN,
		LLONG_MIN + 1,
		(long long)INT_MIN - 1,
		1000000000000LL,
		-999999999999999LL,
	};
	static const char *const ufmts[] = {
		"%llu",	 "%llx",     "%llX",	   "%llo",    "%#llx",
		"%#llo", "[%30llo]", "[%#-30llX]", "%.25llu",
	};
	static const unsigned long long uvals[] = {
		0,
		1,
		ULLONG_MAX,
		1ULL << 63,
		0x0123456789abcdefULL,
		UINT_MAX,
		(unsigned long long)UINT_MAX + 1,
	};

	CHECK_TABLE(sfmts, svals);
	CHECK_TABLE(ufmts, uvals);
}

TEST(long_size_ptrdiff_intmax_match_libc)
{
	static const char *const lfmts[] = { "%ld", "%+ld", "[%-21ld]" };
	static const long lvals[] = { 0, -1, LONG_MAX, LONG_MIN };
	static const char *const ulfmts[] = { "%lu", "%lx", "%#lo" };
	static const unsigned long ulvals[] = { 0, 1, ULONG_MAX };
	static const char *const zfmts[] = { "%zu", "%zx", "[%20zu]", "%tu" };
	static const size_t zvals[] = { 0, 12345, SIZE_MAX };
	static const char *const tfmts[] = { "%td", "%+td", "%zd", "[%-8td]" };
	static const ptrdiff_t tvals[] = { 0, -5, PTRDIFF_MAX, PTRDIFF_MIN };
	static const char *const jfmts[] = { "%jd", "%+jd", "[%30jd]" };
	static const intmax_t jvals[] = { 0, INTMAX_MAX, INTMAX_MIN };
	static const char *const ujfmts[] = { "%ju", "%jx", "%#jo" };
	static const uintmax_t ujvals[] = { 0, 077, UINTMAX_MAX };

	CHECK_TABLE(lfmts, lvals);
	CHECK_TABLE(ulfmts, ulvals);
	CHECK_TABLE(zfmts, zvals);
	CHECK_TABLE(tfmts, tvals);
	CHECK_TABLE(jfmts, jvals);
	CHECK_TABLE(ujfmts, ujvals);
}

TEST(string_table_matches_libc)
{
	static const char *const fmts[] = {
		"%s",	     "[%10s]", "[%-10s]", "%.3s",  "[%10.3s]",
		"[%-10.3s]", "%.0s",   "%.10s",	  "[%1s]", "[%.s]",
	};
	static const char *const vals[] = {
		"", "a", "hello", "hello, world!", "tab\there", "\xff\x80",
	};

	CHECK_TABLE(fmts, vals);
}

TEST(char_table_matches_libc)
{
	static const char *const fmts[] = { "%c", "[%3c]", "[%-3c]", "[%1c]" };
	/* 0 puts a NUL inside the output; 0x141 is converted to 'A'. */
	static const int vals[] = { 'a', 'Z', ' ', '%', 0xff, 0, 0x141 };

	CHECK_TABLE(fmts, vals);
}

TEST(star_width_and_precision)
{
	CHECK_LIBC("[%*d]", 6, 42);
	CHECK_LIBC("[%*d]", -6, 42);
	CHECK_LIBC("[%-*d]", 6, 42);
	CHECK_LIBC("[%-*d]", -6, 42);
	CHECK_LIBC("[%.*d]", 4, 42);
	CHECK_LIBC("[%.*d]", -4, 42);
	CHECK_LIBC("[%*.*d]", 8, 3, -7);
	CHECK_LIBC("[%.*s]", 3, "abcdef");
	CHECK_LIBC("[%.*s]", -3, "abcdef");
	CHECK_LIBC("[%*s]", -8, "ab");
	CHECK_LIBC("[%0*d]", 5, -3);
	CHECK_LIBC("[%.*d]", 0, 0);
	CHECK_LIBC("[%*.*x]", -10, 4, 0xabu);
	CHECK_LIBC("[%*c]", 4, 'x');
}

TEST(literals_and_mixed)
{
	CHECK_FMT("", hide(""), 0);
	CHECK_LIBC("plain text, no conversions");
	CHECK_LIBC("100%%");
	CHECK_LIBC("%%d");
	CHECK_LIBC("a%%b%%c%%");
	CHECK_LIBC("%d%s%c%x", -12, "mid", 'q', 0xbeefu);
	CHECK_LIBC("%s=%lu (%#x) %-4s|", "len", 1500UL, 1500u, "ok");
	CHECK_LIBC("[%5s|%-5d|%05u]", "ab", -3, 42u);
}

TEST(pointer)
{
	int local;

	CHECK_LIBC("%p", (void *)0x1234);
	CHECK_LIBC("%p", (void *)&local);
	CHECK_LIBC("[%20p]", (void *)0xabcdef);
	CHECK_LIBC("[%-20p]", (void *)&local);
	CHECK_FMT("0x0", "%p", (void *)NULL);
	CHECK_FMT("[       0x0]", "[%10p]", (void *)NULL);
	CHECK_LIBC("%p", (void *)UINTPTR_MAX);
}

TEST(null_and_unterminated_strings)
{
	static const char raw[3] = { 'a', 'b', 'c' };
	const char *null = hide(NULL);

	CHECK_FMT("(null)", "%s", null);
	CHECK_FMT("(nu", "%.3s", null);
	CHECK_FMT("[  (null)]", "[%8s]", null);
	/* ASan would flag a read of raw[3]. */
	CHECK_FMT("abc", "%.3s", raw);
	CHECK_FMT("ab", "%.2s", raw);
	CHECK_FMT("[  abc]", "[%5.*s]", 3, raw);
}

TEST(limits)
{
	CHECK_LIBC("%d %d", INT_MIN, INT_MAX);
	CHECK_LIBC("%lld %lld", LLONG_MIN, LLONG_MAX);
	CHECK_LIBC("%hhd %hhd %hhu", (signed char)-128, (signed char)127,
		   (unsigned char)255);
	CHECK_LIBC("%hd %hu", (short)-32768, (unsigned short)65535);
	CHECK_FMT("-2147483648", "%d", INT_MIN);
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK_FMT("1777777777777777777777", "%llo", ULLONG_MAX);
}

TEST(precision_zero_value_zero)
{
	CHECK_FMT("", "%.0d", 0);
	CHECK_FMT("", "%.0u", 0u);
	CHECK_FMT("", "%.0x", 0u);
	CHECK_FMT("", "%#.0x", 0u);
	CHECK_FMT("0", "%#.0o", 0u);
	CHECK_FMT("+", "%+.0d", 0);
	CHECK_FMT("   ", "%3.0d", 0);
	CHECK_FMT("", "%.d", 0);
	CHECK_FMT("1", "%.0d", 1);
}

/*
 * An unknown conversion ends formatting and is copied literally with the
 * rest of the format, so each of these prints as itself. The formats are
 * not literals, which -Wformat would reject.
 */
TEST(unknown_conversion_copied_literally)
{
	static const char *const fmts[] = {
		"a%yb%d", "abc%", "x%5", "%-",	"%Lf",	"%I and %M",
		"%f",	  "%ls",  "%lc", "%hs", "%w%d",
	};

	for (size_t i = 0; i < ARRAY_LEN(fmts); i++)
		CHECK_FMT(fmts[i], fmts[i], 5);
}

TEST(unknown_conversion_stops_reading_arguments)
{
	const char *fmt = hide("%d%q%d");

	CHECK_FMT("1%q%d", fmt, 1, 2);
}

TEST(percent_n_never_writes)
{
	const char *fmt = hide("ab%ncd");
	int n = 77;
	char buf[16];

	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), fmt, &n), 6);
	CHECK_STR(buf, "ab%ncd");
	CHECK_EQ(n, 77);
}

TEST(size_zero_and_null_buffer)
{
	char buf[4] = "xyz";

	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	CHECK_EQ(fmt_snprintf(buf, 0, "%s", "hello"), 5);
	CHECK_STR(buf, "xyz");
	CHECK_EQ(fmt_snprintf(buf, 1, "%s", "hello"), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'y');
}

/*
 * Widths and precisions saturate at INT_MAX; a length past INT_MAX returns
 * a negative value. Padding is counted, not written, so these are fast.
 */
TEST(huge_width_and_overflow)
{
	const char *w_max = hide("%2147483647d");
	const char *w_over = hide("%2147483647d%d");
	const char *w_parse = hide("%99999999999999999999d");
	const char *p_max = hide("%.2147483647d");
	const char *star = hide("%*d");
	const char *star_left = hide("%-*d|");
	char buf[8];

	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), w_max, 1), INT_MAX);
	CHECK_STR(buf, "       ");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), p_max, 1), INT_MAX);
	CHECK_STR(buf, "0000000");
	CHECK(fmt_snprintf(buf, sizeof(buf), w_over, 1, 2) < 0);
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), w_parse, 1), INT_MAX);
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), star_left, INT_MIN, 1), -1);
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), star, INT_MIN, 1), INT_MAX);
	CHECK_STR(buf, "1      ");
}

static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

TEST(vsnprintf_through_a_wrapper)
{
	char buf[32];

	CHECK_EQ(call_vsnprintf(buf, sizeof(buf), "%s-%d-%llx", "a", 7,
				0xabcULL),
		 7);
	CHECK_STR(buf, "a-7-abc");
}

TEST(ipv4_text)
{
	static const struct {
		uint32_t addr;
		const char *text;
	} cases[] = {
		{ 0, "0.0.0.0" },
		{ 0xffffffffu, "255.255.255.255" },
		{ 0xc0a80001u, "192.168.0.1" },
		{ 0x0a000201u, "10.0.2.1" },
		{ 0x7f000001u, "127.0.0.1" },
		{ 0x01020304u, "1.2.3.4" },
	};
	char buf[FMT_IPV4_SIZE];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		CHECK(fmt_ipv4(buf, cases[i].addr) == buf);
		CHECK_STR(buf, cases[i].text);
	}
}

TEST(mac_text)
{
	static const uint8_t qemu[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6] = { 0 };
	static const uint8_t mixed[6] = { 0x0a, 0xb0, 0x0c, 0xd9, 0x9e, 0x01 };
	char buf[FMT_MAC_SIZE];

	CHECK(fmt_mac(buf, qemu) == buf);
	CHECK_STR(buf, "52:54:00:12:34:56");
	CHECK_STR(fmt_mac(buf, bcast), "ff:ff:ff:ff:ff:ff");
	CHECK_STR(fmt_mac(buf, zero), "00:00:00:00:00:00");
	CHECK_STR(fmt_mac(buf, mixed), "0a:b0:0c:d9:9e:01");
}

TEST(address_macros_in_format)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0xaa, 0xff };

	CHECK_FMT("10.0.2.2 is at 02:00:5e:10:aa:ff", "%s is at %s",
		  FMT_IPV4(0x0a000202u), FMT_MAC(mac));
	CHECK_FMT("[   192.168.1.254]", "[%16s]", FMT_IPV4(0xc0a801feu));
}
