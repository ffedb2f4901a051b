/*
 * icmp_wire.h - the ICMP message header (RFC 792) and the datagram an
 * error message quotes: parse and emit, no state. Internal to net/.
 */
#ifndef NET_ICMP_WIRE_H
#define NET_ICMP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP_HDR_LEN	  8
#define ICMP_OFF_TYPE	  0
#define ICMP_OFF_CODE	  1
#define ICMP_OFF_CHECKSUM 2
#define ICMP_OFF_ID	  4 /* echo; "unused"/pointer in errors */
#define ICMP_OFF_SEQ	  6

/* An error quotes the IP header and this much of the payload (RFC 792). */
#define ICMP_QUOTE_L4_LEN 8

/*
 * The 8-byte header. For echo messages id and seq are the identifier and
 * sequence number; for other types they are the two halves of the
 * type-specific word (zero in the errors keel sends).
 */
struct icmp_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	uint16_t id;
	uint16_t seq;
};

enum icmp_wire_status {
	ICMP_WIRE_OK = 0,
	ICMP_WIRE_SHORT,	/* fewer than 8 bytes */
	ICMP_WIRE_BAD_CHECKSUM, /* over the whole message */
};

/* What an error message says about the datagram it quotes. */
struct icmp_quote {
	uint32_t src;
	uint32_t dst;
	uint8_t proto;
	const uint8_t *l4; /* ICMP_QUOTE_L4_LEN bytes of its payload */
};

/* Check the `len`-byte message at buf (length, checksum) and fill *h. */
enum icmp_wire_status icmp_wire_parse(const uint8_t *buf, size_t len,
				      struct icmp_hdr *h);

/*
 * Write the ICMP_HDR_LEN-byte header into buf with a checksum covering it
 * and the `data_len` bytes at `data` that will follow it on the wire.
 * Returns ICMP_HDR_LEN.
 */
size_t icmp_wire_emit(uint8_t *buf, const struct icmp_hdr *h,
		      const uint8_t *data, size_t data_len);

/*
 * Parse the body of an error message (what follows the 8-byte header): an
 * IPv4 header of version 4, IHL >= 5, offset 0, followed by at least
 * ICMP_QUOTE_L4_LEN bytes. NET_OK or NET_EBADMSG.
 */
int icmp_wire_parse_quote(const uint8_t *body, size_t len,
			  struct icmp_quote *q);

/*
 * Whether `type` is a query or reply (echo, timestamp, information, address
 * mask, router discovery). Everything else, unknown types included, is
 * treated as an error message, about which no error is ever sent.
 */
bool icmp_wire_is_query(uint8_t type);

#endif /* NET_ICMP_WIRE_H */
