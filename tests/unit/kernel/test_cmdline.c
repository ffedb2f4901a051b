/*
 * test_cmdline.c - kernel/cmdline.c: tokenising, validation, lookups and the
 * strict value parsers, as tables of good and bad input.
 */
#include "test.h"

#include <kernel/cmdline.h>
#include <net/net.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cmdline_parse_u32 -------------------------------------------------- */

struct u32_case {
	const char *in;
	uint32_t min, max;
	int err;
	uint32_t want;
};

static const struct u32_case u32_cases[] = {
    {"0", 0, 10, NET_OK, 0},
    {"7", 1, 65535, NET_OK, 7},
    {"1", 1, 65535, NET_OK, 1},
    {"65535", 1, 65535, NET_OK, 65535},
    {"4294967295", 0, UINT32_MAX, NET_OK, UINT32_MAX},
    {"429496729", 0, UINT32_MAX, NET_OK, 429496729},
    {"0", 0, 0, NET_OK, 0},
    {"65536", 1, 65535, NET_EINVAL, 0},
    {"0", 1, 65535, NET_EINVAL, 0},
    {"5", 0, 0, NET_EINVAL, 0},
    {"5", 6, 5, NET_EINVAL, 0},
    {"4294967296", 0, UINT32_MAX, NET_EINVAL, 0},
    {"4294967300", 0, UINT32_MAX, NET_EINVAL, 0},
    {"42949672950", 0, UINT32_MAX, NET_EINVAL, 0},
    {"99999999999999999999999", 0, UINT32_MAX, NET_EINVAL, 0},
    {"010", 0, 100, NET_EINVAL, 0},
    {"00", 0, 100, NET_EINVAL, 0},
    {"", 0, 100, NET_EINVAL, 0},
    {"+1", 0, 100, NET_EINVAL, 0},
    {"-1", 0, 100, NET_EINVAL, 0},
    {" 1", 0, 100, NET_EINVAL, 0},
    {"1 ", 0, 100, NET_EINVAL, 0},
    {"1a", 0, 100, NET_EINVAL, 0},
    {"0x10", 0, 100, NET_EINVAL, 0},
    {"1.0", 0, 100, NET_EINVAL, 0},
};

TEST(parse_u32_table)
{
	for (size_t i = 0; i < ARRAY_LEN(u32_cases); i++) {
		const struct u32_case *c = &u32_cases[i];
		uint32_t out = 0xdeadbeef;
		int err = cmdline_parse_u32(c->in, c->min, c->max, &out);

		if (err != c->err) {
			test_fail(__FILE__, __LINE__, "\"%s\" [%u..%u]: %d",
				  c->in, c->min, c->max, err);
			return;
		}
		CHECK_EQ(out, err == NET_OK ? c->want : 0xdeadbeef);
	}
}

/* ---- cmdline_parse_ipv4 and _prefix ------------------------------------- */

struct ipv4_case {
	const char *in;
	int err;
	uint32_t addr, mask;
};

static const struct ipv4_case ipv4_cases[] = {
    {"10.0.0.2", NET_OK, 0x0a000002u, 0},
    {"0.0.0.0", NET_OK, 0, 0},
    {"255.255.255.255", NET_OK, 0xffffffffu, 0},
    {"192.168.100.254", NET_OK, 0xc0a864feu, 0},
    {"1.2.3.4", NET_OK, 0x01020304u, 0},
    {"", NET_EINVAL, 0, 0},
    {"10.0.0", NET_EINVAL, 0, 0},
    {"10.0.0.", NET_EINVAL, 0, 0},
    {"10.0.0.2.", NET_EINVAL, 0, 0},
    {"10.0.0.2.5", NET_EINVAL, 0, 0},
    {".10.0.0.2", NET_EINVAL, 0, 0},
    {"10..0.2", NET_EINVAL, 0, 0},
    {"10.0.0.256", NET_EINVAL, 0, 0},
    {"10.0.0.1000", NET_EINVAL, 0, 0},
    {"10.0.0.010", NET_EINVAL, 0, 0},
    {"010.0.0.1", NET_EINVAL, 0, 0},
    {"10.0.0.00", NET_EINVAL, 0, 0},
    {"10.0.0.2 ", NET_EINVAL, 0, 0},
    {" 10.0.0.2", NET_EINVAL, 0, 0},
    {"10.0.0.2x", NET_EINVAL, 0, 0},
    {"10.0.0.-1", NET_EINVAL, 0, 0},
    {"10.0.0.+1", NET_EINVAL, 0, 0},
    {"0x0a.0.0.1", NET_EINVAL, 0, 0},
    {"10.0.0.2/24", NET_EINVAL, 0, 0},
    {"167772162", NET_EINVAL, 0, 0},
    {"10.0.0.99999999999", NET_EINVAL, 0, 0},
};

TEST(parse_ipv4_table)
{
	for (size_t i = 0; i < ARRAY_LEN(ipv4_cases); i++) {
		const struct ipv4_case *c = &ipv4_cases[i];
		uint32_t addr = 0xdeadbeef;
		int err = cmdline_parse_ipv4(c->in, &addr);

		if (err != c->err) {
			test_fail(__FILE__, __LINE__, "\"%s\": %d", c->in, err);
			return;
		}
		CHECK_EQ(addr, err == NET_OK ? c->addr : 0xdeadbeef);
	}
}

static const struct ipv4_case prefix_cases[] = {
    {"10.0.0.2/24", NET_OK, 0x0a000002u, 0xffffff00u},
    {"10.0.0.2/8", NET_OK, 0x0a000002u, 0xff000000u},
    {"10.0.0.2/1", NET_OK, 0x0a000002u, 0x80000000u},
    {"10.0.0.2/30", NET_OK, 0x0a000002u, 0xfffffffcu},
    {"10.0.0.2/32", NET_OK, 0x0a000002u, 0xffffffffu},
    {"0.0.0.0/0", NET_OK, 0, 0},
    {"172.16.5.4/20", NET_OK, 0xac100504u, 0xfffff000u},
    {"10.0.0.2", NET_EINVAL, 0, 0},
    {"10.0.0.2/", NET_EINVAL, 0, 0},
    {"10.0.0.2/33", NET_EINVAL, 0, 0},
    {"10.0.0.2/024", NET_EINVAL, 0, 0},
    {"10.0.0.2/00", NET_EINVAL, 0, 0},
    {"10.0.0.2/-1", NET_EINVAL, 0, 0},
    {"10.0.0.2/24/", NET_EINVAL, 0, 0},
    {"10.0.0.2/24 ", NET_EINVAL, 0, 0},
    {"10.0.0.2/24x", NET_EINVAL, 0, 0},
    {"10.0.0.2/255.255.255.0", NET_EINVAL, 0, 0},
    {"10.0.0/24", NET_EINVAL, 0, 0},
    {"10.0.0.256/24", NET_EINVAL, 0, 0},
    {"/24", NET_EINVAL, 0, 0},
    {"10.0.0.2/4294967320", NET_EINVAL, 0, 0},
};

TEST(parse_ipv4_prefix_table)
{
	for (size_t i = 0; i < ARRAY_LEN(prefix_cases); i++) {
		const struct ipv4_case *c = &prefix_cases[i];
		uint32_t addr = 0xdeadbeef, mask = 0xdeadbeef;
		int err = cmdline_parse_ipv4_prefix(c->in, &addr, &mask);

		if (err != c->err) {
			test_fail(__FILE__, __LINE__, "\"%s\": %d", c->in, err);
			return;
		}
		CHECK_EQ(addr, err == NET_OK ? c->addr : 0xdeadbeef);
		CHECK_EQ(mask, err == NET_OK ? c->mask : 0xdeadbeef);
	}
}

/* ---- cmdline_parse_mac -------------------------------------------------- */

struct mac_case {
	const char *in;
	int err;
	uint8_t mac[6];
};

static const struct mac_case mac_cases[] = {
    {"02:00:00:00:00:01", NET_OK, {2, 0, 0, 0, 0, 1}},
    {"ff:ff:ff:ff:ff:ff", NET_OK, {255, 255, 255, 255, 255, 255}},
    {"AA:bb:Cc:dD:09:f0", NET_OK, {0xaa, 0xbb, 0xcc, 0xdd, 9, 0xf0}},
    {"00:00:00:00:00:00", NET_OK, {0}},
    {"", NET_EINVAL, {0}},
    {"02:00:00:00:00", NET_EINVAL, {0}},
    {"02:00:00:00:00:", NET_EINVAL, {0}},
    {"02:00:00:00:00:01:", NET_EINVAL, {0}},
    {"02:00:00:00:00:01:02", NET_EINVAL, {0}},
    {"02:00:00:00:00:1", NET_EINVAL, {0}},
    {"2:00:00:00:00:01", NET_EINVAL, {0}},
    {"002:00:00:00:00:01", NET_EINVAL, {0}},
    {"02:00:00:00:00:001", NET_EINVAL, {0}},
    {"02-00-00-00-00-01", NET_EINVAL, {0}},
    {"0200.0000.0001", NET_EINVAL, {0}},
    {"020000000001", NET_EINVAL, {0}},
    {"02:00:00:00:00:0g", NET_EINVAL, {0}},
    {"02:00:00:00:00:01 ", NET_EINVAL, {0}},
    {" 02:00:00:00:00:01", NET_EINVAL, {0}},
    {"02::00:00:00:00:01", NET_EINVAL, {0}},
    {"0x:00:00:00:00:01", NET_EINVAL, {0}},
};

TEST(parse_mac_table)
{
	static const uint8_t untouched[6] = {1, 2, 3, 4, 5, 6};

	for (size_t i = 0; i < ARRAY_LEN(mac_cases); i++) {
		const struct mac_case *c = &mac_cases[i];
		uint8_t mac[6] = {1, 2, 3, 4, 5, 6};
		int err = cmdline_parse_mac(c->in, mac);

		if (err != c->err) {
			test_fail(__FILE__, __LINE__, "\"%s\": %d", c->in, err);
			return;
		}
		CHECK_MEM(mac, err == NET_OK ? c->mac : untouched, 6);
	}
}

/* ---- cmdline_validate --------------------------------------------------- */

static const char *const test_target_keys[] = {"tap", NULL};
static const char *const test_app_keys[] = {"port", NULL};
static const char *const *const test_key_sets[] = {
    cmdline_kernel_keys, test_target_keys, test_app_keys, NULL};

struct validate_case {
	const char *line;
	enum cmdline_problem problem;
	const char *token; /* the token the error names */
};

static const struct validate_case validate_cases[] = {
    {"", CMDLINE_OK, ""},
    {"   ", CMDLINE_OK, ""},
    {"ip=10.0.0.2/24", CMDLINE_OK, ""},
    {"ip=10.0.0.2/24 gw=10.0.0.1 mac=02:00:00:00:00:01 log=debug "
     "tap=keel0 port=7",
     CMDLINE_OK, ""},
    {"  ip=10.0.0.2/24\t\tgw=10.0.0.1  ", CMDLINE_OK, ""},
    {"port=a=b", CMDLINE_OK, ""},
    {"ip=1 foo=2", CMDLINE_UNKNOWN_KEY, "foo=2"},
    {"IP=10.0.0.2/24", CMDLINE_UNKNOWN_KEY, "IP=10.0.0.2/24"},
    {"i=1", CMDLINE_UNKNOWN_KEY, "i=1"},
    {"ipx=1", CMDLINE_UNKNOWN_KEY, "ipx=1"},
    {"ip", CMDLINE_NO_EQUALS, "ip"},
    {"ip=1 verbose", CMDLINE_NO_EQUALS, "verbose"},
    {"--help", CMDLINE_NO_EQUALS, "--help"},
    {"=5", CMDLINE_EMPTY_KEY, "=5"},
    {"=", CMDLINE_EMPTY_KEY, "="},
    {"ip=", CMDLINE_EMPTY_VALUE, "ip="},
    {"log=info ip= gw=1", CMDLINE_EMPTY_VALUE, "ip="},
    {"ip=1 ip=1", CMDLINE_DUPLICATE_KEY, "ip=1"},
    {"ip=1 gw=2 port=3 gw=4", CMDLINE_DUPLICATE_KEY, "gw=4"},
    {"gw=4 gwx=5", CMDLINE_UNKNOWN_KEY, "gwx=5"},
    {"bogus=1 ip=", CMDLINE_UNKNOWN_KEY, "bogus=1"},
};

static void check_validate_case(const struct validate_case *c)
{
	struct cmdline_error err;
	int rc;

	memset(&err, 0x55, sizeof(err));
	cmdline_set(c->line);
	rc = cmdline_validate(test_key_sets, &err);
	if (rc != (c->problem == CMDLINE_OK ? NET_OK : NET_EINVAL) ||
	    err.problem != c->problem || strcmp(err.token, c->token) != 0)
		test_fail(__FILE__, __LINE__,
			  "\"%s\": rc %d problem %d (%s) token \"%.*s\"",
			  c->line, rc, (int)err.problem,
			  cmdline_problem_str(err.problem), CMDLINE_TOKEN_MAX,
			  err.token);
}

TEST(validate_table)
{
	for (size_t i = 0; i < ARRAY_LEN(validate_cases); i++) {
		check_validate_case(&validate_cases[i]);
		if (test_failed())
			return;
	}
}

/* A line of `n` bytes: "port=" followed by digits. */
static void make_long_token(char *buf, size_t n)
{
	memcpy(buf, "port=", 5);
	memset(buf + 5, '1', n - 5);
	buf[n] = '\0';
}

TEST(validate_token_length_limit)
{
	static char line[CMDLINE_TOKEN_MAX + 16];
	struct cmdline_error err;

	make_long_token(line, CMDLINE_TOKEN_MAX);
	cmdline_set(line);
	CHECK_EQ(cmdline_validate(test_key_sets, &err), NET_OK);

	make_long_token(line, CMDLINE_TOKEN_MAX + 1);
	cmdline_set(line);
	CHECK_EQ(cmdline_validate(test_key_sets, &err), NET_EINVAL);
	CHECK_EQ(err.problem, CMDLINE_TOKEN_TOO_LONG);
	/* The named token is cut to what fits, and terminated. */
	CHECK_EQ(strlen(err.token), CMDLINE_TOKEN_MAX);
	CHECK(memcmp(err.token, "port=111", 8) == 0);
}

TEST(validate_line_length_limit)
{
	static char line[CMDLINE_MAX + 2];
	struct cmdline_error err;

	/* Spaces only: within the limit it is an empty, valid line. */
	memset(line, ' ', CMDLINE_MAX);
	line[CMDLINE_MAX] = '\0';
	cmdline_set(line);
	CHECK_EQ(cmdline_validate(test_key_sets, &err), NET_OK);

	memset(line, ' ', CMDLINE_MAX + 1);
	line[CMDLINE_MAX + 1] = '\0';
	cmdline_set(line);
	CHECK_EQ(cmdline_validate(test_key_sets, &err), NET_EINVAL);
	CHECK_EQ(err.problem, CMDLINE_TOO_LONG);
	CHECK_STR(err.token, "");
}

TEST(validate_no_key_sets_rejects_everything)
{
	static const char *const *const none[] = {NULL};
	struct cmdline_error err;

	cmdline_set("ip=1");
	CHECK_EQ(cmdline_validate(none, &err), NET_EINVAL);
	CHECK_EQ(err.problem, CMDLINE_UNKNOWN_KEY);
	cmdline_set(NULL);
	CHECK_EQ(cmdline_validate(none, &err), NET_OK);
}

TEST(problem_strings_are_distinct)
{
	for (int a = CMDLINE_OK; a <= CMDLINE_DUPLICATE_KEY; a++) {
		for (int b = a + 1; b <= CMDLINE_DUPLICATE_KEY; b++)
			CHECK(strcmp(cmdline_problem_str(a),
				     cmdline_problem_str(b)) != 0);
	}
}

/* ---- cmdline_get -------------------------------------------------------- */

struct get_case {
	const char *line;
	const char *key;
	size_t cap;
	int rc;
	const char *value;
};

static const struct get_case get_cases[] = {
    {"ip=10.0.0.2/24 gw=10.0.0.1", "ip", 32, 11, "10.0.0.2/24"},
    {"ip=10.0.0.2/24 gw=10.0.0.1", "gw", 32, 8, "10.0.0.1"},
    {"ip=10.0.0.2/24 gw=10.0.0.1", "mac", 32, NET_ENOENT, ""},
    {"ipx=1 ip=2", "ip", 32, 1, "2"},
    {"ip=1", "i", 32, NET_ENOENT, ""},
    {"ip=1", "ipx", 32, NET_ENOENT, ""},
    {"ip ip=3", "ip", 32, 1, "3"},
    {"ip= ip=4", "ip", 32, 1, "4"},
    {"port=a=b", "port", 32, 3, "a=b"},
    {"\tport=7\t", "port", 32, 1, "7"},
    {"ip=1 ip=2", "ip", 32, 1, "1"},
    {"port=12345", "port", 6, 5, "12345"},
    {"port=12345", "port", 5, NET_EMSGSIZE, ""},
    {"port=12345", "port", 1, NET_EMSGSIZE, ""},
    {"", "port", 8, NET_ENOENT, ""},
};

TEST(get_table)
{
	for (size_t i = 0; i < ARRAY_LEN(get_cases); i++) {
		const struct get_case *c = &get_cases[i];
		char buf[32];
		int rc;

		memset(buf, 0, sizeof(buf));
		cmdline_set(c->line);
		rc = cmdline_get(c->key, buf, c->cap);
		if (rc != c->rc || strcmp(buf, c->value) != 0) {
			test_fail(__FILE__, __LINE__,
				  "\"%s\" key %s cap %zu: rc %d value \"%s\"",
				  c->line, c->key, c->cap, rc, buf);
			return;
		}
	}
}

TEST(get_zero_capacity_writes_nothing)
{
	char buf[1] = {'x'};

	cmdline_set("port=1");
	CHECK_EQ(cmdline_get("port", buf, 0), NET_EMSGSIZE);
	CHECK_EQ(buf[0], 'x');
}
