/*
 * tcp_wire.h - the TCP header and its options on the wire (RFC 9293 §3.1,
 * §3.2): parse and emit with the pseudo-header checksum, no state.
 * Internal to net/.
 *
 * Options understood: EOL, NOP, MSS (RFC 9293 §3.7.1, RFC 6691), window
 * scale (RFC 7323 §2), SACK-permitted and SACK blocks (RFC 2018 §2, §3),
 * timestamps (RFC 7323 §3). Unknown options with a well-formed length are
 * skipped (RFC 9293 §3.1, RFC 1122 §4.2.2.5). A known option with the
 * wrong length, or any option whose length byte runs past the header, makes
 * the whole segment malformed: TCP_WIRE_BAD_OPTIONS, a counted drop.
 *
 * tcp_wire_emit() writes the options in a fixed order, padded with NOPs
 * to 32-bit alignment the way RFC 7323 Appendix A suggests.
 */
#ifndef NET_TCP_WIRE_H
#define NET_TCP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_HDR_LEN 20 /* without options */
#define TCP_HDR_MAX 60 /* data offset 15 */
#define TCP_OPT_MAX (TCP_HDR_MAX - TCP_HDR_LEN)

#define TCP_OFF_SRC_PORT 0
#define TCP_OFF_DST_PORT 2
#define TCP_OFF_SEQ	 4
#define TCP_OFF_ACK	 8
#define TCP_OFF_DOFF	 12 /* data offset, high nibble */
#define TCP_OFF_FLAGS	 13
#define TCP_OFF_WINDOW	 14
#define TCP_OFF_CHECKSUM 16
#define TCP_OFF_URG	 18

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10
#define TCP_FLAG_URG 0x20
#define TCP_FLAG_ECE 0x40
#define TCP_FLAG_CWR 0x80

#define TCP_OPT_EOL	   0
#define TCP_OPT_NOP	   1
#define TCP_OPT_MSS	   2
#define TCP_OPT_WSCALE	   3
#define TCP_OPT_SACK_PERM  4
#define TCP_OPT_SACK	   5
#define TCP_OPT_TIMESTAMPS 8

#define TCP_OPTLEN_MSS	      4
#define TCP_OPTLEN_WSCALE     3
#define TCP_OPTLEN_SACK_PERM  2
#define TCP_OPTLEN_TIMESTAMPS 10

/* RFC 7323 §2.3: a shift above 14 is used as 14. */
#define TCP_WSCALE_MAX 14
/* At most 4 SACK blocks fit in 40 bytes (RFC 2018 §3). */
#define TCP_SACK_MAX 4

struct tcp_sack_block {
	uint32_t left;	/* first sequence number of the block */
	uint32_t right; /* sequence number just past it */
};

/* The options of one segment; the has_ flags say which were present. */
struct tcp_opts {
	bool has_mss;
	bool has_wscale;
	bool sack_permitted;
	bool has_ts;
	uint16_t mss;
	uint8_t wscale; /* as received; the caller clamps to 14 */
	uint32_t ts_val;
	uint32_t ts_ecr;
	uint8_t sack_count;
	struct tcp_sack_block sack[TCP_SACK_MAX];
};

/* A parsed header, host order. */
struct tcp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t seq;
	uint32_t ack;
	size_t hdr_len; /* data offset * 4, options included: 20..60 */
	uint8_t flags;
	uint16_t window; /* as on the wire, not yet scaled */
	uint16_t urg;
	struct tcp_opts opts;
};

/* What tcp_wire_parse() found; one value per drop reason. */
enum tcp_wire_status {
	TCP_WIRE_OK = 0,
	TCP_WIRE_SHORT,	       /* fewer than 20 bytes */
	TCP_WIRE_BAD_OFFSET,   /* data offset < 5 or past the segment */
	TCP_WIRE_BAD_CHECKSUM, /* over pseudo-header, header and data */
	TCP_WIRE_BAD_OPTIONS,  /* a malformed option list */
};

/*
 * Check the segment at buf (`len` bytes: the whole IP payload) from `src`
 * to `dst` (host order, for the pseudo-header) and fill *h. On TCP_WIRE_OK
 * the data is the len - h->hdr_len bytes after the header.
 */
enum tcp_wire_status tcp_wire_parse(const uint8_t *buf, size_t len,
				    uint32_t src, uint32_t dst,
				    struct tcp_hdr *h);

/*
 * Parse an option list of `len` bytes into *o (cleared first).
 * TCP_WIRE_OK or TCP_WIRE_BAD_OPTIONS.
 */
enum tcp_wire_status tcp_wire_parse_options(const uint8_t *opt, size_t len,
					    struct tcp_opts *o);

/* The bytes tcp_wire_emit() writes for the options in *o (a multiple of 4). */
size_t tcp_wire_options_len(const struct tcp_opts *o);

/*
 * Write the header for h (its options included; h->hdr_len is ignored)
 * with a checksum over the pseudo-header for `src`->`dst`, the header and
 * the `data_len` bytes at `data`, into buf (TCP_HDR_MAX bytes of room).
 * Returns the header's length, or 0 when the options do not fit in 40
 * bytes.
 */
size_t tcp_wire_emit(uint8_t *buf, const struct tcp_hdr *h, uint32_t src,
		     uint32_t dst, const uint8_t *data, size_t data_len);

/*
 * Read ports and sequence number from the first 8 bytes of a header, with
 * no check: for the quote in an ICMP error.
 */
void tcp_wire_read_quote(const uint8_t *hdr, uint16_t *src_port,
			 uint16_t *dst_port, uint32_t *seq);

#endif /* NET_TCP_WIRE_H */
