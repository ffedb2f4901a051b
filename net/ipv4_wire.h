/*
 * ipv4_wire.h - the IPv4 header on the wire (RFC 791 §3.1): parse and emit,
 * no state. Internal to net/.
 *
 * ipv4_wire_parse() checks a received header once and fills a host-order
 * struct; it returns which check failed so that the caller counts the right
 * drop reason. ipv4_wire_emit() writes a 20-byte header (we never send
 * options) with its checksum.
 */
#ifndef NET_IPV4_WIRE_H
#define NET_IPV4_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_HDR_LEN	   20 /* without options */
#define IPV4_HDR_MAX	   60 /* IHL 15 */
#define IPV4_MAX_TOTAL_LEN 65535

/* Byte offsets within the header. */
#define IPV4_OFF_VER_IHL   0
#define IPV4_OFF_TOS	   1
#define IPV4_OFF_TOTAL_LEN 2
#define IPV4_OFF_ID	   4
#define IPV4_OFF_FRAG	   6
#define IPV4_OFF_TTL	   8
#define IPV4_OFF_PROTO	   9
#define IPV4_OFF_CHECKSUM  10
#define IPV4_OFF_SRC	   12
#define IPV4_OFF_DST	   16

/* The flags-and-fragment-offset word. */
#define IPV4_FRAG_DF	   0x4000
#define IPV4_FRAG_MF	   0x2000
#define IPV4_FRAG_OFF_MASK 0x1fff
#define IPV4_FRAG_UNIT	   8 /* fragment offsets count 8-byte units */

/* Option types (RFC 791 §3.1, "Options"). */
#define IPV4_OPT_EOL  0
#define IPV4_OPT_NOP  1
#define IPV4_OPT_LSRR 131
#define IPV4_OPT_SSRR 137

/* A parsed header, host order. */
struct ipv4_hdr {
	size_t hdr_len; /* IHL * 4, options included: 20..60 */
	uint8_t tos;
	uint16_t total_len; /* header + payload */
	uint16_t id;
	bool df;
	bool mf;
	uint16_t frag_off; /* in bytes (the field times 8) */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src;
	uint32_t dst;
};

/* What ipv4_wire_parse() found; one value per drop reason. */
enum ipv4_wire_status {
	IPV4_WIRE_OK = 0,
	IPV4_WIRE_SHORT,       /* fewer than 20 bytes */
	IPV4_WIRE_BAD_VERSION, /* version is not 4 */
	IPV4_WIRE_BAD_IHL,     /* IHL < 5 or header past the data */
	IPV4_WIRE_BAD_LENGTH,  /* total length < IHL or > received */
	IPV4_WIRE_BAD_CHECKSUM,
	IPV4_WIRE_BAD_OPTIONS,	/* malformed option list */
	IPV4_WIRE_SOURCE_ROUTE, /* LSRR or SSRR present */
};

/*
 * Check the header at buf (len bytes received, link padding included) and
 * fill *h. On IPV4_WIRE_OK the header and h->total_len bytes are within
 * `len`; the caller trims the rest as link-layer padding.
 */
enum ipv4_wire_status ipv4_wire_parse(const uint8_t *buf, size_t len,
				      struct ipv4_hdr *h);

/*
 * Check the structure of an option list of `len` bytes (RFC 791 §3.1):
 * EOL ends it, NOP is one byte, every other option has a length byte >= 2
 * that stays within the list. Source-route options are reported as
 * IPV4_WIRE_SOURCE_ROUTE (RFC 7126 §4.3, §4.4).
 */
enum ipv4_wire_status ipv4_wire_check_options(const uint8_t *opt, size_t len);

/*
 * Write an IPV4_HDR_LEN-byte header (no options; h->hdr_len is ignored)
 * with its checksum into buf. Returns IPV4_HDR_LEN.
 */
size_t ipv4_wire_emit(uint8_t *buf, const struct ipv4_hdr *h);

/* Whether the header describes a fragment (MF set or a non-zero offset). */
bool ipv4_wire_is_fragment(const struct ipv4_hdr *h);

#endif /* NET_IPV4_WIRE_H */
