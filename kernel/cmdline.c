/*
 * cmdline.c - key=value command-line tokens and strict value parsers
 * (include/kernel/cmdline.h).
 *
 * The line is never copied or modified: cmdline_next() walks it token by
 * token, describing each as (start, length, key length). Validation and
 * lookups are linear scans; a command line has a handful of tokens, and
 * the duplicate check's quadratic scan is bounded by CMDLINE_MAX.
 *
 * Only <string.h> is used, so the unit tests link this file alone.
 */
#include <kernel/cmdline.h>

#include <stdbool.h>
#include <string.h>

#include <net/net.h>

const char *const cmdline_kernel_keys[] = {
    "ip", "gw", "mac", "log", "hostname", "dhcp_addr", "dns", NULL};

static const char *cmdline_line = "";

struct cmdline_token {
	const char *start;
	size_t len;	/* whole token */
	size_t key_len; /* bytes before the first '=', or len without one */
};

static bool cmdline_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Steps *pos to the next token and describes it; false at the end. */
static bool cmdline_next(const char **pos, struct cmdline_token *tok)
{
	const char *p = *pos;
	const char *eq;

	while (cmdline_is_space(*p))
		p++;
	if (*p == '\0')
		return false;
	tok->start = p;
	while (*p != '\0' && !cmdline_is_space(*p))
		p++;
	tok->len = (size_t)(p - tok->start);
	eq = memchr(tok->start, '=', tok->len);
	tok->key_len = eq ? (size_t)(eq - tok->start) : tok->len;
	*pos = p;
	return true;
}

static bool cmdline_has_equals(const struct cmdline_token *tok)
{
	return tok->key_len < tok->len;
}

static bool cmdline_key_is(const struct cmdline_token *tok, const char *key,
			   size_t key_len)
{
	return cmdline_has_equals(tok) && tok->key_len == key_len &&
	       memcmp(tok->start, key, key_len) == 0;
}

void cmdline_set(const char *line)
{
	cmdline_line = line ? line : "";
}

/* Whether any key set names the token's key. */
static bool cmdline_is_known(const struct cmdline_token *tok,
			     const char *const *const *key_sets)
{
	for (size_t s = 0; key_sets[s]; s++) {
		for (size_t k = 0; key_sets[s][k]; k++) {
			const char *key = key_sets[s][k];

			if (cmdline_key_is(tok, key, strlen(key)))
				return true;
		}
	}
	return false;
}

/* Whether a token before `tok` has the same key. */
static bool cmdline_is_duplicate(const struct cmdline_token *tok)
{
	const char *pos = cmdline_line;
	struct cmdline_token prev;

	while (cmdline_next(&pos, &prev) && prev.start < tok->start) {
		if (cmdline_key_is(&prev, tok->start, tok->key_len))
			return true;
	}
	return false;
}

static enum cmdline_problem
cmdline_check_token(const struct cmdline_token *tok,
		    const char *const *const *key_sets)
{
	if (tok->len > CMDLINE_TOKEN_MAX)
		return CMDLINE_TOKEN_TOO_LONG;
	if (!cmdline_has_equals(tok))
		return CMDLINE_NO_EQUALS;
	if (tok->key_len == 0)
		return CMDLINE_EMPTY_KEY;
	if (tok->key_len + 1 == tok->len)
		return CMDLINE_EMPTY_VALUE;
	if (!cmdline_is_known(tok, key_sets))
		return CMDLINE_UNKNOWN_KEY;
	if (cmdline_is_duplicate(tok))
		return CMDLINE_DUPLICATE_KEY;
	return CMDLINE_OK;
}

static int cmdline_fail(struct cmdline_error *err, enum cmdline_problem p,
			const struct cmdline_token *tok)
{
	size_t n = 0;

	if (tok) {
		n = tok->len < CMDLINE_TOKEN_MAX ? tok->len : CMDLINE_TOKEN_MAX;
		memcpy(err->token, tok->start, n);
	}
	err->token[n] = '\0';
	err->problem = p;
	return NET_EINVAL;
}

int cmdline_validate(const char *const *const *key_sets,
		     struct cmdline_error *err)
{
	const char *pos = cmdline_line;
	struct cmdline_token tok;

	if (strnlen(cmdline_line, CMDLINE_MAX + 1) > CMDLINE_MAX)
		return cmdline_fail(err, CMDLINE_TOO_LONG, NULL);
	while (cmdline_next(&pos, &tok)) {
		enum cmdline_problem p = cmdline_check_token(&tok, key_sets);

		if (p != CMDLINE_OK)
			return cmdline_fail(err, p, &tok);
	}
	err->problem = CMDLINE_OK;
	err->token[0] = '\0';
	return NET_OK;
}

const char *cmdline_problem_str(enum cmdline_problem problem)
{
	switch (problem) {
	case CMDLINE_OK:
		return "no problem";
	case CMDLINE_TOO_LONG:
		return "command line too long";
	case CMDLINE_TOKEN_TOO_LONG:
		return "token too long";
	case CMDLINE_NO_EQUALS:
		return "expected key=value";
	case CMDLINE_EMPTY_KEY:
		return "empty key";
	case CMDLINE_EMPTY_VALUE:
		return "empty value";
	case CMDLINE_UNKNOWN_KEY:
		return "unknown key";
	case CMDLINE_DUPLICATE_KEY:
		return "key given twice";
	}
	return "unknown problem";
}

int cmdline_get(const char *key, char *buf, size_t cap)
{
	const char *pos = cmdline_line;
	size_t key_len = strlen(key);
	struct cmdline_token tok;

	while (cmdline_next(&pos, &tok)) {
		size_t vlen = tok.len - tok.key_len - 1;

		if (!cmdline_key_is(&tok, key, key_len) || vlen == 0)
			continue;
		if (vlen >= cap) {
			if (cap > 0)
				buf[0] = '\0';
			return NET_EMSGSIZE;
		}
		memcpy(buf, tok.start + tok.key_len + 1, vlen);
		buf[vlen] = '\0';
		return (int)vlen;
	}
	return NET_ENOENT;
}

/* ---- value parsers ------------------------------------------------------ */

static bool cmdline_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * One decimal number at *p, at most `max`, stepping *p past it. At least one
 * digit; a leading zero only as the whole number.
 */
static bool cmdline_parse_dec(const char **p, uint32_t max, uint32_t *out)
{
	const char *s = *p;
	uint32_t v = 0;

	if (!cmdline_is_digit(*s))
		return false;
	if (s[0] == '0' && cmdline_is_digit(s[1]))
		return false;
	for (; cmdline_is_digit(*s); s++) {
		uint32_t d = (uint32_t)(*s - '0');

		/* v * 10 + d <= max, without overflowing on the way. */
		if (d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return true;
}

int cmdline_parse_u32(const char *str, uint32_t min, uint32_t max,
		      uint32_t *out)
{
	uint32_t v;

	if (min > max || !cmdline_parse_dec(&str, max, &v) || *str != '\0' ||
	    v < min)
		return NET_EINVAL;
	*out = v;
	return NET_OK;
}

/* The dotted quad at *p, stepping *p past it. */
static bool cmdline_parse_quad(const char **p, uint32_t *addr)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		uint32_t part;

		if (i > 0 && *(*p)++ != '.')
			return false;
		if (!cmdline_parse_dec(p, 255, &part))
			return false;
		v = v << 8 | part;
	}
	*addr = v;
	return true;
}

int cmdline_parse_ipv4(const char *str, uint32_t *addr)
{
	uint32_t v;

	if (!cmdline_parse_quad(&str, &v) || *str != '\0')
		return NET_EINVAL;
	*addr = v;
	return NET_OK;
}

int cmdline_parse_ipv4_prefix(const char *str, uint32_t *addr, uint32_t *mask)
{
	uint32_t v, len;

	if (!cmdline_parse_quad(&str, &v) || *str++ != '/' ||
	    !cmdline_parse_dec(&str, 32, &len) || *str != '\0')
		return NET_EINVAL;
	*addr = v;
	/* A shift by 32 is undefined in C: prefix 0 is the empty mask. */
	*mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
	return NET_OK;
}

static int cmdline_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cmdline_parse_mac(const char *str, uint8_t mac[6])
{
	uint8_t v[6];

	for (int i = 0; i < 6; i++) {
		int hi, lo;

		if (i > 0 && *str++ != ':')
			return NET_EINVAL;
		hi = cmdline_hex_value(str[0]);
		if (hi < 0)
			return NET_EINVAL;
		lo = cmdline_hex_value(str[1]);
		if (lo < 0)
			return NET_EINVAL;
		v[i] = (uint8_t)(hi << 4 | lo);
		str += 2;
	}
	if (*str != '\0')
		return NET_EINVAL;
	memcpy(mac, v, sizeof(v));
	return NET_OK;
}
