/*
 * udp_wire.h - the UDP header on the wire (RFC 768): parse and emit with
 * the pseudo-header checksum, no state. Internal to net/.
 *
 * udp_wire_parse() checks a received datagram once (length, then checksum)
 * and fills a host-order struct; it returns which check failed so that the
 * caller counts the right drop reason. udp_wire_emit() writes the 8-byte
 * header with a checksum over the pseudo-header, the header and data kept
 * in a separate buffer.
 */
#ifndef NET_UDP_WIRE_H
#define NET_UDP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define UDP_HDR_LEN	 8
#define UDP_OFF_SRC_PORT 0
#define UDP_OFF_DST_PORT 2
#define UDP_OFF_LENGTH	 4
#define UDP_OFF_CHECKSUM 6

/* The most data the 16-bit length field can describe. */
#define UDP_MAX_DATA (65535 - UDP_HDR_LEN)

/* A parsed header, host order. */
struct udp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t length;   /* header + data, as the length field says */
	uint16_t checksum; /* as received; 0: the sender computed none */
};

/* What udp_wire_parse() found; one value per drop reason. */
enum udp_wire_status {
	UDP_WIRE_OK = 0,
	UDP_WIRE_SHORT,	       /* fewer than 8 bytes */
	UDP_WIRE_BAD_LENGTH,   /* length field < 8 or > the bytes received */
	UDP_WIRE_BAD_CHECKSUM, /* non-zero and wrong */
};

/*
 * Check the datagram at buf (`len` bytes: the IP payload) that came from
 * `src` to `dst` (host order, for the pseudo-header) and fill *h. On
 * UDP_WIRE_OK the data is the h->length - UDP_HDR_LEN bytes after the
 * header; bytes past h->length are not part of the datagram (RFC 768:
 * the length field counts header and data) and are not checksummed.
 */
enum udp_wire_status udp_wire_parse(const uint8_t *buf, size_t len,
				    uint32_t src, uint32_t dst,
				    struct udp_hdr *h);

/*
 * Read the four header fields of `hdr` (UDP_HDR_LEN bytes) without any
 * check: for the quote in an ICMP error, whose datagram was cut short.
 */
void udp_wire_read(const uint8_t *hdr, struct udp_hdr *h);

/*
 * Write the UDP_HDR_LEN-byte header for a datagram from `src` to `dst`
 * carrying the `data_len` bytes at `data`: h's ports are used, the length
 * and checksum are computed (h->length and h->checksum are ignored). A
 * checksum computing to 0 is sent as 0xffff (RFC 768). Returns
 * UDP_HDR_LEN, or 0 with nothing written when data_len > UDP_MAX_DATA.
 */
size_t udp_wire_emit(uint8_t *buf, const struct udp_hdr *h, uint32_t src,
		     uint32_t dst, const uint8_t *data, size_t data_len);

#endif /* NET_UDP_WIRE_H */
