/*
 * dns_build.h - DNS messages for tests, written byte by byte.
 *
 * Independent of net/dns_wire.c on purpose: a test that builds its input
 * with the code under test checks nothing. Names are written uncompressed
 * from dotted text ("" is the root); tm_ptr() writes a compression pointer
 * by hand where a test wants one. Every function appends to the message;
 * tm_hdr() starts a new one.
 *
 * Static inline so that each test program takes what it uses.
 */
#ifndef DNS_BUILD_H
#define DNS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TM_MAX 4096

#define TM_QR	    0x8000
#define TM_AA	    0x0400
#define TM_TC	    0x0200
#define TM_RD	    0x0100
#define TM_RA	    0x0080
#define TM_NXDOMAIN 3
#define TM_SERVFAIL 2
#define TM_REFUSED  5
/* What a recursive server sets in an answer, rcode aside. */
#define TM_RESPONSE (TM_QR | TM_RD | TM_RA)

#define TM_A	 1
#define TM_NS	 2
#define TM_CNAME 5
#define TM_SOA	 6
#define TM_AAAA	 28
#define TM_IN	 1

struct tmsg {
	size_t len;
	uint8_t b[TM_MAX];
};

static inline void tm_u8(struct tmsg *m, uint8_t v)
{
	if (m->len < TM_MAX)
		m->b[m->len++] = v;
}

static inline void tm_u16(struct tmsg *m, uint16_t v)
{
	tm_u8(m, (uint8_t)(v >> 8));
	tm_u8(m, (uint8_t)v);
}

static inline void tm_u32(struct tmsg *m, uint32_t v)
{
	tm_u16(m, (uint16_t)(v >> 16));
	tm_u16(m, (uint16_t)v);
}

static inline void tm_bytes(struct tmsg *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tm_u8(m, ((const uint8_t *)p)[i]);
}

/* Start a message: the 12-byte header. */
static inline void tm_hdr(struct tmsg *m, uint16_t id, uint16_t flags,
			  uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	m->len = 0;
	tm_u16(m, id);
	tm_u16(m, flags);
	tm_u16(m, qd);
	tm_u16(m, an);
	tm_u16(m, ns);
	tm_u16(m, ar);
}

/* Rewrite the four counts of the header. */
static inline void tm_counts(struct tmsg *m, uint16_t qd, uint16_t an,
			     uint16_t ns, uint16_t ar)
{
	uint16_t v[4] = {qd, an, ns, ar};

	for (int i = 0; i < 4; i++) {
		m->b[4 + 2 * i] = (uint8_t)(v[i] >> 8);
		m->b[5 + 2 * i] = (uint8_t)v[i];
	}
}

/* The labels of `dotted` without the root byte; returns the offset. */
static inline size_t tm_labels(struct tmsg *m, const char *dotted)
{
	size_t at = m->len;

	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);

		tm_u8(m, (uint8_t)n);
		tm_bytes(m, dotted, n);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
	return at;
}

/* An uncompressed name; returns its offset. */
static inline size_t tm_name(struct tmsg *m, const char *dotted)
{
	size_t at = tm_labels(m, dotted);

	tm_u8(m, 0);
	return at;
}

/* A compression pointer to `off`. */
static inline void tm_ptr(struct tmsg *m, size_t off)
{
	tm_u16(m, (uint16_t)(0xc000 | off));
}

static inline void tm_question(struct tmsg *m, const char *name, uint16_t type,
			       uint16_t qclass)
{
	tm_name(m, name);
	tm_u16(m, type);
	tm_u16(m, qclass);
}

/* A record's fixed part after its (already written) name. */
static inline void tm_rr_fixed(struct tmsg *m, uint16_t type, uint16_t rclass,
			       uint32_t ttl, uint16_t rdlen)
{
	tm_u16(m, type);
	tm_u16(m, rclass);
	tm_u32(m, ttl);
	tm_u16(m, rdlen);
}

static inline void tm_rr_a(struct tmsg *m, const char *name, uint32_t ttl,
			   uint32_t addr)
{
	tm_name(m, name);
	tm_rr_fixed(m, TM_A, TM_IN, ttl, 4);
	tm_u32(m, addr);
}

static inline void tm_rr_cname(struct tmsg *m, const char *name, uint32_t ttl,
			       const char *target)
{
	size_t rdlen_at;

	tm_name(m, name);
	tm_rr_fixed(m, TM_CNAME, TM_IN, ttl, 0);
	rdlen_at = m->len - 2;
	tm_name(m, target);
	m->b[rdlen_at] = (uint8_t)((m->len - rdlen_at - 2) >> 8);
	m->b[rdlen_at + 1] = (uint8_t)(m->len - rdlen_at - 2);
}

/* An SOA for `zone` with the given TTL and MINIMUM. */
static inline void tm_rr_soa(struct tmsg *m, const char *zone, uint32_t ttl,
			     uint32_t minimum)
{
	size_t rdlen_at;

	tm_name(m, zone);
	tm_rr_fixed(m, TM_SOA, TM_IN, ttl, 0);
	rdlen_at = m->len - 2;
	tm_labels(m, "ns");
	tm_name(m, zone);
	tm_labels(m, "hostmaster");
	tm_name(m, zone);
	tm_u32(m, 2024010101); /* serial */
	tm_u32(m, 3600);       /* refresh */
	tm_u32(m, 600);	       /* retry */
	tm_u32(m, 86400);      /* expire */
	tm_u32(m, minimum);
	m->b[rdlen_at] = (uint8_t)((m->len - rdlen_at - 2) >> 8);
	m->b[rdlen_at + 1] = (uint8_t)(m->len - rdlen_at - 2);
}

static inline void tm_rr_ns(struct tmsg *m, const char *zone, uint32_t ttl,
			    const char *host)
{
	size_t rdlen_at;

	tm_name(m, zone);
	tm_rr_fixed(m, TM_NS, TM_IN, ttl, 0);
	rdlen_at = m->len - 2;
	tm_name(m, host);
	m->b[rdlen_at] = (uint8_t)((m->len - rdlen_at - 2) >> 8);
	m->b[rdlen_at + 1] = (uint8_t)(m->len - rdlen_at - 2);
}

#endif /* DNS_BUILD_H */
