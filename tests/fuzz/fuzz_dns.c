/*
 * fuzz_dns.c - libFuzzer harness: DNS messages into the wire parser
 * (net/dns_wire.c) and, as answers, into the stub resolver (net/dns.c).
 *
 * Input: a sequence of records, each
 *
 *     ctl:u8  len:u16 (big endian)  payload[len]
 *
 * (a last record shorter than its len takes what is left). Every payload
 * goes through the wire checks (fuzz_dns_wire): dns_wire_parse_msg() and,
 * when it passes, every record's RDATA for the types the resolver reads,
 * which must then read without error; dns_wire_parse_head(); the name at
 * each of the first 64 offsets; names turned into text and back. Then it
 * is sent as a UDP datagram to the port of the lookup that queried last,
 * and the stack polled. `ctl` says:
 *
 *     bit 0     write that query's ID into the payload's first two bytes
 *     bit 1     and its question (as sent) from byte 12 on, so mutations
 *               reach past the RFC 5452 checks into the answer's body
 *     bit 2     send from port 5353 instead of 53
 *     bit 3     send from 10.0.0.3 (the second server) instead of 10.0.0.1
 *     bits 4-5  how far the clock moves first: 0, 100 ms, 1 s or 10 s
 *     bit 6     start another lookup first (one of four names)
 *     bit 7     cancel a lookup first
 *
 * Every result is checked (fuzz_dns_done): NET_OK has 1..4 addresses and a
 * TTL within CONFIG_DNS_MAX_TTL, a negative result a TTL within
 * CONFIG_DNS_NEG_TTL_MAX, and its name is one that was asked. Anything
 * else abort()s.
 *
 * The stack is set up once (10.0.0.2/24, servers 10.0.0.1 and 10.0.0.3,
 * which ARP learns from a reply fed before every record) and keeps its
 * state across inputs; FUZZ_DNS_RESET=1 sets it up afresh for every input
 * to replay a crash from its input alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klib/bytes.h>
#include <net/dns.h>
#include <net/net.h>

#include "dns_wire.h"
#include "fuzz_netdev.h"
#include "iface.h"
#include "net_config.h"

#define FUZZ_DNS_IP	      0x0a000002u
#define FUZZ_DNS_MASK	      0xffffff00u
#define FUZZ_DNS_S1	      0x0a000001u
#define FUZZ_DNS_S2	      0x0a000003u
#define FUZZ_DNS_MAX_RECORDS  256
#define FUZZ_DNS_UDP_MAX      1472
#define FUZZ_DNS_QUESTION_MAX 300

static const uint8_t fuzz_dns_s1_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t fuzz_dns_s2_mac[6] = {0x02, 0, 0, 0, 0, 0x03};
static const uint64_t fuzz_dns_steps[4] = {0, 100, 1000, 10000};
static const char *const fuzz_dns_names[4] = {
    "fuzz.example",
    "www.fuzz.example",
    "a.b.c.d.e.f",
    "x",
};

/* The last query the stack sent. */
static struct {
	int seen;
	uint16_t port;
	uint16_t id;
	size_t qlen;
	uint8_t question[FUZZ_DNS_QUESTION_MAX];
} fuzz_dns_query;

/* One per lookup slot: whether its lookup is still running. */
struct fuzz_dns_ctx {
	int active;
	int handle;
};

static struct fuzz_dns_ctx fuzz_dns_ctx[CONFIG_DNS_QUERIES];
static uint64_t fuzz_dns_now = 1000;
static uint8_t fuzz_dns_frame[14 + 20 + 8 + FUZZ_DNS_UDP_MAX];

static void fuzz_dns_bug(const char *what)
{
	fprintf(stderr, "fuzz_dns: %s\n", what);
	abort();
}

/* ---- the wire parser ----------------------------------------------------- */

/* A name read from the network prints; a plain one reads back the same. */
static void fuzz_dns_check_name(const struct dns_name *n)
{
	char text[DNS_NAME_MAX * 4 + 2];
	struct dns_name back;

	if (n->len == 0 || n->len > DNS_NAME_MAX || n->b[n->len - 1] != 0)
		fuzz_dns_bug("a parsed name is not well formed");
	if (dns_name_to_text(n, text, sizeof(text)) < 0)
		fuzz_dns_bug("a parsed name does not print");
	if (strchr(text, '\\') || strcmp(text, ".") == 0)
		return;
	if (dns_name_from_text(text, &back) != NET_OK || back.len != n->len ||
	    memcmp(back.b, n->b, n->len) != 0)
		fuzz_dns_bug("a plain name does not survive text");
}

static void fuzz_dns_check_rr(const struct dns_msg *m, const struct dns_rr *rr)
{
	struct dns_name name;
	struct dns_soa soa;
	uint32_t addr;

	fuzz_dns_check_name(&rr->name);
	if (rr->rdata_off + rr->rdlen > m->len)
		fuzz_dns_bug("RDATA past the message");
	switch (rr->type) {
	case DNS_TYPE_A:
		if (rr->rclass == DNS_CLASS_IN &&
		    dns_wire_rdata_a(m, rr, &addr) != NET_OK)
			fuzz_dns_bug("a checked A record does not read");
		break;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
		if (dns_wire_rdata_name(m, rr, &name) != NET_OK)
			fuzz_dns_bug("a checked name record does not read");
		fuzz_dns_check_name(&name);
		break;
	case DNS_TYPE_SOA:
		if (dns_wire_rdata_soa(m, rr, &soa) != NET_OK)
			fuzz_dns_bug("a checked SOA does not read");
		break;
	default:
		break;
	}
}

static void fuzz_dns_wire(const uint8_t *p, size_t n)
{
	char text[FUZZ_DNS_QUESTION_MAX];
	struct dns_question q;
	struct dns_rr_iter it;
	struct dns_name name;
	struct dns_msg m;
	struct dns_rr rr;

	if (dns_wire_parse_msg(p, n, &m) == NET_OK) {
		if (dns_wire_question(&m, &q) == NET_OK)
			fuzz_dns_check_name(&q.name);
		for (int s = DNS_SECTION_ANSWER; s < DNS_SECTION_COUNT; s++) {
			dns_wire_rr_first(&m, (enum dns_section)s, &it);
			while (dns_wire_rr_next(&it, &rr))
				fuzz_dns_check_rr(&m, &rr);
		}
	}
	if (dns_wire_parse_head(p, n, &m) == NET_OK) {
		dns_wire_rr_first(&m, DNS_SECTION_ANSWER, &it);
		while (dns_wire_rr_next(&it, &rr))
			fuzz_dns_check_name(&rr.name);
	}
	for (size_t off = 0; off < n && off < 64; off++) {
		size_t o = off;

		if (dns_wire_read_name(p, n, &o, &name) == NET_OK) {
			if (o > n || o <= off)
				fuzz_dns_bug("a name ends outside the message");
			fuzz_dns_check_name(&name);
		}
	}
	/* The payload as text: a name that parses prints back the same. */
	n = n < sizeof(text) - 1 ? n : sizeof(text) - 1;
	memcpy(text, p, n);
	text[n] = '\0';
	if (dns_name_from_text(text, &name) == NET_OK)
		fuzz_dns_check_name(&name);
}

/* ---- the resolver -------------------------------------------------------- */

static void fuzz_dns_done(void *ctx, const struct net_dns_result *r)
{
	struct fuzz_dns_ctx *c = ctx;
	int known = 0;

	if (!c->active)
		fuzz_dns_bug("a callback for a lookup that is not running");
	c->active = 0;
	for (int i = 0; i < 4; i++)
		known |= strcmp(r->name, fuzz_dns_names[i]) == 0;
	if (!known)
		fuzz_dns_bug("a result for a name never asked");
	if (r->status == NET_OK &&
	    (r->naddrs < 1 || r->naddrs > NET_DNS_ADDRS_MAX ||
	     r->ttl > CONFIG_DNS_MAX_TTL))
		fuzz_dns_bug("a bad positive result");
	if (r->status != NET_OK &&
	    (r->naddrs != 0 || r->ttl > CONFIG_DNS_NEG_TTL_MAX))
		fuzz_dns_bug("a bad negative result");
}

/* Remember the last DNS query the stack sent (UDP to port 53). */
static void fuzz_dns_tx(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *u, *d;
	size_t ihl, dlen;

	if (len < 14 + 20 + 8 + 12 || ld_be16(f + 12) != 0x0800 || ip[9] != 17)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (len < 14 + ihl + 8 + 12)
		return;
	u = ip + ihl;
	d = u + 8;
	dlen = len - 14 - ihl - 8;
	if (ld_be16(u + 2) != 53)
		return;
	fuzz_dns_query.seen = 1;
	fuzz_dns_query.port = ld_be16(u);
	fuzz_dns_query.id = ld_be16(d);
	fuzz_dns_query.qlen = dlen - 12 < FUZZ_DNS_QUESTION_MAX
				  ? dlen - 12
				  : FUZZ_DNS_QUESTION_MAX;
	memcpy(fuzz_dns_query.question, d + 12, fuzz_dns_query.qlen);
}

/* An ARP reply from a server: learnt when its resolution is under way. */
static void fuzz_dns_arp(uint32_t ip, const uint8_t mac[6])
{
	uint8_t f[60] = {0};

	memcpy(f, fuzz_netdev_mac, 6);
	memcpy(f + 6, mac, 6);
	st_be16(f + 12, 0x0806);
	st_be16(f + 14, 1);
	st_be16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	st_be16(f + 20, 2);
	memcpy(f + 22, mac, 6);
	st_be32(f + 28, ip);
	memcpy(f + 32, fuzz_netdev_mac, 6);
	st_be32(f + 38, FUZZ_DNS_IP);
	net_input(f, sizeof(f), fuzz_dns_now);
}

static void fuzz_dns_start(unsigned which)
{
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++) {
		struct fuzz_dns_ctx *c = &fuzz_dns_ctx[i];
		int h;

		if (c->active)
			continue;
		h = net_dns_resolve(fuzz_dns_names[which % 4], fuzz_dns_done, c,
				    fuzz_dns_now);
		if (h >= 0) {
			c->active = 1;
			c->handle = h;
		}
		return;
	}
}

static void fuzz_dns_cancel(void)
{
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++) {
		struct fuzz_dns_ctx *c = &fuzz_dns_ctx[i];

		if (!c->active)
			continue;
		if (net_dns_cancel(c->handle, fuzz_dns_now) != NET_OK)
			fuzz_dns_bug("a running lookup does not cancel");
		c->active = 0;
		return;
	}
}

static void fuzz_dns_setup(void)
{
	static const uint8_t secret[NET_SECRET_LEN] = "keel-fuzz-dns!!";
	static const uint32_t servers[2] = {FUZZ_DNS_S1, FUZZ_DNS_S2};
	struct net_ipv4_config cfg = {FUZZ_DNS_IP, FUZZ_DNS_MASK, FUZZ_DNS_S1};

	fuzz_netdev_reset();
	fuzz_netdev_set_tx_hook(fuzz_dns_tx);
	fuzz_dns_now = 1000;
	memset(&fuzz_dns_query, 0, sizeof(fuzz_dns_query));
	memset(fuzz_dns_ctx, 0, sizeof(fuzz_dns_ctx));
	if (net_init(&fuzz_netdev, secret) != NET_OK ||
	    net_set_ipv4(&cfg, fuzz_dns_now) != NET_OK ||
	    net_dns_set_servers(servers, 2) != NET_OK)
		fuzz_dns_bug("the stack did not come up");
}

/* The payload as a datagram to the last query's port, polled. */
static void fuzz_dns_deliver(uint8_t ctl, const uint8_t *data, size_t len)
{
	uint8_t *f = fuzz_dns_frame, *ip = f + 14, *u = ip + 20, *d = u + 8;
	uint32_t src = (ctl & 0x08) ? FUZZ_DNS_S2 : FUZZ_DNS_S1;

	if (len > FUZZ_DNS_UDP_MAX)
		len = FUZZ_DNS_UDP_MAX;
	memcpy(d, data, len);
	if ((ctl & 0x01) && len >= 2)
		st_be16(d, fuzz_dns_query.id);
	if ((ctl & 0x02) && len >= 12 + fuzz_dns_query.qlen)
		memcpy(d + 12, fuzz_dns_query.question, fuzz_dns_query.qlen);
	memcpy(f, fuzz_netdev_mac, 6);
	memcpy(f + 6, (ctl & 0x08) ? fuzz_dns_s2_mac : fuzz_dns_s1_mac, 6);
	st_be16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	st_be16(ip + 2, (uint16_t)(20 + 8 + len));
	ip[8] = 64;
	ip[9] = 17;
	st_be32(ip + 12, src);
	st_be32(ip + 16, FUZZ_DNS_IP);
	{
		uint32_t sum = 0;

		for (int i = 0; i < 20; i += 2)
			sum += ld_be16(ip + i);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		st_be16(ip + 10, (uint16_t)~sum);
	}
	st_be16(u, (ctl & 0x04) ? 5353 : 53);
	st_be16(u + 2, fuzz_dns_query.port);
	st_be16(u + 4, (uint16_t)(8 + len));
	st_be16(u + 6, 0); /* no checksum (RFC 768) */
	net_input(f, 14 + 20 + 8 + len, fuzz_dns_now);
	net_poll(fuzz_dns_now);
}

static void fuzz_dns_one(uint8_t ctl, const uint8_t *data, size_t len)
{
	fuzz_dns_now += fuzz_dns_steps[(ctl >> 4) & 3];
	fuzz_dns_arp(FUZZ_DNS_S1, fuzz_dns_s1_mac);
	fuzz_dns_arp(FUZZ_DNS_S2, fuzz_dns_s2_mac);
	if (ctl & 0x80)
		fuzz_dns_cancel();
	if (ctl & 0x40)
		fuzz_dns_start(len);
	net_poll(fuzz_dns_now);
	fuzz_dns_wire(data, len);
	if (fuzz_dns_query.seen)
		fuzz_dns_deliver(ctl, data, len);
	(void)net_next_deadline();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready, reset = -1;
	unsigned records = 0;
	size_t off = 0, len;

	if (reset < 0)
		reset = getenv("FUZZ_DNS_RESET") != NULL;
	if (!ready || reset) {
		fuzz_dns_setup();
		ready = 1;
	}
	/* Always one lookup running, so answers have somewhere to go. */
	fuzz_dns_start(0);
	while (off + 3 <= size && records++ < FUZZ_DNS_MAX_RECORDS) {
		uint8_t ctl = data[off];

		len = ld_be16(data + off + 1);
		off += 3;
		if (len > size - off)
			len = size - off;
		fuzz_dns_one(ctl, data + off, len);
		off += len;
	}
	return 0;
}
