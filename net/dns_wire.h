/*
 * dns_wire.h - DNS messages on the wire (RFC 1035 §4.1): parse and emit,
 * no state. Internal to net/.
 *
 * A received message is checked once, whole, by dns_wire_parse_msg():
 * the header, every question and every resource record of all four
 * sections must parse, each name must decompress within the rules below,
 * and the records must end exactly where the message ends. Only then are
 * the section counts trusted; the iterators that walk the sections
 * afterwards cannot fail on a message that passed.
 *
 * Names are kept uncompressed in wire form (struct dns_name: length-
 * prefixed labels ending with the root's zero byte), case preserved, and
 * compared without regard to ASCII case (RFC 1035 §2.3.3, RFC 4343).
 * Decompression (RFC 1035 §4.1.4) is bounded:
 *   - a label is at most 63 bytes, labels 0x40 and 0x80 (RFC 6891 §5
 *     extended label types, never deployed) are malformed;
 *   - a pointer must point strictly before the start of the run of labels
 *     it ends (so every jump lands lower than any byte read so far, and no
 *     chain of pointers can loop);
 *   - at most DNS_PTR_HOPS_MAX pointers per name;
 *   - the uncompressed name, root byte included, is at most 255 bytes.
 * Anything else is NET_EBADMSG.
 *
 * RDATA is checked during that parse for the types the resolver reads -
 * A (class IN: exactly 4 bytes), CNAME, NS and SOA (names that, with the
 * SOA's five numbers, fill RDLENGTH exactly) - so reading it later cannot
 * fail; other types are carried as opaque bytes.
 *
 * A truncated answer (TC) may be cut anywhere after its question, so
 * dns_wire_parse_head() checks only the header and the questions.
 *
 * Left out: EDNS(0) (RFC 6891; so replies over UDP stay within 512
 * bytes), DNSSEC records, emitting anything but a query.
 */
#ifndef NET_DNS_WIRE_H
#define NET_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT    53
#define DNS_UDP_MAX 512 /* RFC 1035 §4.2.1, without EDNS(0) */
#define DNS_HDR_LEN 12

/* Byte offsets within the header (RFC 1035 §4.1.1). */
#define DNS_OFF_ID	0
#define DNS_OFF_FLAGS	2
#define DNS_OFF_QDCOUNT 4
#define DNS_OFF_ANCOUNT 6
#define DNS_OFF_NSCOUNT 8
#define DNS_OFF_ARCOUNT 10

/* The flags word. */
#define DNS_FLAG_QR	     0x8000 /* a response */
#define DNS_FLAG_OPCODE_MASK 0x7800
#define DNS_FLAG_AA	     0x0400
#define DNS_FLAG_TC	     0x0200 /* truncated */
#define DNS_FLAG_RD	     0x0100 /* recursion desired */
#define DNS_FLAG_RA	     0x0080
#define DNS_FLAG_RCODE_MASK  0x000f

#define DNS_RCODE_NOERROR  0
#define DNS_RCODE_FORMERR  1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP   4
#define DNS_RCODE_REFUSED  5

#define DNS_TYPE_A     1
#define DNS_TYPE_NS    2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA   6
#define DNS_TYPE_AAAA  28
#define DNS_CLASS_IN   1

#define DNS_NAME_MAX	 255 /* wire form, root byte included */
#define DNS_LABEL_MAX	 63
#define DNS_PTR_HOPS_MAX 32
/* The two top bits of a length byte: 00 label, 11 pointer. */
#define DNS_LABEL_PTR 0xc0

/* A question's fixed part after its name, and a record's. */
#define DNS_QFIXED_LEN	  4  /* type, class */
#define DNS_RRFIXED_LEN	  10 /* type, class, ttl, rdlength */
#define DNS_SOA_FIXED_LEN 20 /* serial, refresh, retry, expire, minimum */

/* An uncompressed name in wire form: `len` bytes, the last one 0. */
struct dns_name {
	uint8_t len;
	uint8_t b[DNS_NAME_MAX];
};

/* A parsed header, host order. */
struct dns_hdr {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
};

struct dns_question {
	struct dns_name name;
	uint16_t type;
	uint16_t qclass;
};

struct dns_rr {
	struct dns_name name;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl; /* as received; see dns_wire_ttl() */
	uint16_t rdlen;
	size_t rdata_off; /* offset of the RDATA in the message */
};

struct dns_soa {
	uint32_t serial;
	uint32_t refresh;
	uint32_t retry;
	uint32_t expire;
	uint32_t minimum; /* the negative-caching TTL (RFC 2308 §4) */
};

enum dns_section {
	DNS_SECTION_QUESTION = 0,
	DNS_SECTION_ANSWER,
	DNS_SECTION_AUTHORITY,
	DNS_SECTION_ADDITIONAL,
	DNS_SECTION_COUNT
};

/* A message that passed dns_wire_parse_msg(). */
struct dns_msg {
	const uint8_t *buf;
	size_t len;
	struct dns_hdr hdr;
	size_t sect_off[DNS_SECTION_COUNT]; /* where each section starts */
};

/* Walks the records of one section; see dns_wire_rr_first(). */
struct dns_rr_iter {
	const struct dns_msg *msg;
	size_t off;
	unsigned left;
};

/* NET_OK, or NET_EBADMSG when `len` cannot hold a header. */
int dns_wire_parse_hdr(const uint8_t *buf, size_t len, struct dns_hdr *h);

/*
 * Check the whole message at buf (see the top of this file) and fill *m.
 * NET_OK or NET_EBADMSG.
 */
int dns_wire_parse_msg(const uint8_t *buf, size_t len, struct dns_msg *m);

/*
 * Check the header and the question section only, for a message whose TC
 * bit says the rest was cut. The record iterators on such a message stop
 * at the first record that does not parse. NET_OK or NET_EBADMSG.
 */
int dns_wire_parse_head(const uint8_t *buf, size_t len, struct dns_msg *m);

/*
 * Read the possibly compressed name at *off in the `len`-byte message at
 * buf into *out, and step *off past it (past its first pointer, if any).
 * NET_OK or NET_EBADMSG.
 */
int dns_wire_read_name(const uint8_t *buf, size_t len, size_t *off,
		       struct dns_name *out);

/* The first question of a parsed message: NET_OK, or NET_ENOENT if none. */
int dns_wire_question(const struct dns_msg *m, struct dns_question *q);

/* Start walking the records of section `s` (not the question section). */
void dns_wire_rr_first(const struct dns_msg *m, enum dns_section s,
		       struct dns_rr_iter *it);
/* The next record into *rr: true, or false at the end of the section. */
bool dns_wire_rr_next(struct dns_rr_iter *it, struct dns_rr *rr);

/* An A record's address (host order): NET_OK, or NET_EBADMSG. */
int dns_wire_rdata_a(const struct dns_msg *m, const struct dns_rr *rr,
		     uint32_t *addr);
/* A CNAME (or NS, PTR) record's name: NET_OK, or NET_EBADMSG. */
int dns_wire_rdata_name(const struct dns_msg *m, const struct dns_rr *rr,
			struct dns_name *out);
/* An SOA record's fields (the two names skipped): NET_OK or NET_EBADMSG. */
int dns_wire_rdata_soa(const struct dns_msg *m, const struct dns_rr *rr,
		       struct dns_soa *soa);

/*
 * A TTL as a resolver must use it: RFC 2181 §8, a value with the top bit
 * set is treated as zero.
 */
uint32_t dns_wire_ttl(uint32_t ttl);

/*
 * Write a query (RFC 1035 §4.1): a header with `id` and `flags` (RD, for a
 * stub resolver), one question and no records, into buf of `cap` bytes.
 * Returns its length, or 0 with nothing written when it does not fit.
 */
size_t dns_wire_emit_query(uint8_t *buf, size_t cap, uint16_t id,
			   uint16_t flags, const struct dns_name *qname,
			   uint16_t qtype, uint16_t qclass);

/* ---- names ------------------------------------------------------------ */

/*
 * A host name in text, "www.example.com" with an optional final '.', into
 * wire form. Labels are 1..63 letters, digits, '-' or '_'; the whole name
 * at most 253 characters (255 bytes in wire form). NET_OK or NET_EINVAL
 * (the root "." and the empty name included).
 */
int dns_name_from_text(const char *text, struct dns_name *out);

/*
 * The name as text without the final dot ("." for the root) into buf:
 * bytes other than letters, digits, '-' and '_' are written as \DDD and
 * a '.' inside a label as "\.", so any name from the network prints
 * safely. Returns the length written (NUL not counted), or NET_EMSGSIZE
 * when `cap` is too small (buf then holds "").
 */
int dns_name_to_text(const struct dns_name *n, char *buf, size_t cap);

/* Whether the two names are equal, ASCII case ignored (RFC 4343 §3). */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b);

#endif /* NET_DNS_WIRE_H */
