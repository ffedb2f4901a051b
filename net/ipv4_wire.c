/*
 * ipv4_wire.c - IPv4 header parse and emit (RFC 791 §3.1). No state.
 *
 * Interface: ipv4_wire_parse() / ipv4_wire_check_options() /
 * ipv4_wire_emit() / ipv4_wire_is_fragment(), see ipv4_wire.h.
 *
 * Parse order follows RFC 1122 §3.2.1.1 - §3.2.1.2 (version, header
 * checksum) with the length checks a hostile sender makes necessary first:
 * nothing is read before the bytes are known to be there. Options are
 * only checked for structure (RFC 1122 §3.2.1.8: unknown options are
 * ignored); the one thing acted on is a source route, which is reported so
 * the datagram can be dropped (RFC 7126 §4.3, §4.4).
 *
 * Left out: emitting options (keel never sends any). The reserved flag bit
 * is ignored on input and sent as zero.
 */
#include "ipv4_wire.h"

#include <klib/bytes.h>

#include "checksum.h"

#define IPV4_VERSION	 4
#define IPV4_IHL_MIN	 5
#define IPV4_OPT_OFF_LEN 1 /* the length byte of a multi-byte option */

static enum ipv4_wire_status
ipv4_wire_check_lengths(const uint8_t *buf, size_t len, struct ipv4_hdr *h)
{
	uint8_t ver_ihl;

	if (len < IPV4_HDR_LEN)
		return IPV4_WIRE_SHORT;
	ver_ihl = buf[IPV4_OFF_VER_IHL];
	if (ver_ihl >> 4 != IPV4_VERSION)
		return IPV4_WIRE_BAD_VERSION;
	h->hdr_len = (size_t)(ver_ihl & 0x0f) * 4;
	if ((ver_ihl & 0x0f) < IPV4_IHL_MIN || h->hdr_len > len)
		return IPV4_WIRE_BAD_IHL;
	h->total_len = ld_be16(buf + IPV4_OFF_TOTAL_LEN);
	/* RFC 1122 §3.2.1.1 leaves length checking implicit; a total length
	 * shorter than the header or longer than what arrived is a truncated
	 * or forged datagram. Longer received data is link padding. */
	if (h->total_len < h->hdr_len || h->total_len > len)
		return IPV4_WIRE_BAD_LENGTH;
	return IPV4_WIRE_OK;
}

static void ipv4_wire_read_fields(const uint8_t *buf, struct ipv4_hdr *h)
{
	uint16_t frag = ld_be16(buf + IPV4_OFF_FRAG);

	h->tos = buf[IPV4_OFF_TOS];
	h->id = ld_be16(buf + IPV4_OFF_ID);
	h->df = (frag & IPV4_FRAG_DF) != 0;
	h->mf = (frag & IPV4_FRAG_MF) != 0;
	h->frag_off = (uint16_t)((frag & IPV4_FRAG_OFF_MASK) * IPV4_FRAG_UNIT);
	h->ttl = buf[IPV4_OFF_TTL];
	h->proto = buf[IPV4_OFF_PROTO];
	h->src = ld_be32(buf + IPV4_OFF_SRC);
	h->dst = ld_be32(buf + IPV4_OFF_DST);
}

enum ipv4_wire_status ipv4_wire_parse(const uint8_t *buf, size_t len,
				      struct ipv4_hdr *h)
{
	enum ipv4_wire_status st = ipv4_wire_check_lengths(buf, len, h);

	if (st != IPV4_WIRE_OK)
		return st;
	/* RFC 1122 §3.2.1.2: a datagram with a bad checksum MUST be
	 * silently discarded. The sum over a correct header is 0xffff. */
	if (csum_fold(csum_add(0, buf, h->hdr_len)) != 0)
		return IPV4_WIRE_BAD_CHECKSUM;
	st = ipv4_wire_check_options(buf + IPV4_HDR_LEN,
				     h->hdr_len - IPV4_HDR_LEN);
	if (st != IPV4_WIRE_OK)
		return st;
	ipv4_wire_read_fields(buf, h);
	return IPV4_WIRE_OK;
}

enum ipv4_wire_status ipv4_wire_check_options(const uint8_t *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t type = opt[i];
		size_t olen;

		if (type == IPV4_OPT_EOL)
			break; /* the rest is padding */
		if (type == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + IPV4_OPT_OFF_LEN >= len)
			return IPV4_WIRE_BAD_OPTIONS; /* no length byte */
		olen = opt[i + IPV4_OPT_OFF_LEN];
		if (olen < 2 || olen > len - i)
			return IPV4_WIRE_BAD_OPTIONS;
		if (type == IPV4_OPT_LSRR || type == IPV4_OPT_SSRR)
			return IPV4_WIRE_SOURCE_ROUTE;
		i += olen;
	}
	return IPV4_WIRE_OK;
}

size_t ipv4_wire_emit(uint8_t *buf, const struct ipv4_hdr *h)
{
	uint16_t frag =
	    (uint16_t)(h->frag_off / IPV4_FRAG_UNIT) & IPV4_FRAG_OFF_MASK;

	if (h->df)
		frag |= IPV4_FRAG_DF;
	if (h->mf)
		frag |= IPV4_FRAG_MF;
	buf[IPV4_OFF_VER_IHL] = IPV4_VERSION << 4 | IPV4_IHL_MIN;
	buf[IPV4_OFF_TOS] = h->tos;
	st_be16(buf + IPV4_OFF_TOTAL_LEN, h->total_len);
	st_be16(buf + IPV4_OFF_ID, h->id);
	st_be16(buf + IPV4_OFF_FRAG, frag);
	buf[IPV4_OFF_TTL] = h->ttl;
	buf[IPV4_OFF_PROTO] = h->proto;
	st_be16(buf + IPV4_OFF_CHECKSUM, 0);
	st_be32(buf + IPV4_OFF_SRC, h->src);
	st_be32(buf + IPV4_OFF_DST, h->dst);
	st_be16(buf + IPV4_OFF_CHECKSUM,
		csum_fold(csum_add(0, buf, IPV4_HDR_LEN)));
	return IPV4_HDR_LEN;
}

bool ipv4_wire_is_fragment(const struct ipv4_hdr *h)
{
	return h->mf || h->frag_off != 0;
}
