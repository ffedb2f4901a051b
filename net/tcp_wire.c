/*
 * tcp_wire.c - the TCP header and options on the wire (RFC 9293 §3.1,
 * RFC 7323, RFC 2018): see tcp_wire.h. No state, no globals, no I/O.
 */
#include "tcp_wire.h"

#include <string.h>

#include <klib/bytes.h>

#include "checksum.h"
#include "ipv4.h"

/* The option kinds whose length is fixed, with that length; 0: any. */
static size_t tcp_wire_known_len(uint8_t kind)
{
	switch (kind) {
	case TCP_OPT_MSS:
		return TCP_OPTLEN_MSS;
	case TCP_OPT_WSCALE:
		return TCP_OPTLEN_WSCALE;
	case TCP_OPT_SACK_PERM:
		return TCP_OPTLEN_SACK_PERM;
	case TCP_OPT_TIMESTAMPS:
		return TCP_OPTLEN_TIMESTAMPS;
	default:
		return 0;
	}
}

/* SACK blocks (RFC 2018 §3): 2 + 8n bytes, n = 1..4. */
static bool tcp_wire_read_sack(const uint8_t *p, size_t olen,
			       struct tcp_opts *o)
{
	size_t n = (olen - 2) / 8;

	if (olen < 10 || (olen - 2) % 8 != 0 || n > TCP_SACK_MAX)
		return false;
	o->sack_count = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		o->sack[i].left = ld_be32(p + 2 + 8 * i);
		o->sack[i].right = ld_be32(p + 6 + 8 * i);
	}
	return true;
}

/* One option of kind p[0] and length olen (checked by the caller). */
static bool tcp_wire_read_option(const uint8_t *p, size_t olen,
				 struct tcp_opts *o)
{
	size_t want = tcp_wire_known_len(p[0]);

	if (want != 0 && olen != want)
		return false;
	switch (p[0]) {
	case TCP_OPT_MSS:
		o->has_mss = true;
		o->mss = ld_be16(p + 2);
		break;
	case TCP_OPT_WSCALE:
		o->has_wscale = true;
		o->wscale = p[2];
		break;
	case TCP_OPT_SACK_PERM:
		o->sack_permitted = true;
		break;
	case TCP_OPT_TIMESTAMPS:
		o->has_ts = true;
		o->ts_val = ld_be32(p + 2);
		o->ts_ecr = ld_be32(p + 6);
		break;
	case TCP_OPT_SACK:
		return tcp_wire_read_sack(p, olen, o);
	default:
		break; /* unknown: skipped (RFC 1122 §4.2.2.5) */
	}
	return true;
}

enum tcp_wire_status tcp_wire_parse_options(const uint8_t *opt, size_t len,
					    struct tcp_opts *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		size_t olen;

		if (opt[i] == TCP_OPT_EOL)
			break;
		if (opt[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return TCP_WIRE_BAD_OPTIONS;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return TCP_WIRE_BAD_OPTIONS;
		if (!tcp_wire_read_option(opt + i, olen, o))
			return TCP_WIRE_BAD_OPTIONS;
		i += olen;
	}
	return TCP_WIRE_OK;
}

static uint16_t tcp_wire_checksum(const uint8_t *buf, size_t hdr_len,
				  uint32_t src, uint32_t dst,
				  const uint8_t *data, size_t data_len)
{
	uint32_t sum = csum_pseudo_ipv4(src, dst, IPV4_PROTO_TCP,
					(uint16_t)(hdr_len + data_len));

	sum = csum_add(sum, buf, hdr_len);
	if (data_len > 0)
		sum = csum_add(sum, data, data_len);
	return csum_fold(sum);
}

enum tcp_wire_status tcp_wire_parse(const uint8_t *buf, size_t len,
				    uint32_t src, uint32_t dst,
				    struct tcp_hdr *h)
{
	if (len < TCP_HDR_LEN)
		return TCP_WIRE_SHORT;
	h->hdr_len = (size_t)(buf[TCP_OFF_DOFF] >> 4) * 4;
	if (h->hdr_len < TCP_HDR_LEN || h->hdr_len > len)
		return TCP_WIRE_BAD_OFFSET;
	/* Over the whole segment, the checksum field included: 0 if right. */
	if (tcp_wire_checksum(buf, len, src, dst, NULL, 0) != 0)
		return TCP_WIRE_BAD_CHECKSUM;
	h->src_port = ld_be16(buf + TCP_OFF_SRC_PORT);
	h->dst_port = ld_be16(buf + TCP_OFF_DST_PORT);
	h->seq = ld_be32(buf + TCP_OFF_SEQ);
	h->ack = ld_be32(buf + TCP_OFF_ACK);
	h->flags = buf[TCP_OFF_FLAGS];
	h->window = ld_be16(buf + TCP_OFF_WINDOW);
	h->urg = ld_be16(buf + TCP_OFF_URG);
	return tcp_wire_parse_options(buf + TCP_HDR_LEN,
				      h->hdr_len - TCP_HDR_LEN, &h->opts);
}

size_t tcp_wire_options_len(const struct tcp_opts *o)
{
	size_t n = 0;

	if (o->has_mss)
		n += 4;
	if (o->has_wscale)
		n += 4; /* NOP + 3 */
	if (o->sack_permitted && !o->has_ts)
		n += 4; /* NOP NOP + 2 */
	if (o->has_ts)
		n += 12; /* SACK-permitted, if any, takes the two NOPs */
	if (o->sack_count > 0)
		n += 4 + 8 * (size_t)o->sack_count; /* NOP NOP + 2 + 8n */
	return n;
}

/* Write the options of *o at p; returns the bytes written. */
static size_t tcp_wire_emit_options(uint8_t *p, const struct tcp_opts *o)
{
	uint8_t *start = p;

	if (o->has_mss) {
		p[0] = TCP_OPT_MSS;
		p[1] = TCP_OPTLEN_MSS;
		st_be16(p + 2, o->mss);
		p += 4;
	}
	if (o->has_wscale) {
		p[0] = TCP_OPT_NOP;
		p[1] = TCP_OPT_WSCALE;
		p[2] = TCP_OPTLEN_WSCALE;
		p[3] = o->wscale;
		p += 4;
	}
	if (o->has_ts) {
		/* SACK-permitted + timestamps fit 12 bytes exactly. */
		p[0] = o->sack_permitted ? TCP_OPT_SACK_PERM : TCP_OPT_NOP;
		p[1] = o->sack_permitted ? TCP_OPTLEN_SACK_PERM : TCP_OPT_NOP;
		p[2] = TCP_OPT_TIMESTAMPS;
		p[3] = TCP_OPTLEN_TIMESTAMPS;
		st_be32(p + 4, o->ts_val);
		st_be32(p + 8, o->ts_ecr);
		p += 12;
	} else if (o->sack_permitted) {
		p[0] = TCP_OPT_NOP;
		p[1] = TCP_OPT_NOP;
		p[2] = TCP_OPT_SACK_PERM;
		p[3] = TCP_OPTLEN_SACK_PERM;
		p += 4;
	}
	if (o->sack_count > 0) {
		p[0] = TCP_OPT_NOP;
		p[1] = TCP_OPT_NOP;
		p[2] = TCP_OPT_SACK;
		p[3] = (uint8_t)(2 + 8 * o->sack_count);
		p += 4;
		for (size_t i = 0; i < o->sack_count; i++, p += 8) {
			st_be32(p, o->sack[i].left);
			st_be32(p + 4, o->sack[i].right);
		}
	}
	return (size_t)(p - start);
}

size_t tcp_wire_emit(uint8_t *buf, const struct tcp_hdr *h, uint32_t src,
		     uint32_t dst, const uint8_t *data, size_t data_len)
{
	size_t olen = tcp_wire_options_len(&h->opts);
	size_t hlen = TCP_HDR_LEN + olen;

	if (olen > TCP_OPT_MAX || h->opts.sack_count > TCP_SACK_MAX)
		return 0;
	st_be16(buf + TCP_OFF_SRC_PORT, h->src_port);
	st_be16(buf + TCP_OFF_DST_PORT, h->dst_port);
	st_be32(buf + TCP_OFF_SEQ, h->seq);
	st_be32(buf + TCP_OFF_ACK, h->ack);
	buf[TCP_OFF_DOFF] = (uint8_t)((hlen / 4) << 4);
	buf[TCP_OFF_FLAGS] = h->flags;
	st_be16(buf + TCP_OFF_WINDOW, h->window);
	st_be16(buf + TCP_OFF_CHECKSUM, 0);
	st_be16(buf + TCP_OFF_URG, h->urg);
	tcp_wire_emit_options(buf + TCP_HDR_LEN, &h->opts);
	st_be16(buf + TCP_OFF_CHECKSUM,
		tcp_wire_checksum(buf, hlen, src, dst, data, data_len));
	return hlen;
}

void tcp_wire_read_quote(const uint8_t *hdr, uint16_t *src_port,
			 uint16_t *dst_port, uint32_t *seq)
{
	*src_port = ld_be16(hdr + TCP_OFF_SRC_PORT);
	*dst_port = ld_be16(hdr + TCP_OFF_DST_PORT);
	*seq = ld_be32(hdr + TCP_OFF_SEQ);
}
