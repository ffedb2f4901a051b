/*
 * dns_wire.c - DNS message parse and emit (RFC 1035 §3.1, §4.1), names in
 * wire form and text. No state, no I/O. Interface and rules in dns_wire.h.
 *
 * RFC 1035 §4.1.4 lets a name end in a pointer to an earlier name, but
 * says nothing of pointers that point forward, at themselves, into the
 * header or in circles; each is a classic way to make a parser loop or
 * read out of bounds. dns_wire_read_name() accepts a pointer only when it
 * lands at or after the header and strictly before the run of labels it
 * ends: every jump then goes lower than anything read so far for this
 * name, which alone rules out loops; the hop limit and the 255-byte limit
 * (RFC 1035 §3.1) bound the work further.
 *
 * The parse is strict: a record that runs past the message, RDATA that
 * does not fill its RDLENGTH exactly (for the types we interpret), bytes
 * left after the last record, a label type other than 00 or 11 - all are
 * NET_EBADMSG. Case is kept as received; comparisons fold ASCII only
 * (RFC 4343 §3).
 */
#include "dns_wire.h"

#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

int dns_wire_parse_hdr(const uint8_t *buf, size_t len, struct dns_hdr *h)
{
	if (len < DNS_HDR_LEN)
		return NET_EBADMSG;
	h->id = ld_be16(buf + DNS_OFF_ID);
	h->flags = ld_be16(buf + DNS_OFF_FLAGS);
	h->qdcount = ld_be16(buf + DNS_OFF_QDCOUNT);
	h->ancount = ld_be16(buf + DNS_OFF_ANCOUNT);
	h->nscount = ld_be16(buf + DNS_OFF_NSCOUNT);
	h->arcount = ld_be16(buf + DNS_OFF_ARCOUNT);
	return NET_OK;
}

/* ---- names ------------------------------------------------------------ */

/* Append the label of `n` bytes at `label` to *out, leaving room for the
 * root byte; false when the name would exceed DNS_NAME_MAX. */
static bool dns_wire_name_append(struct dns_name *out, const uint8_t *label,
				 uint8_t n)
{
	if ((size_t)out->len + 1 + n + 1 > DNS_NAME_MAX)
		return false;
	out->b[out->len] = n;
	memcpy(out->b + out->len + 1, label, n);
	out->len = (uint8_t)(out->len + 1 + n);
	return true;
}

/*
 * Follow the pointer at buf[pos], buf[pos + 1]: its target into *pos when
 * it is allowed (see the top of the file), false otherwise.
 */
static bool dns_wire_follow(const uint8_t *buf, size_t len, size_t *pos,
			    size_t run_start)
{
	size_t target;

	if (*pos + 1 >= len)
		return false;
	target = (size_t)(buf[*pos] & 0x3f) << 8 | buf[*pos + 1];
	if (target < DNS_HDR_LEN || target >= run_start)
		return false;
	*pos = target;
	return true;
}

int dns_wire_read_name(const uint8_t *buf, size_t len, size_t *off,
		       struct dns_name *out)
{
	size_t pos = *off, run_start = *off, end = 0;
	unsigned hops = 0;
	uint8_t c;

	out->len = 0;
	for (;;) {
		if (pos >= len)
			return NET_EBADMSG;
		c = buf[pos];
		if (c == 0)
			break;
		if ((c & DNS_LABEL_PTR) == DNS_LABEL_PTR) {
			if (hops == 0)
				end = pos + 2;
			if (++hops > DNS_PTR_HOPS_MAX ||
			    !dns_wire_follow(buf, len, &pos, run_start))
				return NET_EBADMSG;
			run_start = pos;
			continue;
		}
		/* 0x40 and 0x80: RFC 6891 §5 extended labels, never used. */
		if ((c & DNS_LABEL_PTR) != 0 || len - pos - 1 < c ||
		    !dns_wire_name_append(out, buf + pos + 1, c))
			return NET_EBADMSG;
		pos += 1 + (size_t)c;
	}
	out->b[out->len++] = 0;
	*off = hops ? end : pos + 1;
	return NET_OK;
}

bool dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		uint8_t x = a->b[i], y = b->b[i];

		/* Length bytes are <= 63, below 'A': folding them is a no-op.
		 */
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + ('a' - 'A'));
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + ('a' - 'A'));
		if (x != y)
			return false;
	}
	return true;
}

static bool dns_name_is_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Close the label that started at out->b[start]: false when invalid. */
static bool dns_name_close_label(struct dns_name *out, size_t start)
{
	size_t n = (size_t)out->len - start - 1;

	if (n == 0 || n > DNS_LABEL_MAX)
		return false;
	out->b[start] = (uint8_t)n;
	return true;
}

int dns_name_from_text(const char *text, struct dns_name *out)
{
	size_t start = 0;

	if (!text || text[0] == '\0')
		return NET_EINVAL;
	out->len = 1; /* b[0]: the first label's length, set when it ends */
	for (const char *p = text;; p++) {
		if (*p == '.' || *p == '\0') {
			if (!dns_name_close_label(out, start))
				return NET_EINVAL;
			/* The end, or a final dot (the root's empty label). */
			if (*p == '\0' || p[1] == '\0')
				break;
			start = out->len;
		} else if (!dns_name_is_plain((uint8_t)*p)) {
			return NET_EINVAL;
		}
		/* A character, or the next label's length byte (set when that
		 * label ends); either way leave room for the root byte. */
		if (out->len >= DNS_NAME_MAX - 1)
			return NET_EINVAL;
		out->b[out->len++] = (uint8_t)*p;
	}
	out->b[out->len++] = 0;
	return NET_OK;
}

/* Append `k` bytes to buf at *n, keeping room for the NUL. */
static bool dns_name_put(char *buf, size_t cap, size_t *n, const char *s,
			 size_t k)
{
	if (cap - *n <= k)
		return false;
	memcpy(buf + *n, s, k);
	*n += k;
	return true;
}

/* Append the text of one byte of a label; false when buf is full. */
static bool dns_name_put_char(char *buf, size_t cap, size_t *n, uint8_t c)
{
	char tmp[4];
	size_t k = 0;

	if (dns_name_is_plain(c)) {
		tmp[k++] = (char)c;
	} else if (c == '.' || c == '\\') {
		tmp[k++] = '\\';
		tmp[k++] = (char)c;
	} else {
		tmp[k++] = '\\';
		tmp[k++] = (char)('0' + c / 100);
		tmp[k++] = (char)('0' + c / 10 % 10);
		tmp[k++] = (char)('0' + c % 10);
	}
	return dns_name_put(buf, cap, n, tmp, k);
}

int dns_name_to_text(const struct dns_name *n, char *buf, size_t cap)
{
	size_t pos = 0, out = 0;

	if (cap == 0)
		return NET_EMSGSIZE;
	if (n->len <= 1 && !dns_name_put(buf, cap, &out, ".", 1))
		goto out_full;
	while (pos < n->len && n->b[pos] != 0) {
		uint8_t llen = n->b[pos++];

		if (pos + llen >= n->len)
			break; /* not a well-formed name: stop at its end */
		if (out > 0 && !dns_name_put(buf, cap, &out, ".", 1))
			goto out_full;
		for (uint8_t i = 0; i < llen; i++)
			if (!dns_name_put_char(buf, cap, &out, n->b[pos + i]))
				goto out_full;
		pos += llen;
	}
	buf[out] = '\0';
	return (int)out;
out_full:
	buf[0] = '\0';
	return NET_EMSGSIZE;
}

/* ---- questions and records -------------------------------------------- */

static int dns_wire_parse_question(const uint8_t *buf, size_t len, size_t *off,
				   struct dns_question *q)
{
	if (dns_wire_read_name(buf, len, off, &q->name) != NET_OK ||
	    len - *off < DNS_QFIXED_LEN)
		return NET_EBADMSG;
	q->type = ld_be16(buf + *off);
	q->qclass = ld_be16(buf + *off + 2);
	*off += DNS_QFIXED_LEN;
	return NET_OK;
}

static int dns_wire_parse_rr(const uint8_t *buf, size_t len, size_t *off,
			     struct dns_rr *rr)
{
	const uint8_t *p;

	if (dns_wire_read_name(buf, len, off, &rr->name) != NET_OK ||
	    len - *off < DNS_RRFIXED_LEN)
		return NET_EBADMSG;
	p = buf + *off;
	rr->type = ld_be16(p);
	rr->rclass = ld_be16(p + 2);
	rr->ttl = ld_be32(p + 4);
	rr->rdlen = ld_be16(p + 8);
	*off += DNS_RRFIXED_LEN;
	if (len - *off < rr->rdlen)
		return NET_EBADMSG;
	rr->rdata_off = *off;
	*off += rr->rdlen;
	return NET_OK;
}

/* Whether the RDATA of a type we read later has the form it must have. */
static bool dns_wire_rdata_is_valid(const struct dns_msg *m,
				    const struct dns_rr *rr)
{
	struct dns_name name;
	struct dns_soa soa;

	switch (rr->type) {
	case DNS_TYPE_A:
		/* Only class IN fixes the format (RFC 1035 §3.4.1). */
		return rr->rclass != DNS_CLASS_IN || rr->rdlen == 4;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
		return dns_wire_rdata_name(m, rr, &name) == NET_OK;
	case DNS_TYPE_SOA:
		return dns_wire_rdata_soa(m, rr, &soa) == NET_OK;
	default:
		return true;
	}
}

static uint16_t dns_wire_count(const struct dns_hdr *h, enum dns_section s)
{
	switch (s) {
	case DNS_SECTION_QUESTION:
		return h->qdcount;
	case DNS_SECTION_ANSWER:
		return h->ancount;
	case DNS_SECTION_AUTHORITY:
		return h->nscount;
	default:
		return h->arcount;
	}
}

/* The header and questions into *m; *off past the questions. */
static int dns_wire_parse_questions(const uint8_t *buf, size_t len,
				    struct dns_msg *m, size_t *off)
{
	struct dns_question q;

	if (dns_wire_parse_hdr(buf, len, &m->hdr) != NET_OK)
		return NET_EBADMSG;
	m->buf = buf;
	m->len = len;
	*off = DNS_HDR_LEN;
	m->sect_off[DNS_SECTION_QUESTION] = *off;
	for (unsigned i = 0; i < m->hdr.qdcount; i++)
		if (dns_wire_parse_question(buf, len, off, &q) != NET_OK)
			return NET_EBADMSG;
	for (int s = DNS_SECTION_ANSWER; s < DNS_SECTION_COUNT; s++)
		m->sect_off[s] = *off;
	return NET_OK;
}

int dns_wire_parse_head(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	size_t off;

	return dns_wire_parse_questions(buf, len, m, &off);
}

int dns_wire_parse_msg(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	struct dns_rr rr;
	size_t off;

	if (dns_wire_parse_questions(buf, len, m, &off) != NET_OK)
		return NET_EBADMSG;
	/* Each record takes at least 11 bytes, so these loops end quickly
	 * on a count that the message cannot hold. */
	for (int s = DNS_SECTION_ANSWER; s < DNS_SECTION_COUNT; s++) {
		m->sect_off[s] = off;
		for (unsigned i = 0; i < dns_wire_count(&m->hdr, s); i++) {
			if (dns_wire_parse_rr(buf, len, &off, &rr) != NET_OK ||
			    !dns_wire_rdata_is_valid(m, &rr))
				return NET_EBADMSG;
		}
	}
	return off == len ? NET_OK : NET_EBADMSG;
}

int dns_wire_question(const struct dns_msg *m, struct dns_question *q)
{
	size_t off = m->sect_off[DNS_SECTION_QUESTION];

	if (m->hdr.qdcount == 0)
		return NET_ENOENT;
	return dns_wire_parse_question(m->buf, m->len, &off, q);
}

void dns_wire_rr_first(const struct dns_msg *m, enum dns_section s,
		       struct dns_rr_iter *it)
{
	it->msg = m;
	it->off = m->sect_off[s];
	it->left = s == DNS_SECTION_QUESTION ? 0 : dns_wire_count(&m->hdr, s);
}

bool dns_wire_rr_next(struct dns_rr_iter *it, struct dns_rr *rr)
{
	if (it->left == 0)
		return false;
	if (dns_wire_parse_rr(it->msg->buf, it->msg->len, &it->off, rr) !=
	    NET_OK) {
		/* Only after dns_wire_parse_head(): the rest was cut. */
		it->left = 0;
		return false;
	}
	it->left--;
	return true;
}

/* ---- RDATA ------------------------------------------------------------ */

int dns_wire_rdata_a(const struct dns_msg *m, const struct dns_rr *rr,
		     uint32_t *addr)
{
	if (rr->rdlen != 4 || rr->rdata_off + 4 > m->len)
		return NET_EBADMSG;
	*addr = ld_be32(m->buf + rr->rdata_off);
	return NET_OK;
}

int dns_wire_rdata_name(const struct dns_msg *m, const struct dns_rr *rr,
			struct dns_name *out)
{
	size_t off = rr->rdata_off;

	if (dns_wire_read_name(m->buf, m->len, &off, out) != NET_OK ||
	    off != rr->rdata_off + rr->rdlen)
		return NET_EBADMSG;
	return NET_OK;
}

int dns_wire_rdata_soa(const struct dns_msg *m, const struct dns_rr *rr,
		       struct dns_soa *soa)
{
	struct dns_name skip;
	size_t off = rr->rdata_off;
	const uint8_t *p;

	if (dns_wire_read_name(m->buf, m->len, &off, &skip) != NET_OK ||
	    dns_wire_read_name(m->buf, m->len, &off, &skip) != NET_OK ||
	    off + DNS_SOA_FIXED_LEN != rr->rdata_off + rr->rdlen)
		return NET_EBADMSG;
	p = m->buf + off;
	soa->serial = ld_be32(p);
	soa->refresh = ld_be32(p + 4);
	soa->retry = ld_be32(p + 8);
	soa->expire = ld_be32(p + 12);
	soa->minimum = ld_be32(p + 16);
	return NET_OK;
}

uint32_t dns_wire_ttl(uint32_t ttl)
{
	return ttl & 0x80000000u ? 0 : ttl;
}

/* ---- emit ------------------------------------------------------------- */

size_t dns_wire_emit_query(uint8_t *buf, size_t cap, uint16_t id,
			   uint16_t flags, const struct dns_name *qname,
			   uint16_t qtype, uint16_t qclass)
{
	size_t len = DNS_HDR_LEN + (size_t)qname->len + DNS_QFIXED_LEN;

	if (len > cap)
		return 0;
	memset(buf, 0, DNS_HDR_LEN);
	st_be16(buf + DNS_OFF_ID, id);
	st_be16(buf + DNS_OFF_FLAGS, flags);
	st_be16(buf + DNS_OFF_QDCOUNT, 1);
	memcpy(buf + DNS_HDR_LEN, qname->b, qname->len);
	st_be16(buf + DNS_HDR_LEN + qname->len, qtype);
	st_be16(buf + DNS_HDR_LEN + qname->len + 2, qclass);
	return len;
}
