/*
 * test_arp_wire.c - the ARP packet format (net/arp_wire.c).
 *
 * Tables of known-good packets (a request, a reply, an RFC 5227 probe and
 * announcement, and a request with Ethernet minimum-size padding) parsed
 * field by field and emitted byte for byte; every truncation of a good
 * packet; and one table of single-field corruptions of the fixed header
 * and opcode, each of which must be refused.
 */
#include "test.h"

#include <net/net.h>

#include "arp_wire.h"

#define MAC_US	 0x02, 0x00, 0x00, 0x00, 0x00, 0x02
#define MAC_PEER 0x52, 0x54, 0x00, 0x12, 0x34, 0x56
#define MAC_ZERO 0x00, 0x00, 0x00, 0x00, 0x00, 0x00

struct wire_case {
	const char *name;
	uint8_t bytes[64];
	size_t len;	    /* bytes on the wire, padding included */
	struct arp_pkt pkt; /* what they mean */
};

static const struct wire_case wire_good[] = {
    {"request who-has 10.0.0.1 tell 10.0.0.2",
     {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, MAC_US, 0x0a, 0x00, 0x00,
      0x02, MAC_ZERO, 0x0a, 0x00, 0x00, 0x01},
     28,
     {ARP_OP_REQUEST, {MAC_US}, 0x0a000002, {MAC_ZERO}, 0x0a000001}},
    {"reply 10.0.0.1 is-at 52:54:00:12:34:56",
     {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, MAC_PEER, 0x0a, 0x00,
      0x00, 0x01, MAC_US, 0x0a, 0x00, 0x00, 0x02},
     28,
     {ARP_OP_REPLY, {MAC_PEER}, 0x0a000001, {MAC_US}, 0x0a000002}},
    {"probe for 192.168.1.77 (sender 0.0.0.0)",
     {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, MAC_PEER, 0x00, 0x00,
      0x00, 0x00, MAC_ZERO, 0xc0, 0xa8, 0x01, 0x4d},
     28,
     {ARP_OP_REQUEST, {MAC_PEER}, 0, {MAC_ZERO}, 0xc0a8014d}},
    {"announcement of 172.16.254.1",
     {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, MAC_PEER, 0xac, 0x10,
      0xfe, 0x01, MAC_ZERO, 0xac, 0x10, 0xfe, 0x01},
     28,
     {ARP_OP_REQUEST, {MAC_PEER}, 0xac10fe01, {MAC_ZERO}, 0xac10fe01}},
    /* A 60-byte frame less its 14-byte header: 18 bytes of padding,
     * here not zero, to show they are ignored. */
    {"request padded to the Ethernet minimum",
     {0x00, 0x01, 0x08, 0x00, 0x06,	0x04, 0x00, 0x01, MAC_PEER,
      0x0a, 0x00, 0x00, 0x01, MAC_ZERO, 0x0a, 0x00, 0x00, 0x02,
      0xde, 0xad, 0xbe, 0xef, 0x01,	0x02, 0x03, 0x04, 0x05,
      0x06, 0x07, 0x08, 0x09, 0x0a,	0x0b, 0x0c, 0x0d, 0x0e},
     46,
     {ARP_OP_REQUEST, {MAC_PEER}, 0x0a000001, {MAC_ZERO}, 0x0a000002}},
};

#define N_GOOD (sizeof(wire_good) / sizeof(wire_good[0]))

/* One field of the first good packet changed; each must be refused. */
struct wire_bad {
	const char *name;
	size_t off;
	size_t width; /* 1 or 2 bytes, big-endian */
	uint16_t value;
};

static const struct wire_bad wire_bad_fields[] = {
    {"htype 0", ARP_OFF_HTYPE, 2, 0},
    {"htype 6 (IEEE 802)", ARP_OFF_HTYPE, 2, 6},
    {"htype 0x0100 (byte-swapped)", ARP_OFF_HTYPE, 2, 0x0100},
    {"ptype 0x86dd (IPv6)", ARP_OFF_PTYPE, 2, 0x86dd},
    {"ptype 0x0806", ARP_OFF_PTYPE, 2, 0x0806},
    {"ptype 0x0008 (byte-swapped)", ARP_OFF_PTYPE, 2, 0x0008},
    {"hlen 0", ARP_OFF_HLEN, 1, 0},
    {"hlen 8", ARP_OFF_HLEN, 1, 8},
    {"hlen 255", ARP_OFF_HLEN, 1, 255},
    {"plen 0", ARP_OFF_PLEN, 1, 0},
    {"plen 16", ARP_OFF_PLEN, 1, 16},
    {"op 0", ARP_OFF_OP, 2, 0},
    {"op 3 (RARP request)", ARP_OFF_OP, 2, 3},
    {"op 4 (RARP reply)", ARP_OFF_OP, 2, 4},
    {"op 8 (InARP request)", ARP_OFF_OP, 2, 8},
    {"op 0x0100 (byte-swapped request)", ARP_OFF_OP, 2, 0x0100},
    {"op 0xffff", ARP_OFF_OP, 2, 0xffff},
};

#define N_BAD (sizeof(wire_bad_fields) / sizeof(wire_bad_fields[0]))

/*
 * The input is placed at the very end of this array so that reading one
 * byte past `len` runs into ASan's redzone after a global.
 */
static uint8_t wire_tail[64];

static const uint8_t *wire_at_end(const uint8_t *bytes, size_t len)
{
	uint8_t *p = wire_tail + sizeof(wire_tail) - len;

	memcpy(p, bytes, len);
	return p;
}

static bool pkt_equal(const struct arp_pkt *a, const struct arp_pkt *b)
{
	return a->op == b->op && memcmp(a->sha, b->sha, 6) == 0 &&
	       a->spa == b->spa && memcmp(a->tha, b->tha, 6) == 0 &&
	       a->tpa == b->tpa;
}

TEST(parse_known_good)
{
	for (size_t i = 0; i < N_GOOD; i++) {
		const struct wire_case *c = &wire_good[i];
		struct arp_pkt p;

		memset(&p, 0xcc, sizeof(p));
		if (arp_wire_parse(wire_at_end(c->bytes, c->len), c->len, &p) !=
		    NET_OK) {
			test_fail(__FILE__, __LINE__, "%s: refused", c->name);
			return;
		}
		if (!pkt_equal(&p, &c->pkt)) {
			test_fail(__FILE__, __LINE__, "%s: fields differ",
				  c->name);
			return;
		}
	}
}

TEST(emit_known_good)
{
	for (size_t i = 0; i < N_GOOD; i++) {
		const struct wire_case *c = &wire_good[i];
		uint8_t buf[40];

		memset(buf, 0xee, sizeof(buf));
		CHECK_EQ(arp_wire_emit(buf, &c->pkt), ARP_WIRE_LEN);
		if (memcmp(buf, c->bytes, ARP_WIRE_LEN) != 0) {
			test_fail(__FILE__, __LINE__, "%s: bytes differ",
				  c->name);
			return;
		}
		/* Exactly ARP_WIRE_LEN bytes written: padding is not ours. */
		for (size_t j = ARP_WIRE_LEN; j < sizeof(buf); j++)
			CHECK_EQ(buf[j], 0xee);
	}
}

TEST(emit_then_parse_round_trips)
{
	struct arp_pkt in = {ARP_OP_REPLY,
			     {0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54},
			     0xfffefdfc,
			     {0x01, 0x23, 0x45, 0x67, 0x89, 0xab},
			     0x80000001};
	struct arp_pkt out;
	uint8_t buf[ARP_WIRE_LEN];

	CHECK_EQ(arp_wire_emit(buf, &in), ARP_WIRE_LEN);
	CHECK_EQ(arp_wire_parse(buf, sizeof(buf), &out), NET_OK);
	CHECK(pkt_equal(&in, &out));
}

TEST(every_truncation_refused)
{
	for (size_t i = 0; i < N_GOOD; i++) {
		const struct wire_case *c = &wire_good[i];

		for (size_t len = 0; len < ARP_WIRE_LEN; len++) {
			struct arp_pkt p;
			const uint8_t *at = wire_at_end(c->bytes, len);

			if (arp_wire_parse(at, len, &p) != NET_EBADMSG) {
				test_fail(__FILE__, __LINE__,
					  "%s: %zu bytes accepted", c->name,
					  len);
				return;
			}
		}
	}
}

TEST(bad_fixed_fields_and_ops_refused)
{
	const struct wire_case *good = &wire_good[0];

	for (size_t i = 0; i < N_BAD; i++) {
		const struct wire_bad *b = &wire_bad_fields[i];
		uint8_t bytes[ARP_WIRE_LEN];
		struct arp_pkt p;

		memcpy(bytes, good->bytes, sizeof(bytes));
		if (b->width == 2) {
			bytes[b->off] = (uint8_t)(b->value >> 8);
			bytes[b->off + 1] = (uint8_t)b->value;
		} else {
			bytes[b->off] = (uint8_t)b->value;
		}
		if (arp_wire_parse(wire_at_end(bytes, sizeof(bytes)),
				   sizeof(bytes), &p) != NET_EBADMSG) {
			test_fail(__FILE__, __LINE__, "%s: accepted", b->name);
			return;
		}
	}
}

TEST(addresses_are_not_checked_here)
{
	/* Broadcast and zero addresses are well-formed packets; judging
	 * senders is arp.c's job, which counts them. */
	uint8_t bytes[ARP_WIRE_LEN];
	struct arp_pkt p;

	memcpy(bytes, wire_good[0].bytes, sizeof(bytes));
	memset(bytes + ARP_OFF_SHA, 0xff, 6);
	memset(bytes + ARP_OFF_SPA, 0xff, 4);
	CHECK_EQ(arp_wire_parse(bytes, sizeof(bytes), &p), NET_OK);
	CHECK_EQ(p.spa, 0xffffffffu);
	CHECK_EQ(p.sha[0], 0xff);
	CHECK_EQ(p.sha[5], 0xff);
}
