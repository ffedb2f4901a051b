/*
 * icmp_wire.c - ICMP header parse and emit, and the quoted datagram of an
 * error message (RFC 792). No state.
 *
 * Interface: see icmp_wire.h. The checksum covers the whole message
 * (RFC 792, "Checksum"); parse verifies it, emit computes it over the
 * header and a payload kept in a separate buffer. The quote parser is
 * deliberately lenient about the quoted total length and checksum - a
 * router may have changed the first or the datagram may have been cut -
 * and strict about what is needed to find the transport header
 * (RFC 5927 §4.1 leaves the rest to the transport).
 */
#include "icmp_wire.h"

#include <klib/bytes.h>
#include <net/net.h>

#include "checksum.h"
#include "icmp.h"
#include "ipv4_wire.h"

enum icmp_wire_status icmp_wire_parse(const uint8_t *buf, size_t len,
				      struct icmp_hdr *h)
{
	if (len < ICMP_HDR_LEN)
		return ICMP_WIRE_SHORT;
	if (csum_fold(csum_add(0, buf, len)) != 0)
		return ICMP_WIRE_BAD_CHECKSUM;
	h->type = buf[ICMP_OFF_TYPE];
	h->code = buf[ICMP_OFF_CODE];
	h->checksum = ld_be16(buf + ICMP_OFF_CHECKSUM);
	h->id = ld_be16(buf + ICMP_OFF_ID);
	h->seq = ld_be16(buf + ICMP_OFF_SEQ);
	return ICMP_WIRE_OK;
}

size_t icmp_wire_emit(uint8_t *buf, const struct icmp_hdr *h,
		      const uint8_t *data, size_t data_len)
{
	uint32_t sum;

	buf[ICMP_OFF_TYPE] = h->type;
	buf[ICMP_OFF_CODE] = h->code;
	st_be16(buf + ICMP_OFF_CHECKSUM, 0);
	st_be16(buf + ICMP_OFF_ID, h->id);
	st_be16(buf + ICMP_OFF_SEQ, h->seq);
	/* The header has an even length, so the data may follow in its own
	 * buffer without breaking csum_add()'s pairing of bytes. */
	sum = csum_add(0, buf, ICMP_HDR_LEN);
	if (data_len > 0)
		sum = csum_add(sum, data, data_len);
	st_be16(buf + ICMP_OFF_CHECKSUM, csum_fold(sum));
	return ICMP_HDR_LEN;
}

int icmp_wire_parse_quote(const uint8_t *body, size_t len, struct icmp_quote *q)
{
	size_t ihl;

	if (len < IPV4_HDR_LEN || body[IPV4_OFF_VER_IHL] >> 4 != 4)
		return NET_EBADMSG;
	ihl = (size_t)(body[IPV4_OFF_VER_IHL] & 0x0f) * 4;
	if (ihl < IPV4_HDR_LEN || ihl + ICMP_QUOTE_L4_LEN > len)
		return NET_EBADMSG;
	/* Only the first fragment carries the transport header. */
	if ((ld_be16(body + IPV4_OFF_FRAG) & IPV4_FRAG_OFF_MASK) != 0)
		return NET_EBADMSG;
	q->src = ld_be32(body + IPV4_OFF_SRC);
	q->dst = ld_be32(body + IPV4_OFF_DST);
	q->proto = body[IPV4_OFF_PROTO];
	q->l4 = body + ihl;
	return NET_OK;
}

bool icmp_wire_is_query(uint8_t type)
{
	switch (type) {
	case ICMP_ECHO_REPLY:
	case ICMP_ECHO_REQUEST:
	case ICMP_ROUTER_ADVERT:
	case ICMP_ROUTER_SOLICIT:
	case ICMP_TIMESTAMP:
	case ICMP_TIMESTAMP_REPLY:
	case ICMP_INFO_REQUEST:
	case ICMP_INFO_REPLY:
	case ICMP_MASK_REQUEST:
	case ICMP_MASK_REPLY:
		return true;
	default:
		return false;
	}
}
