/*
 * test_dhcp_wire.c - DHCP message parse and emit (net/dhcp_wire.c).
 *
 * Known-good messages: an OFFER and an ACK that dnsmasq 2.90 sent on a veth
 * pair to a client 02:00:00:00:00:02 whose DISCOVER and REQUEST set the
 * BROADCAST flag (dnsmasq run with --dhcp-range=10.0.0.50,10.0.0.60,
 * 255.255.255.0,3600 and options dns-server 10.0.0.1,10.0.0.3, mtu 1400,
 * T1 10, T2 30). Each is 300 bytes: the first 44 bytes and the options
 * below, zeros in sname and file. Then the rules of dhcp_wire.h one by one
 * on messages built here at literal offsets, option overload, and
 * truncated and garbage input; then emit, compared byte by byte.
 */
#include "test.h"

#include <stdlib.h>

#include <klib/bytes.h>

#include "dhcp_wire.h"

#define MSG_LEN 300

/* op .. chaddr of both captures: reply, Ethernet, xid 0x12345678,
 * BROADCAST, yiaddr 10.0.0.56, siaddr 10.0.0.1, chaddr 02:..:02. */
static const uint8_t cap_fixed[44] = {
    0x02, 0x01, 0x06, 0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x38, 0x0a, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* From the cookie (offset 236) to the end option (offset 299). */
static const uint8_t cap_offer_opts[64] = {
    0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x02, 0x36, 0x04, 0x0a, 0x00,
    0x00, 0x01, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0x3a, 0x04, 0x00,
    0x00, 0x00, 0x0a, 0x3b, 0x04, 0x00, 0x00, 0x00, 0x1e, 0x01, 0x04,
    0xff, 0xff, 0xff, 0x00, 0x1c, 0x04, 0x0a, 0x00, 0x00, 0xff, 0x03,
    0x04, 0x0a, 0x00, 0x00, 0x01, 0x1a, 0x02, 0x05, 0x78, 0x06, 0x08,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x03, 0xff,
};
static const uint8_t cap_ack_opts[64] = {
    0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x05, 0x36, 0x04, 0x0a, 0x00,
    0x00, 0x01, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0x3a, 0x04, 0x00,
    0x00, 0x00, 0x0a, 0x3b, 0x04, 0x00, 0x00, 0x00, 0x1e, 0x01, 0x04,
    0xff, 0xff, 0xff, 0x00, 0x1c, 0x04, 0x0a, 0x00, 0x00, 0xff, 0x03,
    0x04, 0x0a, 0x00, 0x00, 0x01, 0x1a, 0x02, 0x05, 0x78, 0x06, 0x08,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x03, 0xff,
};

static uint8_t msg[1024];
static uint8_t out[1024];

/* A captured message into msg; returns its length, 300. */
static size_t t_capture(const uint8_t opts[64])
{
	memset(msg, 0, sizeof(msg));
	memcpy(msg, cap_fixed, sizeof(cap_fixed));
	memcpy(msg + 236, opts, 64);
	return MSG_LEN;
}

/*
 * A reply with a cookie and the `n` option bytes `opts` at offset 240 into
 * msg (a message-type option is not added); returns 240 + n.
 */
static size_t t_msg(const uint8_t *opts, size_t n)
{
	memset(msg, 0, sizeof(msg));
	memcpy(msg, cap_fixed, sizeof(cap_fixed));
	st_be32(msg + 236, 0x63825363u);
	if (n > 0)
		memcpy(msg + 240, opts, n);
	return 240 + n;
}

/* Parse the first len bytes of msg from an exact-size heap copy. */
static enum dhcp_wire_status t_parse(size_t len, struct dhcp_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum dhcp_wire_status st;

	memcpy(copy, msg, len);
	st = dhcp_wire_parse(copy, len, m);
	free(copy);
	return st;
}

/* ---- captures ---------------------------------------------------------- */

static bool t_check_common(const struct dhcp_msg *m)
{
	static const uint8_t chaddr[16] = {2, 0, 0, 0, 0, 2};

	return m->op == DHCP_OP_REPLY && m->htype == 1 && m->hlen == 6 &&
	       m->xid == 0x12345678u && m->secs == 0 && m->flags == 0x8000 &&
	       m->ciaddr == 0 && m->yiaddr == 0x0a000038u &&
	       m->siaddr == 0x0a000001u && m->giaddr == 0 &&
	       memcmp(m->chaddr, chaddr, 16) == 0;
}

static bool t_check_options(const struct dhcp_msg *m)
{
	return m->has_server_id && m->server_id == 0x0a000001u &&
	       m->has_lease && m->lease_s == 3600 && m->has_t1 &&
	       m->t1_s == 10 && m->has_t2 && m->t2_s == 30 && m->has_netmask &&
	       m->netmask == 0xffffff00u && m->router_count == 1 &&
	       m->router[0] == 0x0a000001u && m->has_mtu && m->mtu == 1400 &&
	       m->dns_count == 2 && m->dns[0] == 0x0a000001u &&
	       m->dns[1] == 0x0a000003u && m->overload == 0;
}

TEST(parse_dnsmasq_offer)
{
	struct dhcp_msg m;

	CHECK_EQ(t_parse(t_capture(cap_offer_opts), &m), DHCP_WIRE_OK);
	CHECK(t_check_common(&m));
	CHECK_EQ(m.type, DHCP_OFFER);
	CHECK(t_check_options(&m));
}

TEST(parse_dnsmasq_ack)
{
	struct dhcp_msg m;

	CHECK_EQ(t_parse(t_capture(cap_ack_opts), &m), DHCP_WIRE_OK);
	CHECK(t_check_common(&m));
	CHECK_EQ(m.type, DHCP_ACK);
	CHECK(t_check_options(&m));
}

TEST(every_truncation_is_handled)
{
	struct dhcp_msg m;

	/* Under 240 bytes: short. From 240 on, an option cut in the middle
	 * is malformed; cut right after a whole option, the field ends there
	 * and the message is accepted. Never a read past the copy (ASan). */
	for (size_t len = 0; len < MSG_LEN; len++) {
		enum dhcp_wire_status st;

		t_capture(cap_offer_opts);
		st = t_parse(len, &m);
		if (len < 240)
			CHECK_EQ(st, DHCP_WIRE_SHORT);
		else
			CHECK(st == DHCP_WIRE_OK ||
			      st == DHCP_WIRE_BAD_OPTIONS);
	}
	t_capture(cap_offer_opts);
	CHECK_EQ(t_parse(240 + 9, &m), DHCP_WIRE_OK); /* type + server id */
	CHECK_EQ(m.type, DHCP_OFFER);
	CHECK(m.has_server_id && !m.has_lease);
	CHECK_EQ(t_parse(240 + 8, &m), DHCP_WIRE_BAD_OPTIONS);
}

/* ---- the fixed part ---------------------------------------------------- */

TEST(fixed_part_checks)
{
	struct dhcp_msg m;
	static const uint8_t type_ack[] = {53, 1, 5, 255};
	size_t len = t_msg(type_ack, sizeof(type_ack));

	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	msg[0] = 3; /* neither BOOTREQUEST nor BOOTREPLY */
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_BAD_HEADER);
	msg[0] = 1; /* a request parses; the client drops it later */
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	CHECK_EQ(m.op, 1);
	msg[2] = 17; /* hlen past chaddr */
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_BAD_HEADER);
	msg[2] = 16;
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	msg[239] = 0x62; /* not the cookie: BOOTP */
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_BAD_COOKIE);
	CHECK_EQ(t_parse(239, &m), DHCP_WIRE_SHORT);
}

TEST(no_options_at_all)
{
	struct dhcp_msg m;

	CHECK_EQ(t_parse(t_msg(NULL, 0), &m), DHCP_WIRE_OK);
	CHECK_EQ(m.type, 0);
	CHECK(!m.has_server_id && !m.has_lease && m.dns_count == 0);
}

/* ---- options ----------------------------------------------------------- */

TEST(pad_end_and_what_follows_end)
{
	struct dhcp_msg m;
	/* Pads anywhere; after the end option garbage is not read. */
	static const uint8_t o[] = {0, 0, 53, 1, 2, 0, 255, 51, 9, 1};

	CHECK_EQ(t_parse(t_msg(o, sizeof(o)), &m), DHCP_WIRE_OK);
	CHECK_EQ(m.type, DHCP_OFFER);
	CHECK(!m.has_lease);
}

TEST(unknown_options_are_skipped)
{
	struct dhcp_msg m;
	static const uint8_t o[] = {53,	 1,   2, 15, 4,	 'k', 'e', 'e',
				    'l', 250, 0, 43, 2,	 1,   0,   51,
				    4,	 0,   0, 0,  60, 255};

	CHECK_EQ(t_parse(t_msg(o, sizeof(o)), &m), DHCP_WIRE_OK);
	CHECK(m.has_lease);
	CHECK_EQ(m.lease_s, 60);
}

TEST(option_past_the_field_is_malformed)
{
	struct dhcp_msg m;
	static const uint8_t runs_over[] = {53, 1, 2, 15, 10, 'a', 'b'};
	static const uint8_t no_len[] = {53, 1, 2, 15};

	CHECK_EQ(t_parse(t_msg(runs_over, sizeof(runs_over)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
	CHECK_EQ(t_parse(t_msg(no_len, sizeof(no_len)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
}

TEST(known_options_need_their_length)
{
	static const uint8_t codes[] = {1, 26, 51, 52, 53, 54, 58, 59};
	static const uint8_t lens[] = {4, 2, 4, 1, 1, 4, 4, 4};

	for (size_t i = 0; i < sizeof(codes); i++) {
		for (uint8_t len = 0; len <= 6; len++) {
			uint8_t o[2 + 6 + 1] = {codes[i], len};
			struct dhcp_msg m;
			enum dhcp_wire_status st;

			memset(o + 2, 1, len); /* overload 1, type 1 valid */
			o[2 + len] = 255;
			st = t_parse(t_msg(o, 3 + len), &m);
			if (len == lens[i])
				CHECK_EQ(st, DHCP_WIRE_OK);
			else
				CHECK_EQ(st, DHCP_WIRE_BAD_OPTIONS);
		}
	}
}

TEST(scalar_options_appear_once)
{
	struct dhcp_msg m;
	static const uint8_t twice[] = {53, 1,	2, 51, 4, 0, 0,	 0,
					60, 51, 4, 0,  0, 0, 90, 255};
	static const uint8_t type_twice[] = {53, 1, 2, 53, 1, 5, 255};

	CHECK_EQ(t_parse(t_msg(twice, sizeof(twice)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
	CHECK_EQ(t_parse(t_msg(type_twice, sizeof(type_twice)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
}

TEST(bad_values)
{
	struct dhcp_msg m;
	static const uint8_t type0[] = {53, 1, 0, 255};
	static const uint8_t over0[] = {52, 1, 0, 255};
	static const uint8_t over4[] = {52, 1, 4, 255};

	CHECK_EQ(t_parse(t_msg(type0, sizeof(type0)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
	CHECK_EQ(t_parse(t_msg(over0, sizeof(over0)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
	CHECK_EQ(t_parse(t_msg(over4, sizeof(over4)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
}

TEST(lists_concatenate_and_are_bounded)
{
	struct dhcp_msg m;
	/* RFC 3396: two DNS instances, five servers; three kept. Two
	 * routers; one kept. */
	static const uint8_t o[] = {6, 8, 1, 1, 1, 1, 2, 2, 2, 2, 6,  12,
				    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5,  5,
				    3, 8, 9, 9, 9, 9, 8, 8, 8, 8, 255};

	CHECK_EQ(t_parse(t_msg(o, sizeof(o)), &m), DHCP_WIRE_OK);
	CHECK_EQ(m.dns_count, 3);
	CHECK_EQ(m.dns[0], 0x01010101u);
	CHECK_EQ(m.dns[1], 0x02020202u);
	CHECK_EQ(m.dns[2], 0x03030303u);
	CHECK_EQ(m.router_count, 1);
	CHECK_EQ(m.router[0], 0x09090909u);
}

TEST(lists_hold_whole_addresses)
{
	struct dhcp_msg m;
	static const uint8_t empty[] = {6, 0, 255};
	static const uint8_t split[] = {3, 6, 1, 2, 3, 4, 5, 6, 255};

	CHECK_EQ(t_parse(t_msg(empty, sizeof(empty)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
	CHECK_EQ(t_parse(t_msg(split, sizeof(split)), &m),
		 DHCP_WIRE_BAD_OPTIONS);
}

/* ---- option overload (RFC 2131 §4.1, RFC 2132 §9.3) -------------------- */

TEST(overload_file_then_sname)
{
	struct dhcp_msg m;
	static const uint8_t o[] = {53, 1, 2, 52, 1, 3, 6, 4, 1, 1, 1, 1, 255};
	static const uint8_t file[] = {51, 4, 0, 0, 1, 0,  6,
				       4,  2, 2, 2, 2, 255};
	static const uint8_t sname[] = {0, 54, 4, 10, 0, 0, 1,
					6, 4,  3, 3,  3, 3};
	size_t len = t_msg(o, sizeof(o));

	memcpy(msg + 108, file, sizeof(file));
	memcpy(msg + 44, sname, sizeof(sname));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	CHECK_EQ(m.overload, 3);
	CHECK(m.has_lease && m.lease_s == 256);
	CHECK(m.has_server_id && m.server_id == 0x0a000001u);
	/* Read in the order options, file, sname. */
	CHECK_EQ(m.dns_count, 3);
	CHECK_EQ(m.dns[0], 0x01010101u);
	CHECK_EQ(m.dns[1], 0x02020202u);
	CHECK_EQ(m.dns[2], 0x03030303u);
}

TEST(overload_reads_only_what_it_says)
{
	struct dhcp_msg m;
	static const uint8_t o_file[] = {53, 1, 2, 52, 1, 1, 255};
	static const uint8_t o_none[] = {53, 1, 2, 255};
	static const uint8_t lease[] = {51, 4, 0, 0, 1, 0, 255};
	size_t len;

	/* A boot file name that looks like options is not read without
	 * overload, nor sname with overload 1. */
	len = t_msg(o_none, sizeof(o_none));
	memcpy(msg + 108, lease, sizeof(lease));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	CHECK(!m.has_lease);
	len = t_msg(o_file, sizeof(o_file));
	memcpy(msg + 44, lease, sizeof(lease));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	CHECK(!m.has_lease);
	memcpy(msg + 108, lease, sizeof(lease));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
	CHECK(m.has_lease);
}

TEST(overload_fields_are_bounded_and_checked)
{
	struct dhcp_msg m;
	static const uint8_t o[] = {53, 1, 2, 52, 1, 2, 255};
	static const uint8_t nested[] = {52, 1, 1, 255};
	static const uint8_t dup_type[] = {53, 1, 5, 255};
	size_t len = t_msg(o, sizeof(o));

	/* An option in sname running into file is malformed, whatever
	 * file holds. */
	msg[44 + 61] = 15;
	msg[44 + 62] = 4;
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_BAD_OPTIONS);
	/* Overload inside an overloaded field. */
	len = t_msg(o, sizeof(o));
	memcpy(msg + 44, nested, sizeof(nested));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_BAD_OPTIONS);
	/* A scalar in options and again in sname. */
	len = t_msg(o, sizeof(o));
	memcpy(msg + 44, dup_type, sizeof(dup_type));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_BAD_OPTIONS);
	/* A field filled with pads and no end option is fine. */
	len = t_msg(o, sizeof(o));
	CHECK_EQ(t_parse(len, &m), DHCP_WIRE_OK);
}

/* ---- garbage ----------------------------------------------------------- */

TEST(garbage_never_crashes)
{
	uint32_t x = 0x2545f491u;

	for (int round = 0; round < 2000; round++) {
		struct dhcp_msg m;
		size_t len = 240 + (size_t)(round % 300);

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			msg[i] = (uint8_t)x;
		}
		msg[0] = 2;
		msg[2] = 6;
		st_be32(msg + 236, 0x63825363u);
		if (round & 1)
			msg[240 + 3] = 52; /* often claim overload */
		(void)t_parse(len, &m);
		CHECK(m.dns_count <= DHCP_WIRE_DNS_MAX);
		CHECK(m.router_count <= DHCP_WIRE_ROUTERS_MAX);
	}
}

/* ---- emit -------------------------------------------------------------- */

static struct dhcp_out t_out(uint8_t type)
{
	struct dhcp_out o = {0};

	o.type = type;
	o.xid = 0xdeadbeefu;
	o.secs = 7;
	o.broadcast = true;
	memcpy(o.chaddr, "\x02\x00\x00\x00\x00\x02", 6);
	return o;
}

TEST(emit_discover)
{
	static const uint8_t want_opts[] = {
	    0x63, 0x82, 0x53, 0x63,			 /* cookie */
	    53,	  1,	1,				 /* DISCOVER */
	    61,	  7,	1,    2,    0,	 0,   0,  0,  2, /* client id */
	    50,	  4,	10,   0,    0,	 56,		 /* requested */
	    12,	  4,	'k',  'e',  'e', 'l',		 /* host name */
	    57,	  2,	0x05, 0xdc,			 /* 1500 */
	    55,	  7,	1,    3,    6,	 26,  51, 58, 59, 255};
	struct dhcp_out o = t_out(DHCP_DISCOVER);
	size_t n;

	o.requested_ip = 0x0a000038u;
	o.hostname = "keel";
	o.hostname_len = 4;
	o.max_msg_size = 1500;
	o.param_request = true;
	memset(out, 0xee, sizeof(out));
	n = dhcp_wire_emit(out, sizeof(out), &o);
	CHECK_EQ(n, DHCP_MIN_LEN);
	CHECK_EQ(out[0], 1);
	CHECK_EQ(out[1], 1);
	CHECK_EQ(out[2], 6);
	CHECK_EQ(out[3], 0);
	CHECK_EQ(ld_be32(out + 4), 0xdeadbeefu);
	CHECK_EQ(ld_be16(out + 8), 7);
	CHECK_EQ(ld_be16(out + 10), 0x8000);
	for (size_t i = 12; i < 28; i++)
		CHECK_EQ(out[i], 0); /* ciaddr .. giaddr */
	CHECK_MEM(out + 28, "\x02\x00\x00\x00\x00\x02", 6);
	for (size_t i = 34; i < 236; i++)
		CHECK_EQ(out[i], 0); /* rest of chaddr, sname, file */
	CHECK_MEM(out + 236, want_opts, sizeof(want_opts));
	for (size_t i = 236 + sizeof(want_opts); i < n; i++)
		CHECK_EQ(out[i], 0);
	CHECK_EQ(out[n], 0xee); /* nothing written past the length */
}

TEST(emit_renewing_request_and_decline)
{
	static const uint8_t want_req[] = {
	    0x63, 0x82, 0x53, 0x63, 53, 1, 3, 61, 7, 1, 2, 0, 0, 0, 0, 2, 255};
	static const uint8_t want_decl[] = {
	    0x63, 0x82, 0x53, 0x63, 53, 1, 4,  61, 7, 1,  2, 0, 0, 0,  0,
	    2,	  50,	4,    10,   0,	0, 56, 54, 4, 10, 0, 0, 1, 255};
	struct dhcp_out o = t_out(DHCP_REQUEST);
	size_t n;

	o.broadcast = false;
	o.ciaddr = 0x0a000038u;
	n = dhcp_wire_emit(out, sizeof(out), &o);
	CHECK_EQ(n, DHCP_MIN_LEN);
	CHECK_EQ(ld_be16(out + 10), 0);
	CHECK_EQ(ld_be32(out + 12), 0x0a000038u);
	CHECK_MEM(out + 236, want_req, sizeof(want_req));
	o = t_out(DHCP_DECLINE);
	o.broadcast = false;
	o.secs = 0;
	o.requested_ip = 0x0a000038u;
	o.server_id = 0x0a000001u;
	CHECK_EQ(dhcp_wire_emit(out, sizeof(out), &o), DHCP_MIN_LEN);
	CHECK_MEM(out + 236, want_decl, sizeof(want_decl));
}

TEST(emit_checks_room_and_host_name)
{
	static char name[300];
	struct dhcp_out o = t_out(DHCP_DISCOVER);
	size_t n;

	memset(name, 'a', sizeof(name));
	CHECK_EQ(dhcp_wire_emit(out, DHCP_MIN_LEN - 1, &o), 0);
	CHECK_EQ(dhcp_wire_emit(out, DHCP_MIN_LEN, &o), DHCP_MIN_LEN);
	o.hostname = name;
	o.hostname_len = 255;
	o.param_request = true;
	n = dhcp_wire_emit(out, sizeof(out), &o);
	CHECK_EQ(n, 240 + 3 + 9 + 2 + 255 + 9 + 1);
	CHECK_EQ(out[n - 1], 255);
	CHECK_EQ(dhcp_wire_emit(out, n - 1, &o), 0);
	CHECK_EQ(dhcp_wire_emit(out, DHCP_CLIENT_MSG_MAX, &o), n);
	o.hostname_len = 256;
	CHECK_EQ(dhcp_wire_emit(out, sizeof(out), &o), 0);
	o.hostname = NULL;
	o.hostname_len = 3;
	CHECK_EQ(dhcp_wire_emit(out, sizeof(out), &o), 0);
}

TEST(emit_then_parse)
{
	struct dhcp_out o = t_out(DHCP_REQUEST);
	struct dhcp_msg m;
	size_t n;

	o.requested_ip = 0x0a000038u;
	o.server_id = 0x0a000001u;
	o.param_request = true;
	n = dhcp_wire_emit(out, sizeof(out), &o);
	CHECK_EQ(dhcp_wire_parse(out, n, &m), DHCP_WIRE_OK);
	CHECK_EQ(m.op, DHCP_OP_REQUEST);
	CHECK_EQ(m.type, DHCP_REQUEST);
	CHECK_EQ(m.xid, 0xdeadbeefu);
	CHECK(m.has_server_id && m.server_id == 0x0a000001u);
}
