/*
 * cmdline.h - the kernel command line: key=value tokens.
 *
 * The platform supplies one string (platform_cmdline()), e.g.
 *
 *   ip=10.0.0.2/24 gw=10.0.0.1 log=debug tap=keel0 port=7
 *
 * Tokens are separated by runs of spaces or tabs. Each token is key=value:
 * a non-empty key, '=', and a non-empty value running to the next space
 * (the value may itself contain '='). Keys are compared exactly. No token
 * is longer than CMDLINE_TOKEN_MAX bytes, no key appears twice, and every
 * key belongs to someone: the kernel (cmdline_kernel_keys), the target
 * (platform_cmdline_keys) or the application (app_cmdline_keys).
 *
 * This module only reads strings: it has no state beyond the pointer given
 * to cmdline_set(), calls nothing but <string.h>, and logs nothing; callers
 * turn its errors into messages. Every parser is strict: it accepts exactly
 * the documented syntax with no leading or trailing junk, no signs, no
 * redundant leading zeros, and checks ranges without overflowing.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

/* Longest token, key=value, in bytes. */
#define CMDLINE_TOKEN_MAX 128
/* Longest whole command line, in bytes. */
#define CMDLINE_MAX 2048

/*
 * The kernel's own keys: ip, gw, mac, log, hostname, dhcp_addr.
 * NULL-terminated.
 */
extern const char *const cmdline_kernel_keys[];

/* What cmdline_validate() found wrong. */
enum cmdline_problem {
	CMDLINE_OK = 0,
	CMDLINE_TOO_LONG,	/* the whole line exceeds CMDLINE_MAX */
	CMDLINE_TOKEN_TOO_LONG, /* one token exceeds CMDLINE_TOKEN_MAX */
	CMDLINE_NO_EQUALS,	/* a token without '=' */
	CMDLINE_EMPTY_KEY,	/* a token starting with '=' */
	CMDLINE_EMPTY_VALUE,	/* key= with nothing after it */
	CMDLINE_UNKNOWN_KEY,	/* nobody accepts the key */
	CMDLINE_DUPLICATE_KEY,	/* the key appears a second time */
};

struct cmdline_error {
	enum cmdline_problem problem;
	/*
	 * The offending token, NUL-terminated; a token too long to fit is cut
	 * at CMDLINE_TOKEN_MAX bytes. Empty for CMDLINE_TOO_LONG.
	 */
	char token[CMDLINE_TOKEN_MAX + 1];
};

/*
 * Use `line` (NUL-terminated, kept by reference: it must outlive every
 * other call) as the command line. NULL is taken as "".
 */
void cmdline_set(const char *line);

/*
 * Check every token of the line given to cmdline_set(). `key_sets` is a
 * NULL-terminated array of NULL-terminated key arrays (e.g. the kernel's,
 * the target's, the application's). Returns NET_OK, or NET_EINVAL with the
 * first problem found (left to right) described in *err.
 */
int cmdline_validate(const char *const *const *key_sets,
		     struct cmdline_error *err);

/* A short description of a problem ("unknown key"). */
const char *cmdline_problem_str(enum cmdline_problem problem);

/*
 * Copy the value of the first token with `key` into buf (NUL-terminated).
 * Returns the value's length, NET_ENOENT when the key is absent (or empty),
 * or NET_EMSGSIZE when value and NUL do not fit in `cap` (buf then holds
 * "" if cap > 0).
 */
int cmdline_get(const char *key, char *buf, size_t cap);

/*
 * A decimal integer in [min, max]: digits only, "0" but no other leading
 * zero, no sign, no spaces. NET_OK or NET_EINVAL (*out untouched).
 */
int cmdline_parse_u32(const char *str, uint32_t min, uint32_t max,
		      uint32_t *out);

/*
 * Dotted-quad IPv4 "a.b.c.d", each part a decimal 0..255 as for
 * cmdline_parse_u32. *addr is host order (10.0.0.1 == 0x0a000001).
 */
int cmdline_parse_ipv4(const char *str, uint32_t *addr);

/*
 * "a.b.c.d/n" with n in 0..32. *mask is the netmask of the prefix length
 * (24 -> 0xffffff00). The prefix length is required.
 */
int cmdline_parse_ipv4_prefix(const char *str, uint32_t *addr, uint32_t *mask);

/*
 * A MAC "aa:bb:cc:dd:ee:ff": six groups of exactly two hex digits (either
 * case) separated by ':'.
 */
int cmdline_parse_mac(const char *str, uint8_t mac[6]);

#endif /* KERNEL_CMDLINE_H */
