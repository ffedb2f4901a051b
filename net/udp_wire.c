/*
 * udp_wire.c - UDP header parse and emit (RFC 768). No state.
 *
 * Interface: udp_wire_parse() / udp_wire_read() / udp_wire_emit(), see
 * udp_wire.h.
 *
 * The checksum is the Internet checksum (RFC 1071) over a pseudo-header
 * (source and destination address, zero, protocol 17, UDP length), the
 * UDP header and the data (RFC 768, "Fields"). A transmitted checksum of 0
 * means "none computed", so a sum that complements to 0 is sent as 0xffff,
 * its one's complement twin (RFC 768). On input a zero checksum is
 * accepted without verification (RFC 1122 §4.1.3.4); a non-zero one that
 * does not verify is a drop (RFC 1122 §4.1.3.4: MUST silently discard).
 *
 * Length checks: the length field counts header and data (RFC 768); it
 * may not be below 8 nor beyond what the IP layer delivered. IP payload
 * past it is ignored, as Linux and the BSDs do: RFC 768 does not forbid it.
 *
 * Left out: UDP-Lite (RFC 3828) partial coverage, IPv6 pseudo-headers.
 */
#include "udp_wire.h"

#include <klib/bytes.h>

#include "checksum.h"
#include "ipv4.h"

/* The one's complement sum of the pseudo-header and header, then data. */
static uint32_t udp_wire_sum(const uint8_t *hdr, uint16_t length, uint32_t src,
			     uint32_t dst, const uint8_t *data, size_t data_len)
{
	uint32_t sum = csum_pseudo_ipv4(src, dst, IPV4_PROTO_UDP, length);

	/* The header is 8 bytes, an even length, so data kept in its own
	 * buffer keeps csum_add()'s byte pairing. */
	sum = csum_add(sum, hdr, UDP_HDR_LEN);
	if (data_len > 0)
		sum = csum_add(sum, data, data_len);
	return sum;
}

void udp_wire_read(const uint8_t *hdr, struct udp_hdr *h)
{
	h->src_port = ld_be16(hdr + UDP_OFF_SRC_PORT);
	h->dst_port = ld_be16(hdr + UDP_OFF_DST_PORT);
	h->length = ld_be16(hdr + UDP_OFF_LENGTH);
	h->checksum = ld_be16(hdr + UDP_OFF_CHECKSUM);
}

enum udp_wire_status udp_wire_parse(const uint8_t *buf, size_t len,
				    uint32_t src, uint32_t dst,
				    struct udp_hdr *h)
{
	uint32_t sum;

	if (len < UDP_HDR_LEN)
		return UDP_WIRE_SHORT;
	udp_wire_read(buf, h);
	if (h->length < UDP_HDR_LEN || h->length > len)
		return UDP_WIRE_BAD_LENGTH;
	if (h->checksum == 0)
		return UDP_WIRE_OK;
	/* Summed with its own checksum field, a correct datagram sums to
	 * 0xffff (negative zero), which folds and complements to 0. */
	sum = udp_wire_sum(buf, h->length, src, dst, buf + UDP_HDR_LEN,
			   h->length - UDP_HDR_LEN);
	if (csum_fold(sum) != 0)
		return UDP_WIRE_BAD_CHECKSUM;
	return UDP_WIRE_OK;
}

size_t udp_wire_emit(uint8_t *buf, const struct udp_hdr *h, uint32_t src,
		     uint32_t dst, const uint8_t *data, size_t data_len)
{
	uint16_t length;
	uint16_t cksum;

	if (data_len > UDP_MAX_DATA)
		return 0;
	length = (uint16_t)(UDP_HDR_LEN + data_len);
	st_be16(buf + UDP_OFF_SRC_PORT, h->src_port);
	st_be16(buf + UDP_OFF_DST_PORT, h->dst_port);
	st_be16(buf + UDP_OFF_LENGTH, length);
	st_be16(buf + UDP_OFF_CHECKSUM, 0);
	cksum = csum_fold(udp_wire_sum(buf, length, src, dst, data, data_len));
	/* RFC 768: an all-zero result is transmitted as all ones. */
	if (cksum == 0)
		cksum = 0xffff;
	st_be16(buf + UDP_OFF_CHECKSUM, cksum);
	return UDP_HDR_LEN;
}
