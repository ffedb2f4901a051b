/*
 * dns_answer.h - an authoritative answer for one DNS query: bytes in,
 * bytes out, no state, no I/O.
 *
 * dns_answer() checks a query strictly (RFC 1035 §4.1, RFC 6891 §6.1),
 * looks its question up in the compiled zones (dns_zone.h) following
 * RFC 1034 §4.3.2 and writes the response into the caller's buffer. The
 * transport only decides the size limit: over UDP 512 bytes, or with
 * EDNS(0) the client's payload size capped at ours; over TCP the buffer.
 * What did not fit sets TC (RFC 2181 §9) and leaves the question alone.
 *
 * Deliberate choices (docs/architecture.md, "DNS server application"):
 *   - a query with QR set, or shorter than a header, gets no response;
 *   - QDCOUNT other than 1, ANCOUNT or NSCOUNT not 0, a malformed name
 *     (a compression pointer in the question, a label type other than
 *     00, over 255 bytes), records that run past the message or bytes
 *     after the last one, a second OPT or an OPT not owned by the root:
 *     FORMERR, header only;
 *   - an opcode other than QUERY: NOTIMP, header only;
 *   - a class other than IN, a name outside our zones, AXFR and IXFR:
 *     REFUSED; MAILA and MAILB: NOTIMP;
 *   - ANY (RFC 8482 §4.1): one RRset of the name, the one of the lowest
 *     type;
 *   - CNAMEs are followed within the zone of the question, at most
 *     DNS_ANSWER_CHAIN_MAX of them;
 *   - no NS records in the authority section of positive answers
 *     (minimal responses); addresses of NS, MX and SRV targets that are
 *     in the zone go to the additional section while they fit, and what
 *     does not fit there is left out without TC - except a referral's
 *     in-domain glue, which sets TC when it does not fit (RFC 9471).
 */
#ifndef DNS_ANSWER_H
#define DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_zone.h"

#define DNS_ANSWER_UDP_MIN   512 /* RFC 1035 §4.2.1 */
#define DNS_ANSWER_CHAIN_MAX 8	 /* CNAMEs followed per answer */
#define DNS_ANSWER_HDR_LEN   12

enum dns_answer_kind {
	DNS_ANSWER_DROP = 0, /* no response at all */
	DNS_ANSWER_OK,	     /* data (or a CNAME chain) in the answer */
	DNS_ANSWER_REFERRAL,
	DNS_ANSWER_NXDOMAIN,
	DNS_ANSWER_NODATA,
	DNS_ANSWER_REFUSED,
	DNS_ANSWER_FORMERR,
	DNS_ANSWER_NOTIMP,
	DNS_ANSWER_BADVERS,
};

/* What dns_answer() did, for counters and rate limiting. */
struct dns_answer_info {
	enum dns_answer_kind kind;
	bool edns;	     /* the query had an OPT record */
	bool truncated;	     /* TC set */
	bool wildcard;	     /* synthesized from a wildcard */
	bool cname;	     /* at least one CNAME followed */
	bool any;	     /* QTYPE ANY */
	size_t question_end; /* where the question ends in the response */
};

/*
 * Answer the `qlen`-byte query at `q` from zone tables `z` into `out` of
 * `cap` bytes (at least DNS_ANSWER_UDP_MIN). `tcp`: the size limit is
 * `cap`, not the UDP one. `edns_payload` is the UDP payload size we
 * advertise (>= 512). Returns the response length, or 0 for no response
 * (info->kind DNS_ANSWER_DROP).
 */
size_t dns_answer(const struct dns_zone *z, const uint8_t *q, size_t qlen,
		  bool tcp, uint16_t edns_payload, uint8_t *out, size_t cap,
		  struct dns_answer_info *info);

/*
 * Turn the response of `len` bytes in `out` into its truncated form: the
 * header with TC set and the question only (response rate limiting's
 * "slip", and the answer that does not fit). Returns the new length.
 */
size_t dns_answer_truncate(uint8_t *out, size_t len,
			   const struct dns_answer_info *info);

#endif /* DNS_ANSWER_H */
