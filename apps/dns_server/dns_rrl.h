/*
 * dns_rrl.h - response rate limiting for the DNS server over UDP.
 *
 * A spoofed query makes us send an answer, often larger than the query,
 * to whoever the source address names: the reflection attack. Each
 * client network (the /24 of the source address) has a token bucket that
 * refills at `rate` responses per second and holds a second's worth. A
 * response finding the bucket empty is limited: every `slip`-th limited
 * response of that network is sent anyway, truncated (TC=1, no records),
 * so a real client behind the spoofed address retries over TCP, which
 * cannot be spoofed; the others are dropped. slip 0 drops them all.
 *
 * The table has a fixed number of buckets, chosen by a keyed hash of the
 * network; a network taking a bucket in use by another resets it (a
 * flood from many networks then limits nobody for long, which is the
 * price of fixed memory; the counters show it).
 */
#ifndef DNS_RRL_H
#define DNS_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dns_rrl_verdict {
	DNS_RRL_PASS = 0,
	DNS_RRL_SLIP, /* send it truncated */
	DNS_RRL_DROP,
};

struct dns_rrl_bucket {
	uint32_t net;	  /* source address & 0xffffff00, host order */
	uint32_t tokens;  /* in thousandths of a response */
	uint64_t last_ms; /* last refill */
	uint32_t limited; /* limited responses, for the slip */
	bool used;
};

struct dns_rrl {
	struct dns_rrl_bucket *buckets;
	size_t nbuckets;
	uint32_t rate; /* responses per second per /24; 0: no limit */
	uint32_t slip;
	uint32_t key;
};

/* Set up `r` over `n` buckets; rate 0 turns limiting off. */
void dns_rrl_init(struct dns_rrl *r, struct dns_rrl_bucket *buckets, size_t n,
		  uint32_t rate, uint32_t slip, uint32_t key);

/* Whether a response to `addr` (host order) may go out at `now_ms`. */
enum dns_rrl_verdict dns_rrl_check(struct dns_rrl *r, uint32_t addr,
				   uint64_t now_ms);

#endif /* DNS_RRL_H */
