/*
 * dhcp_wire.c - BOOTP/DHCP message parse and emit (RFC 2131 §2, §4.1;
 * RFC 2132 options; RFC 3396 for repeated list options). No state.
 *
 * Interface and the rules a received message must keep: dhcp_wire.h.
 *
 * Parsing reads the fixed part once, then walks the option fields in the
 * order RFC 2131 §4.1 gives (options, then file and sname when option 52
 * says they hold options), each walk bounded by its field. Every option
 * is copied into the host-order struct as it is met, so nothing points
 * into the caller's buffer afterwards. A bit per option code catches
 * repeated scalar options.
 *
 * Emitting writes what a client sends (RFC 2131 §4.4.1, Table 5): the
 * fixed part with chaddr and the BROADCAST flag, the magic cookie, the
 * message type first (RFC 2131 §3 does not demand it, but some servers
 * read only the first options), then client identifier, requested
 * address, server identifier, host name, maximum message size and
 * parameter request list, an end option, and zeros up to 300 bytes
 * (RFC 1542 §3.1.1).
 *
 * Left out: sending or reading sname/file contents (boot file names),
 * vendor options (43), relay agent information (82), classless static
 * routes (121), and options split inside an address (see dhcp_wire.h).
 */
#include "dhcp_wire.h"

#include <string.h>

#include <klib/bytes.h>

/* Which option codes were seen in one message: one bit per code. */
struct dhcp_wire_seen {
	uint8_t bits[256 / 8];
};

/* The parameters a client asks for with option 55 (RFC 2132 §9.8). */
static const uint8_t dhcp_wire_params[] = {
    DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_MTU,
    DHCP_OPT_LEASE_TIME,  DHCP_OPT_T1,	   DHCP_OPT_T2,
};

/* ---- parse ------------------------------------------------------------ */

/* The length a scalar option must have, or 0 for a list or unknown code. */
static size_t dhcp_wire_scalar_len(uint8_t code)
{
	switch (code) {
	case DHCP_OPT_SUBNET_MASK:
	case DHCP_OPT_LEASE_TIME:
	case DHCP_OPT_SERVER_ID:
	case DHCP_OPT_T1:
	case DHCP_OPT_T2:
		return 4;
	case DHCP_OPT_MTU:
		return 2;
	case DHCP_OPT_MSG_TYPE:
	case DHCP_OPT_OVERLOAD:
		return 1;
	default:
		return 0;
	}
}

/* Append the addresses of one list option instance, up to `max` kept. */
static enum dhcp_wire_status dhcp_wire_list(const uint8_t *v, size_t len,
					    uint32_t *list, uint8_t *count,
					    size_t max)
{
	if (len == 0 || len % 4 != 0)
		return DHCP_WIRE_BAD_OPTIONS;
	for (size_t i = 0; i < len && *count < max; i += 4)
		list[(*count)++] = ld_be32(v + i);
	return DHCP_WIRE_OK;
}

/* Store a scalar option whose length has been checked. */
static enum dhcp_wire_status dhcp_wire_scalar(uint8_t code, const uint8_t *v,
					      struct dhcp_msg *m)
{
	switch (code) {
	case DHCP_OPT_SUBNET_MASK:
		m->has_netmask = true;
		m->netmask = ld_be32(v);
		break;
	case DHCP_OPT_LEASE_TIME:
		m->has_lease = true;
		m->lease_s = ld_be32(v);
		break;
	case DHCP_OPT_SERVER_ID:
		m->has_server_id = true;
		m->server_id = ld_be32(v);
		break;
	case DHCP_OPT_T1:
		m->has_t1 = true;
		m->t1_s = ld_be32(v);
		break;
	case DHCP_OPT_T2:
		m->has_t2 = true;
		m->t2_s = ld_be32(v);
		break;
	case DHCP_OPT_MTU:
		m->has_mtu = true;
		m->mtu = ld_be16(v);
		break;
	case DHCP_OPT_MSG_TYPE:
		if (v[0] == 0)
			return DHCP_WIRE_BAD_OPTIONS;
		m->type = v[0];
		break;
	case DHCP_OPT_OVERLOAD:
		if (v[0] < 1 || v[0] > 3)
			return DHCP_WIRE_BAD_OPTIONS;
		m->overload = v[0];
		break;
	default:
		break;
	}
	return DHCP_WIRE_OK;
}

/* One option of `len` data bytes at v, found in the options field when
 * `in_options` (else in file or sname). */
static enum dhcp_wire_status dhcp_wire_option(uint8_t code, const uint8_t *v,
					      size_t len, bool in_options,
					      struct dhcp_msg *m,
					      struct dhcp_wire_seen *seen)
{
	size_t want = dhcp_wire_scalar_len(code);
	uint8_t bit = (uint8_t)(1u << (code % 8));

	if (code == DHCP_OPT_ROUTER)
		return dhcp_wire_list(v, len, m->router, &m->router_count,
				      DHCP_WIRE_ROUTERS_MAX);
	if (code == DHCP_OPT_DNS)
		return dhcp_wire_list(v, len, m->dns, &m->dns_count,
				      DHCP_WIRE_DNS_MAX);
	if (want == 0)
		return DHCP_WIRE_OK; /* not ours to read: skipped */
	/* RFC 2131 §4.1: overload can only be told in the options field. */
	if (code == DHCP_OPT_OVERLOAD && !in_options)
		return DHCP_WIRE_BAD_OPTIONS;
	if (len != want || (seen->bits[code / 8] & bit))
		return DHCP_WIRE_BAD_OPTIONS;
	seen->bits[code / 8] |= bit;
	return dhcp_wire_scalar(code, v, m);
}

/* Walk the option field of `len` bytes at p. */
static enum dhcp_wire_status dhcp_wire_field(const uint8_t *p, size_t len,
					     bool in_options,
					     struct dhcp_msg *m,
					     struct dhcp_wire_seen *seen)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i];
		size_t olen;
		enum dhcp_wire_status st;

		if (code == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == DHCP_OPT_END)
			return DHCP_WIRE_OK;
		if (len - i < 2)
			return DHCP_WIRE_BAD_OPTIONS; /* no length byte */
		olen = p[i + 1];
		if (olen > len - i - 2)
			return DHCP_WIRE_BAD_OPTIONS;
		st = dhcp_wire_option(code, p + i + 2, olen, in_options, m,
				      seen);
		if (st != DHCP_WIRE_OK)
			return st;
		i += 2 + olen;
	}
	return DHCP_WIRE_OK;
}

static void dhcp_wire_parse_fixed(const uint8_t *buf, struct dhcp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->op = buf[DHCP_OFF_OP];
	m->htype = buf[DHCP_OFF_HTYPE];
	m->hlen = buf[DHCP_OFF_HLEN];
	m->xid = ld_be32(buf + DHCP_OFF_XID);
	m->secs = ld_be16(buf + DHCP_OFF_SECS);
	m->flags = ld_be16(buf + DHCP_OFF_FLAGS);
	m->ciaddr = ld_be32(buf + DHCP_OFF_CIADDR);
	m->yiaddr = ld_be32(buf + DHCP_OFF_YIADDR);
	m->siaddr = ld_be32(buf + DHCP_OFF_SIADDR);
	m->giaddr = ld_be32(buf + DHCP_OFF_GIADDR);
	memcpy(m->chaddr, buf + DHCP_OFF_CHADDR, DHCP_CHADDR_LEN);
}

enum dhcp_wire_status dhcp_wire_parse(const uint8_t *buf, size_t len,
				      struct dhcp_msg *m)
{
	struct dhcp_wire_seen seen;
	enum dhcp_wire_status st;

	if (len < DHCP_FIXED_LEN)
		return DHCP_WIRE_SHORT;
	dhcp_wire_parse_fixed(buf, m);
	if ((m->op != DHCP_OP_REQUEST && m->op != DHCP_OP_REPLY) ||
	    m->hlen > DHCP_CHADDR_LEN)
		return DHCP_WIRE_BAD_HEADER;
	if (ld_be32(buf + DHCP_OFF_COOKIE) != DHCP_COOKIE)
		return DHCP_WIRE_BAD_COOKIE;
	memset(&seen, 0, sizeof(seen));
	st = dhcp_wire_field(buf + DHCP_OFF_OPTIONS, len - DHCP_OFF_OPTIONS,
			     true, m, &seen);
	if (st == DHCP_WIRE_OK && (m->overload & DHCP_OVERLOAD_FILE))
		st = dhcp_wire_field(buf + DHCP_OFF_FILE, DHCP_FILE_LEN, false,
				     m, &seen);
	if (st == DHCP_WIRE_OK && (m->overload & DHCP_OVERLOAD_SNAME))
		st = dhcp_wire_field(buf + DHCP_OFF_SNAME, DHCP_SNAME_LEN,
				     false, m, &seen);
	return st;
}

/* ---- emit ------------------------------------------------------------- */

/* The bytes dhcp_wire_emit() needs for `o`, before padding. */
static size_t dhcp_wire_out_len(const struct dhcp_out *o)
{
	size_t n = DHCP_FIXED_LEN + 3 + 2 + 1 + DHCP_HLEN_ETHERNET + 1;

	if (o->requested_ip)
		n += 6;
	if (o->server_id)
		n += 6;
	if (o->hostname_len)
		n += 2 + o->hostname_len;
	if (o->max_msg_size)
		n += 4;
	if (o->param_request)
		n += 2 + sizeof(dhcp_wire_params);
	return n;
}

/* Append option `code` with `len` bytes of data at *pos. */
static void dhcp_wire_put(uint8_t *buf, size_t *pos, uint8_t code,
			  const void *data, size_t len)
{
	buf[(*pos)++] = code;
	buf[(*pos)++] = (uint8_t)len;
	memcpy(buf + *pos, data, len);
	*pos += len;
}

static void dhcp_wire_put32(uint8_t *buf, size_t *pos, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	st_be32(b, v);
	dhcp_wire_put(buf, pos, code, b, sizeof(b));
}

static void dhcp_wire_emit_fixed(uint8_t *buf, const struct dhcp_out *o)
{
	buf[DHCP_OFF_OP] = DHCP_OP_REQUEST;
	buf[DHCP_OFF_HTYPE] = DHCP_HTYPE_ETHERNET;
	buf[DHCP_OFF_HLEN] = DHCP_HLEN_ETHERNET;
	st_be32(buf + DHCP_OFF_XID, o->xid);
	st_be16(buf + DHCP_OFF_SECS, o->secs);
	st_be16(buf + DHCP_OFF_FLAGS, o->broadcast ? DHCP_FLAG_BROADCAST : 0);
	st_be32(buf + DHCP_OFF_CIADDR, o->ciaddr);
	memcpy(buf + DHCP_OFF_CHADDR, o->chaddr, DHCP_HLEN_ETHERNET);
	st_be32(buf + DHCP_OFF_COOKIE, DHCP_COOKIE);
}

static void dhcp_wire_emit_options(uint8_t *buf, size_t *pos,
				   const struct dhcp_out *o)
{
	uint8_t client_id[1 + DHCP_HLEN_ETHERNET];
	uint8_t size[2];

	dhcp_wire_put(buf, pos, DHCP_OPT_MSG_TYPE, &o->type, 1);
	client_id[0] = DHCP_HTYPE_ETHERNET;
	memcpy(client_id + 1, o->chaddr, DHCP_HLEN_ETHERNET);
	dhcp_wire_put(buf, pos, DHCP_OPT_CLIENT_ID, client_id,
		      sizeof(client_id));
	if (o->requested_ip)
		dhcp_wire_put32(buf, pos, DHCP_OPT_REQUESTED_IP,
				o->requested_ip);
	if (o->server_id)
		dhcp_wire_put32(buf, pos, DHCP_OPT_SERVER_ID, o->server_id);
	if (o->hostname_len)
		dhcp_wire_put(buf, pos, DHCP_OPT_HOSTNAME, o->hostname,
			      o->hostname_len);
	if (o->max_msg_size) {
		st_be16(size, o->max_msg_size);
		dhcp_wire_put(buf, pos, DHCP_OPT_MAX_MSG_SIZE, size,
			      sizeof(size));
	}
	if (o->param_request)
		dhcp_wire_put(buf, pos, DHCP_OPT_PARAM_REQUEST,
			      dhcp_wire_params, sizeof(dhcp_wire_params));
	buf[(*pos)++] = DHCP_OPT_END;
}

size_t dhcp_wire_emit(uint8_t *buf, size_t cap, const struct dhcp_out *o)
{
	size_t need, pos = DHCP_OFF_OPTIONS;

	if (o->hostname_len > 255 || (o->hostname_len && !o->hostname))
		return 0;
	need = dhcp_wire_out_len(o);
	if (need < DHCP_MIN_LEN)
		need = DHCP_MIN_LEN;
	if (need > cap)
		return 0;
	memset(buf, 0, need);
	dhcp_wire_emit_fixed(buf, o);
	dhcp_wire_emit_options(buf, &pos, o);
	return need;
}
