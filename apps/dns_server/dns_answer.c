/*
 * dns_answer.c - authoritative answers from the compiled zone tables.
 * Interface and deliberate choices in dns_answer.h.
 *
 * Three steps, each apart:
 *   1. dns_answer_parse(): the query, checked whole and strictly; the
 *      question name is copied in lower case for matching, while the
 *      response copies the question's bytes as received, so its case comes
 *      back unchanged (RFC 4343 §4) and every owner equal to QNAME is
 *      written as a pointer to it;
 *   2. dns_answer_name(): RFC 1034 §4.3.2 step 3 over the node table -
 *      walk down from the apex (a zone cut on the way is a referral),
 *      then exact match, CNAME, or the wildcard at the closest encloser
 *      (RFC 4592 §3.3.1: a wildcard applies only when QNAME does not
 *      exist, empty non-terminals included), else NXDOMAIN;
 *   3. the sections, written in order through dns_out, which compresses
 *      names (RFC 1035 §4.1.4) against every name already written and
 *      undoes a record that does not fit.
 *
 * Negative answers carry the zone's SOA in the authority section with the
 * TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 §3, §5).
 */
#include "dns_answer.h"

#include <string.h>

#include <klib/bytes.h>

#define DNS_FLAG_QR	0x8000u
#define DNS_FLAG_OPCODE 0x7800u
#define DNS_FLAG_AA	0x0400u
#define DNS_FLAG_TC	0x0200u
#define DNS_FLAG_RD	0x0100u
#define DNS_FLAG_CD	0x0010u

#define DNS_RCODE_FORMERR     1
#define DNS_RCODE_NXDOMAIN    3
#define DNS_RCODE_NOTIMP      4
#define DNS_RCODE_REFUSED     5
#define DNS_EXT_RCODE_BADVERS 16 /* RFC 6891 §9 */

#define DNS_TYPE_A     1
#define DNS_TYPE_NS    2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA   6
#define DNS_TYPE_MX    15
#define DNS_TYPE_AAAA  28
#define DNS_TYPE_SRV   33
#define DNS_TYPE_OPT   41
#define DNS_TYPE_IXFR  251
#define DNS_TYPE_AXFR  252
#define DNS_TYPE_MAILB 253
#define DNS_TYPE_MAILA 254
#define DNS_TYPE_ANY   255
#define DNS_CLASS_IN   1

#define DNS_NAME_MAX	 255
#define DNS_LABELS_MAX	 128 /* 255 bytes hold at most 127 labels + root */
#define DNS_PTR_HOPS_MAX 32
#define DNS_OPT_LEN	 11 /* root, type, class, ttl, rdlength */
#define DNS_EDNS_DO	 0x8000u
#define DNS_COMP_MAX	 64 /* names remembered for compression */
#define DNS_EXTRA_MAX	 16 /* names whose addresses go to additional */

/* ---- 1. the query ------------------------------------------------------- */

struct dns_query {
	uint16_t id;
	uint16_t flags;
	size_t qend;		     /* end of the question in the query */
	uint8_t lname[DNS_NAME_MAX]; /* QNAME, lower case */
	size_t lname_len;
	uint16_t qtype;
	uint16_t qclass;
	bool edns;
	uint16_t udp_size;
	uint8_t edns_version;
	bool edns_do;
};

enum dns_parse {
	DNS_PARSE_OK = 0,
	DNS_PARSE_DROP,
	DNS_PARSE_FORMERR,
	DNS_PARSE_NOTIMP,
};

static uint8_t dns_answer_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/*
 * The question's name: plain labels only (nothing before it could be a
 * pointer's target but the header), copied in lower case.
 */
static bool dns_answer_qname(const uint8_t *q, size_t len, size_t *off,
			     struct dns_query *qy)
{
	size_t pos = *off, n = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return false;
		c = q[pos];
		if (c & 0xc0)
			return false;
		if (n + 1 + c > DNS_NAME_MAX || len - pos - 1 < c)
			return false;
		qy->lname[n++] = c;
		for (uint8_t i = 0; i < c; i++)
			qy->lname[n++] = dns_answer_lower(q[pos + 1 + i]);
		pos += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	qy->lname_len = n;
	*off = pos;
	return true;
}

/*
 * Step over a possibly compressed name in a record: pointers must land
 * after the header and strictly before the run of labels they end, so
 * they cannot loop (the same rule as net/dns_wire.c). The whole name is
 * at most 255 bytes.
 */
static bool dns_answer_skip_name(const uint8_t *q, size_t len, size_t *off)
{
	size_t pos = *off, run = *off, end = 0, total = 0;
	unsigned hops = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return false;
		c = q[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len || ++hops > DNS_PTR_HOPS_MAX)
				return false;
			target = (size_t)(c & 0x3f) << 8 | q[pos + 1];
			if (hops == 1)
				end = pos + 2;
			if (target < DNS_ANSWER_HDR_LEN || target >= run)
				return false;
			pos = run = target;
			continue;
		}
		if (c & 0xc0)
			return false;
		total += 1 + (size_t)c;
		if (total > DNS_NAME_MAX || len - pos - 1 < c)
			return false;
		pos += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	*off = hops ? end : pos;
	return true;
}

/* An OPT record's fixed part and options (RFC 6891 §6.1.2, §6.1.3). */
static bool dns_answer_opt(const uint8_t *rr, size_t rdlen, const uint8_t *rd,
			   struct dns_query *qy)
{
	uint32_t ttl = ld_be32(rr + 4);
	size_t pos = 0;

	qy->edns = true;
	qy->udp_size = ld_be16(rr + 2);
	if (qy->udp_size < DNS_ANSWER_UDP_MIN)
		qy->udp_size = DNS_ANSWER_UDP_MIN; /* RFC 6891 §6.2.3 */
	qy->edns_version = (uint8_t)(ttl >> 16);
	qy->edns_do = (ttl & DNS_EDNS_DO) != 0;
	/* Options are skipped, but they must tile RDATA exactly. */
	while (pos < rdlen) {
		if (rdlen - pos < 4 || rdlen - pos - 4 < ld_be16(rd + pos + 2))
			return false;
		pos += 4 + (size_t)ld_be16(rd + pos + 2);
	}
	return true;
}

/* The additional section: at most one OPT, owned by the root. */
static bool dns_answer_additional(const uint8_t *q, size_t len, size_t off,
				  unsigned count, struct dns_query *qy)
{
	for (unsigned i = 0; i < count; i++) {
		size_t start = off;
		size_t rdlen;

		if (!dns_answer_skip_name(q, len, &off) || len - off < 10)
			return false;
		rdlen = ld_be16(q + off + 8);
		if (len - off - 10 < rdlen)
			return false;
		if (ld_be16(q + off) == DNS_TYPE_OPT) {
			/* RFC 6891 §6.1.1: one OPT, name the root. */
			if (qy->edns || off != start + 1 || q[start] != 0 ||
			    !dns_answer_opt(q + off, rdlen, q + off + 10, qy))
				return false;
		}
		off += 10 + rdlen;
	}
	return off == len;
}

static enum dns_parse dns_answer_parse(const uint8_t *q, size_t len,
				       struct dns_query *qy)
{
	size_t off = DNS_ANSWER_HDR_LEN;

	memset(qy, 0, sizeof(*qy));
	if (len < DNS_ANSWER_HDR_LEN)
		return DNS_PARSE_DROP;
	qy->id = ld_be16(q);
	qy->flags = ld_be16(q + 2);
	if (qy->flags & DNS_FLAG_QR)
		return DNS_PARSE_DROP; /* never answer a response */
	if (qy->flags & DNS_FLAG_OPCODE)
		return DNS_PARSE_NOTIMP;
	if (ld_be16(q + 4) != 1 || ld_be16(q + 6) != 0 || ld_be16(q + 8) != 0)
		return DNS_PARSE_FORMERR;
	if (!dns_answer_qname(q, len, &off, qy) || len - off < 4)
		return DNS_PARSE_FORMERR;
	qy->qtype = ld_be16(q + off);
	qy->qclass = ld_be16(q + off + 2);
	qy->qend = off + 4;
	if (!dns_answer_additional(q, len, qy->qend, ld_be16(q + 10), qy))
		return DNS_PARSE_FORMERR;
	if (qy->qtype == DNS_TYPE_OPT)
		return DNS_PARSE_FORMERR; /* RFC 6891 §6.1.1 */
	return DNS_PARSE_OK;
}

/* ---- names in the tables ------------------------------------------------ */

/* Offsets of the labels of a wire name; returns their count (root out). */
static unsigned dns_answer_labels(const uint8_t *n, uint8_t off[DNS_LABELS_MAX])
{
	unsigned k = 0;
	size_t pos = 0;

	while (n[pos] != 0 && k < DNS_LABELS_MAX) {
		off[k++] = (uint8_t)pos;
		pos += 1 + (size_t)n[pos];
	}
	return k;
}

/* RFC 4034 §6.1 canonical order of two lower-case wire names. */
static int dns_answer_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t ao[DNS_LABELS_MAX], bo[DNS_LABELS_MAX];
	unsigned na = dns_answer_labels(a, ao), nb = dns_answer_labels(b, bo);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + ao[--na], *lb = b + bo[--nb];
		uint8_t m = la[0] < lb[0] ? la[0] : lb[0];
		int c = memcmp(la + 1, lb + 1, m);

		if (c != 0)
			return c;
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

static const uint8_t *dns_answer_zname(const struct dns_zone *z, uint16_t i,
				       size_t *len)
{
	*len = z->names[i].len;
	return z->name_bytes + z->names[i].off;
}

/* The node named `n` (lower-case wire form), or -1. */
static int dns_answer_find(const struct dns_zone *z, const uint8_t *n)
{
	uint32_t lo = 0, hi = z->nnodes;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		size_t len;
		int c = dns_answer_cmp(
		    n, dns_answer_zname(z, z->nodes[mid].name, &len));

		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int dns_answer_rrset(const struct dns_zone *z, int node, uint16_t type)
{
	const struct dns_zone_node *nd = &z->nodes[node];

	for (uint16_t i = 0; i < nd->nrrsets; i++)
		if (z->rrsets[nd->rrset + i].type == type)
			return nd->rrset + i;
	return -1;
}

/* ---- 3. writing the response -------------------------------------------- */

struct dns_out {
	uint8_t *b;
	size_t len;
	size_t cap;
	struct {
		const uint8_t *name; /* lower-case wire suffix */
		uint16_t off;
		uint8_t len;
	} comp[DNS_COMP_MAX];
	unsigned ncomp;
};

static bool dns_out_bytes(struct dns_out *o, const void *p, size_t n)
{
	if (o->cap - o->len < n)
		return false;
	memcpy(o->b + o->len, p, n);
	o->len += n;
	return true;
}

static bool dns_out_u16(struct dns_out *o, uint16_t v)
{
	uint8_t b[2];

	st_be16(b, v);
	return dns_out_bytes(o, b, 2);
}

static bool dns_out_u32(struct dns_out *o, uint32_t v)
{
	uint8_t b[4];

	st_be32(b, v);
	return dns_out_bytes(o, b, 4);
}

/* Remember the suffixes of `n` written at `at` as targets for pointers. */
static void dns_out_remember(struct dns_out *o, const uint8_t *n, size_t len,
			     size_t at, size_t upto)
{
	for (size_t pos = 0; pos < upto && n[pos] != 0;
	     pos += 1 + (size_t)n[pos]) {
		if (o->ncomp == DNS_COMP_MAX || at + pos > 0x3fff)
			return;
		o->comp[o->ncomp].name = n + pos;
		o->comp[o->ncomp].len = (uint8_t)(len - pos);
		o->comp[o->ncomp].off = (uint16_t)(at + pos);
		o->ncomp++;
	}
}

static int dns_out_lookup(const struct dns_out *o, const uint8_t *n, size_t len)
{
	for (unsigned i = 0; i < o->ncomp; i++)
		if (o->comp[i].len == len &&
		    memcmp(o->comp[i].name, n, len) == 0)
			return o->comp[i].off;
	return -1;
}

/*
 * Write the lower-case wire name `n`: its labels up to the longest suffix
 * already in the message, then a pointer there (RFC 1035 §4.1.4), when
 * `compress`; whole otherwise.
 */
static bool dns_out_name(struct dns_out *o, const uint8_t *n, size_t len,
			 bool compress)
{
	size_t pos = 0, at = o->len;

	for (; compress && n[pos] != 0; pos += 1 + (size_t)n[pos]) {
		int ptr = dns_out_lookup(o, n + pos, len - pos);

		if (ptr < 0)
			continue;
		if (!dns_out_bytes(o, n, pos) ||
		    !dns_out_u16(o, (uint16_t)(0xc000u | (unsigned)ptr)))
			return false;
		dns_out_remember(o, n, len, at, pos);
		return true;
	}
	if (!dns_out_bytes(o, n, len))
		return false;
	if (compress)
		dns_out_remember(o, n, len, at, len);
	return true;
}

/* One record's RDATA: fixed bytes with its names inserted (dns_zone.h). */
static bool dns_out_rdata(struct dns_out *o, const struct dns_zone *z,
			  const struct dns_zone_rr *rr)
{
	const uint8_t *fixed = z->rdata + rr->off;
	size_t prev = 0;

	for (int i = 0; i < 2 && rr->name[i] != DNS_ZONE_NO_NAME; i++) {
		size_t nlen;
		const uint8_t *n = dns_answer_zname(z, rr->name[i], &nlen);

		if (!dns_out_bytes(o, fixed + prev, rr->at[i] - prev) ||
		    !dns_out_name(o, n, nlen, rr->compress))
			return false;
		prev = rr->at[i];
	}
	return dns_out_bytes(o, fixed + prev, rr->len - prev);
}

/*
 * Write a whole RRset with owner `owner` and TTL `ttl`, or nothing: on
 * failure the message and the compression table are as before.
 */
static bool dns_out_rrset(struct dns_out *o, const struct dns_zone *z,
			  const uint8_t *owner, size_t olen, int set,
			  uint32_t ttl)
{
	const struct dns_zone_rrset *rs = &z->rrsets[set];
	size_t len0 = o->len;
	unsigned ncomp0 = o->ncomp;

	for (uint16_t i = 0; i < rs->nrr; i++) {
		size_t rdlen_at;

		if (!dns_out_name(o, owner, olen, true) ||
		    !dns_out_u16(o, rs->type) ||
		    !dns_out_u16(o, DNS_CLASS_IN) || !dns_out_u32(o, ttl) ||
		    !dns_out_u16(o, 0))
			goto undo;
		rdlen_at = o->len - 2;
		if (!dns_out_rdata(o, z, &z->rrs[rs->rr + i]))
			goto undo;
		st_be16(o->b + rdlen_at, (uint16_t)(o->len - rdlen_at - 2));
	}
	return true;
undo:
	o->len = len0;
	o->ncomp = ncomp0;
	return false;
}

/* ---- 2. the lookup ------------------------------------------------------ */

enum dns_auth {
	DNS_AUTH_NONE = 0,
	DNS_AUTH_SOA, /* negative answer */
	DNS_AUTH_NS,  /* referral */
};

struct dns_ctx {
	const struct dns_zone *z;
	struct dns_out *o;
	struct dns_answer_info *info;
	uint16_t qtype;
	uint8_t zone; /* index into apexes */
	uint8_t rcode;
	bool full; /* the answer or authority did not fit */
	uint16_t ancount;
	enum dns_auth auth;
	int auth_node;		       /* the zone cut of a referral */
	uint16_t extra[DNS_EXTRA_MAX]; /* names for the additional section */
	unsigned nextra;
	bool extra_glue; /* glue nodes count (referrals) */
};

/* Whether the wire name `n` is at or below the wire name `apex`. */
static bool dns_answer_is_below(const uint8_t *n, size_t nlen,
				const uint8_t *apex, size_t alen)
{
	size_t pos = 0;

	while (nlen - pos > alen && n[pos] != 0)
		pos += 1 + (size_t)n[pos];
	return nlen - pos == alen && memcmp(n + pos, apex, alen) == 0;
}

/* Queue the names in an RRset's RDATA whose addresses help (RFC 1035 §3.3). */
static void dns_answer_want_extra(struct dns_ctx *c, int set)
{
	const struct dns_zone_rrset *rs = &c->z->rrsets[set];

	if (rs->type != DNS_TYPE_NS && rs->type != DNS_TYPE_MX &&
	    rs->type != DNS_TYPE_SRV)
		return;
	for (uint16_t i = 0; i < rs->nrr; i++) {
		uint16_t name = c->z->rrs[rs->rr + i].name[0];
		bool seen = false;

		for (unsigned k = 0; k < c->nextra; k++)
			seen = seen || c->extra[k] == name;
		if (!seen && c->nextra < DNS_EXTRA_MAX)
			c->extra[c->nextra++] = name;
	}
}

static void dns_answer_add(struct dns_ctx *c, const uint8_t *owner, size_t olen,
			   int set)
{
	if (c->full)
		return;
	if (!dns_out_rrset(c->o, c->z, owner, olen, set,
			   c->z->rrsets[set].ttl)) {
		c->full = true;
		return;
	}
	c->ancount = (uint16_t)(c->ancount + c->z->rrsets[set].nrr);
	dns_answer_want_extra(c, set);
}

static void dns_answer_name(struct dns_ctx *c, const uint8_t *n, size_t len,
			    unsigned depth);

/* The data of node `node` for the name `n` (QNAME or a wildcard match). */
static void dns_answer_node(struct dns_ctx *c, int node, const uint8_t *n,
			    size_t len, unsigned depth)
{
	const struct dns_zone *z = c->z;
	const struct dns_zone_node *nd = &z->nodes[node];
	int set, cname;

	if (nd->nrrsets == 0) { /* an empty non-terminal */
		c->auth = DNS_AUTH_SOA;
		return;
	}
	set = c->qtype == DNS_TYPE_ANY ? nd->rrset
				       : dns_answer_rrset(z, node, c->qtype);
	if (set >= 0) {
		dns_answer_add(c, n, len, set);
		return;
	}
	cname = dns_answer_rrset(z, node, DNS_TYPE_CNAME);
	if (cname < 0) {
		c->auth = DNS_AUTH_SOA;
		return;
	}
	dns_answer_add(c, n, len, cname);
	c->info->cname = true;
	if (depth + 1 < DNS_ANSWER_CHAIN_MAX && !c->full) {
		size_t tlen;
		const uint8_t *t = dns_answer_zname(
		    z, z->rrs[z->rrsets[cname].rr].name[0], &tlen);

		dns_answer_name(c, t, tlen, depth + 1);
	}
}

/* RFC 1034 §4.3.2 step 3 for the lower-case wire name `n`. */
static void dns_answer_name(struct dns_ctx *c, const uint8_t *n, size_t len,
			    unsigned depth)
{
	const struct dns_zone *z = c->z;
	uint8_t off[DNS_LABELS_MAX], wild[DNS_NAME_MAX];
	size_t alen;
	const uint8_t *apex =
	    dns_answer_zname(z, z->nodes[z->apexes[c->zone].node].name, &alen);
	unsigned nl = dns_answer_labels(n, off);
	unsigned al = z->names[z->nodes[z->apexes[c->zone].node].name].labels;
	int ce = z->apexes[c->zone].node, node = -1;

	if (!dns_answer_is_below(n, len, apex, alen))
		return; /* a CNAME out of the zone: the answer ends there */
	/* Walk down from the apex; every step must exist (ENTs do). */
	for (unsigned k = nl - al; k-- > 0;) {
		node = dns_answer_find(z, n + off[k]);
		if (node < 0)
			break;
		ce = node;
		if (z->nodes[node].flags & DNS_ZONE_NODE_DELEG) {
			c->auth = DNS_AUTH_NS;
			c->auth_node = node;
			return;
		}
	}
	if (nl == al)
		node = ce; /* the apex itself */
	if (node >= 0) {
		dns_answer_node(c, node, n, len, depth);
		return;
	}
	/* RFC 4592 §3.3.1: the source of synthesis is *.<closest encloser>. */
	{
		size_t clen;
		const uint8_t *cn =
		    dns_answer_zname(z, z->nodes[ce].name, &clen);

		if (clen + 2 > DNS_NAME_MAX)
			node = -1;
		else {
			wild[0] = 1;
			wild[1] = '*';
			memcpy(wild + 2, cn, clen);
			node = dns_answer_find(z, wild);
		}
	}
	if (node < 0) {
		c->rcode = DNS_RCODE_NXDOMAIN;
		c->auth = DNS_AUTH_SOA;
		return;
	}
	c->info->wildcard = true;
	dns_answer_node(c, node, n, len, depth);
}

/* The SOA of the zone, with the negative TTL (RFC 2308 §3). */
static void dns_answer_soa(struct dns_ctx *c)
{
	const struct dns_zone *z = c->z;
	const struct dns_zone_apex *ap = &z->apexes[c->zone];
	const struct dns_zone_rrset *rs = &z->rrsets[ap->soa];
	const struct dns_zone_rr *rr = &z->rrs[rs->rr];
	uint32_t minimum = ld_be32(z->rdata + rr->off + rr->len - 4);
	uint32_t ttl = rs->ttl < minimum ? rs->ttl : minimum;
	size_t alen;
	const uint8_t *apex =
	    dns_answer_zname(z, z->nodes[ap->node].name, &alen);

	if (!dns_out_rrset(c->o, z, apex, alen, ap->soa, ttl))
		c->full = true;
}

static uint16_t dns_answer_authority(struct dns_ctx *c)
{
	const struct dns_zone *z = c->z;
	int set;
	size_t len;
	const uint8_t *n;

	if (c->full || c->auth == DNS_AUTH_NONE)
		return 0;
	if (c->auth == DNS_AUTH_SOA) {
		dns_answer_soa(c);
		return c->full ? 0 : 1;
	}
	set = dns_answer_rrset(z, c->auth_node, DNS_TYPE_NS);
	n = dns_answer_zname(z, z->nodes[c->auth_node].name, &len);
	if (set < 0 ||
	    !dns_out_rrset(c->o, z, n, len, set, z->rrsets[set].ttl)) {
		c->full = true;
		return 0;
	}
	c->extra_glue = true;
	dns_answer_want_extra(c, set);
	return z->rrsets[set].nrr;
}

/*
 * Whether a referral cannot go without this name's addresses: in-domain
 * glue, a name server at or below the cut itself (RFC 9471).
 */
static bool dns_answer_is_needed_glue(const struct dns_ctx *c,
				      const uint8_t *n, size_t len)
{
	size_t clen;
	const uint8_t *cut;

	if (c->auth != DNS_AUTH_NS)
		return false;
	cut = dns_answer_zname(c->z, c->z->nodes[c->auth_node].name, &clen);
	return dns_answer_is_below(n, len, cut, clen);
}

/*
 * A and AAAA of the queued names that are ours, while they fit; glue a
 * referral needs and that does not fit sets TC instead (c->full).
 */
static uint16_t dns_answer_extra(struct dns_ctx *c)
{
	static const uint16_t types[] = {DNS_TYPE_A, DNS_TYPE_AAAA};
	const struct dns_zone *z = c->z;
	uint16_t count = 0;

	for (unsigned i = 0; i < c->nextra && !c->full; i++) {
		size_t len;
		const uint8_t *n = dns_answer_zname(z, c->extra[i], &len);
		int node = dns_answer_find(z, n);

		if (node < 0 || ((z->nodes[node].flags & DNS_ZONE_NODE_GLUE) &&
				 !c->extra_glue))
			continue;
		for (int t = 0; t < 2 && !c->full; t++) {
			int set = dns_answer_rrset(z, node, types[t]);

			if (set < 0)
				continue;
			if (dns_out_rrset(c->o, z, n, len, set,
					  z->rrsets[set].ttl))
				count = (uint16_t)(count + z->rrsets[set].nrr);
			else if (dns_answer_is_needed_glue(c, n, len))
				c->full = true;
		}
	}
	return count;
}

/* ---- putting it together ------------------------------------------------ */

static void dns_answer_header(uint8_t *out, const struct dns_query *qy,
			      uint16_t flags, const uint16_t counts[4])
{
	st_be16(out, qy->id);
	st_be16(out + 2, (uint16_t)(DNS_FLAG_QR | flags |
				    (qy->flags & (DNS_FLAG_OPCODE |
						  DNS_FLAG_RD | DNS_FLAG_CD))));
	for (int i = 0; i < 4; i++)
		st_be16(out + 4 + 2 * i, counts[i]);
}

/* The OPT record of a response (RFC 6891 §6.1.2); room is reserved. */
static void dns_answer_put_opt(struct dns_out *o, const struct dns_query *qy,
			       uint16_t payload, uint8_t ext_rcode)
{
	uint8_t *p = o->b + o->len;

	p[0] = 0;
	st_be16(p + 1, DNS_TYPE_OPT);
	st_be16(p + 3, payload);
	st_be32(p + 5,
		(uint32_t)ext_rcode << 24 | (qy->edns_do ? DNS_EDNS_DO : 0));
	st_be16(p + 9, 0);
	o->len += DNS_OPT_LEN;
}

static size_t dns_answer_limit(const struct dns_query *qy, bool tcp,
			       uint16_t edns_payload, size_t cap)
{
	size_t limit = DNS_ANSWER_UDP_MIN;

	if (tcp)
		limit = 65535;
	else if (qy->edns)
		limit =
		    qy->udp_size < edns_payload ? qy->udp_size : edns_payload;
	if (limit < DNS_ANSWER_UDP_MIN)
		limit = DNS_ANSWER_UDP_MIN;
	return limit < cap ? limit : cap;
}

/* The zone whose apex is the longest suffix of QNAME, or -1. */
static int dns_answer_zone(const struct dns_zone *z, const uint8_t *n,
			   size_t len)
{
	uint8_t off[DNS_LABELS_MAX];
	unsigned nl = dns_answer_labels(n, off);

	/* k == nl is the root, the name's last byte. */
	for (unsigned k = 0; k <= nl; k++) {
		int node = dns_answer_find(z, n + (k < nl ? off[k] : len - 1));

		if (node >= 0 && (z->nodes[node].flags & DNS_ZONE_NODE_APEX))
			return z->nodes[node].zone;
	}
	return -1;
}

/* Header only: FORMERR, NOTIMP. */
static size_t dns_answer_error(const struct dns_query *qy, uint8_t *out,
			       uint8_t rcode)
{
	static const uint16_t none[4];

	dns_answer_header(out, qy, rcode, none);
	return DNS_ANSWER_HDR_LEN;
}

static enum dns_answer_kind dns_answer_kind_of(const struct dns_ctx *c)
{
	if (c->rcode == DNS_RCODE_NXDOMAIN)
		return DNS_ANSWER_NXDOMAIN;
	if (c->auth == DNS_AUTH_NS && c->ancount == 0)
		return DNS_ANSWER_REFERRAL;
	return c->ancount ? DNS_ANSWER_OK : DNS_ANSWER_NODATA;
}

/* Question, answer, authority, additional for a query that parsed. */
static size_t dns_answer_query(const struct dns_zone *z, const uint8_t *q,
			       const struct dns_query *qy, struct dns_out *o,
			       struct dns_answer_info *info)
{
	struct dns_ctx c;
	uint16_t counts[4] = {1, 0, 0, 0};
	uint16_t flags = 0;
	int zone = -1;

	memset(&c, 0, sizeof(c));
	c.z = z;
	c.o = o;
	c.info = info;
	c.qtype = qy->qtype;
	info->any = qy->qtype == DNS_TYPE_ANY;
	o->len = qy->qend; /* the question, as received */
	memcpy(o->b, q, qy->qend);
	info->question_end = qy->qend;
	/* QNAME at offset 12, for pointers: owners equal to it keep its case.
	 */
	dns_out_remember(o, qy->lname, qy->lname_len, DNS_ANSWER_HDR_LEN,
			 qy->lname_len);
	if (qy->qclass == DNS_CLASS_IN)
		zone = dns_answer_zone(z, qy->lname, qy->lname_len);
	if (qy->edns && qy->edns_version > 0) {
		info->kind = DNS_ANSWER_BADVERS;
	} else if (zone < 0 || qy->qtype == DNS_TYPE_AXFR ||
		   qy->qtype == DNS_TYPE_IXFR) {
		info->kind = DNS_ANSWER_REFUSED;
		flags = DNS_RCODE_REFUSED;
	} else if (qy->qtype == DNS_TYPE_MAILA || qy->qtype == DNS_TYPE_MAILB) {
		info->kind = DNS_ANSWER_NOTIMP;
		flags = DNS_RCODE_NOTIMP;
	} else {
		c.zone = (uint8_t)zone;
		dns_answer_name(&c, qy->lname, qy->lname_len, 0);
		counts[2] = dns_answer_authority(&c);
		counts[1] = c.ancount;
		if (!c.full)
			counts[3] = dns_answer_extra(&c);
		info->kind = dns_answer_kind_of(&c);
		flags = c.rcode;
		if (info->kind != DNS_ANSWER_REFERRAL)
			flags |= DNS_FLAG_AA;
		if (c.full) {
			/* RFC 2181 §9: what did not fit sets TC. */
			flags |= DNS_FLAG_TC;
			info->truncated = true;
			counts[1] = counts[2] = counts[3] = 0;
			o->len = qy->qend;
		}
	}
	dns_answer_header(o->b, qy, flags, counts);
	return o->len;
}

size_t dns_answer(const struct dns_zone *z, const uint8_t *q, size_t qlen,
		  bool tcp, uint16_t edns_payload, uint8_t *out, size_t cap,
		  struct dns_answer_info *info)
{
	static struct dns_query qy;
	static struct dns_out o;
	uint8_t ext = 0;

	memset(info, 0, sizeof(*info));
	switch (dns_answer_parse(q, qlen, &qy)) {
	case DNS_PARSE_DROP:
		info->kind = DNS_ANSWER_DROP;
		return 0;
	case DNS_PARSE_FORMERR:
		info->kind = DNS_ANSWER_FORMERR;
		return dns_answer_error(&qy, out, DNS_RCODE_FORMERR);
	case DNS_PARSE_NOTIMP:
		info->kind = DNS_ANSWER_NOTIMP;
		return dns_answer_error(&qy, out, DNS_RCODE_NOTIMP);
	case DNS_PARSE_OK:
		break;
	}
	info->edns = qy.edns;
	o.b = out;
	o.ncomp = 0;
	o.cap = dns_answer_limit(&qy, tcp, edns_payload, cap);
	if (qy.edns)
		o.cap -= DNS_OPT_LEN; /* the OPT always fits */
	if (o.cap < qy.qend) {
		/* A question too long for what the client takes. */
		info->kind = DNS_ANSWER_FORMERR;
		return dns_answer_error(&qy, out, DNS_RCODE_FORMERR);
	}
	dns_answer_query(z, q, &qy, &o, info);
	if (qy.edns) {
		o.cap += DNS_OPT_LEN;
		if (info->kind == DNS_ANSWER_BADVERS)
			ext = DNS_EXT_RCODE_BADVERS >> 4;
		dns_answer_put_opt(&o, &qy, edns_payload, ext);
		st_be16(out + 10, (uint16_t)(ld_be16(out + 10) + 1));
	}
	return o.len;
}

size_t dns_answer_truncate(uint8_t *out, size_t len,
			   const struct dns_answer_info *info)
{
	if (len < DNS_ANSWER_HDR_LEN ||
	    info->question_end < DNS_ANSWER_HDR_LEN || info->question_end > len)
		return len;
	st_be16(out + 2, (uint16_t)(ld_be16(out + 2) | DNS_FLAG_TC));
	st_be16(out + 6, 0);
	st_be16(out + 8, 0);
	st_be16(out + 10, 0);
	return info->question_end;
}
