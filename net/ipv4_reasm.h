/*
 * ipv4_reasm.h - IPv4 fragment reassembly (RFC 791 §3.2, RFC 815).
 * Internal to net/.
 *
 * CONFIG_IPV4_REASM_SLOTS datagrams are reassembled at once, each in a
 * static buffer of CONFIG_IPV4_REASM_MAX payload bytes. A completed datagram
 * is lent to the caller in a struct ipv4_reasm_view and stays valid, its
 * slot reserved, until ipv4_reasm_release(); the caller hands it up and
 * releases it before the next fragment is fed in.
 */
#ifndef NET_IPV4_REASM_H
#define NET_IPV4_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipv4_wire.h"

/* A reassembled (or expired) datagram lent by its slot. */
struct ipv4_reasm_view {
	int slot;
	uint32_t src;
	uint32_t dst;
	uint8_t proto;
	bool l2_broadcast;   /* any fragment came as link broadcast */
	const uint8_t *hdr;  /* the offset-0 fragment's IP header */
	size_t hdr_len;	     /* 0: the offset-0 fragment never came */
	const uint8_t *data; /* payload from offset 0 */
	size_t len;	     /* complete: the payload length; expired: the
			      * bytes of the offset-0 fragment */
};

void ipv4_reasm_init(void);

/*
 * Feed one fragment: its parsed header `h`, its raw header bytes `raw`
 * (h->hdr_len of them) and its payload (h->total_len - h->hdr_len bytes).
 * NET_OK when the datagram is now complete (*out filled; release it);
 * NET_EAGAIN when the fragment is kept and more are awaited; NET_EBADMSG
 * when it was dropped (counted: IPV4_FRAG_BAD, _TOO_BIG, _OVERLAP,
 * _DUPLICATE).
 */
int ipv4_reasm_input(const struct ipv4_hdr *h, const uint8_t *raw,
		     const uint8_t *payload, bool l2_broadcast, uint64_t now_ms,
		     struct ipv4_reasm_view *out);

/*
 * Find one datagram whose time ran out at `now_ms`: true with *out filled
 * (counted IPV4_FRAG_TIMEOUT; release it once done), false when none has.
 */
bool ipv4_reasm_expire(uint64_t now_ms, struct ipv4_reasm_view *out);

/* Free the slot of a view returned by ipv4_reasm_input/expire. */
void ipv4_reasm_release(int slot);

/* When the oldest datagram times out, or UINT64_MAX with none pending. */
uint64_t ipv4_reasm_next_deadline(void);

#endif /* NET_IPV4_REASM_H */
