/*
 * dns_zone.h - the compiled zone tables zonec.py generates at build time.
 *
 * Read-only data, built once from the image's zone files (RFC 1035 §5
 * master files) and never changed at run time:
 *
 *   names   every domain name of the zones once, in wire form (RFC 1035
 *           §3.1), lower case, uncompressed, the root byte included;
 *   nodes   every owner name and every empty non-terminal (RFC 4592
 *           §2.2.2) between an owner and its apex, in canonical order
 *           (RFC 4034 §6.1), so dns_answer.c finds a name by binary
 *           search; each holds its RRsets, ordered by type;
 *   rrsets  type, TTL and a run of records;
 *   rrs     one record's RDATA: `len` fixed bytes at `off` in `rdata`,
 *           with up to two names (indexes into names) inserted at byte
 *           offsets `at[]` of those fixed bytes (name 1 after name 0 when
 *           both are at the same offset, as in SOA), so an answer can
 *           compress them where RFC 3597 §4 allows (`compress`);
 *   apexes  per zone, its apex node and its SOA RRset.
 *
 * Nodes below a zone cut carry DNS_ZONE_NODE_GLUE: they are there for the
 * additional section of a referral only, never answered from.
 */
#ifndef DNS_ZONE_H
#define DNS_ZONE_H

#include <stdint.h>

#define DNS_ZONE_NODE_APEX     0x01u
#define DNS_ZONE_NODE_DELEG    0x02u /* NS below the apex: a zone cut */
#define DNS_ZONE_NODE_GLUE     0x04u /* below a cut: additional data only */
#define DNS_ZONE_NODE_WILDCARD 0x08u /* the first label is "*" */

#define DNS_ZONE_NO_NAME 0xffffu
#define DNS_ZONE_NO_AT	 0xffu

struct dns_zone_name {
	uint32_t off; /* in name_bytes */
	uint8_t len;  /* wire length, root byte included */
	uint8_t labels;
};

struct dns_zone_node {
	uint16_t name;
	uint16_t rrset;	  /* first RRset */
	uint16_t nrrsets; /* 0: an empty non-terminal */
	uint8_t flags;	  /* DNS_ZONE_NODE_* */
	uint8_t zone;	  /* index into apexes */
};

struct dns_zone_rrset {
	uint16_t type;
	uint16_t rr; /* first record */
	uint16_t nrr;
	uint32_t ttl;
};

struct dns_zone_rr {
	uint32_t off;	  /* fixed bytes in rdata */
	uint16_t len;	  /* fixed byte count */
	uint16_t name[2]; /* DNS_ZONE_NO_NAME when absent */
	uint8_t at[2];	  /* insertion offsets; DNS_ZONE_NO_AT when absent */
	uint8_t compress; /* the names may be compressed */
};

struct dns_zone_apex {
	uint16_t node;
	uint16_t soa; /* RRset */
};

struct dns_zone {
	const uint8_t *name_bytes;
	const struct dns_zone_name *names;
	const struct dns_zone_node *nodes;
	const struct dns_zone_rrset *rrsets;
	const struct dns_zone_rr *rrs;
	const uint8_t *rdata;
	const struct dns_zone_apex *apexes;
	uint32_t nnames;
	uint32_t nnodes;
	uint32_t nrrsets;
	uint32_t nrrs;
	uint32_t napexes;
};

#endif /* DNS_ZONE_H */
