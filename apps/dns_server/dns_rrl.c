/*
 * dns_rrl.c - per-network token buckets for UDP responses (dns_rrl.h).
 */
#include "dns_rrl.h"

#include <string.h>

#define DNS_RRL_NET_MASK 0xffffff00u
#define DNS_RRL_MILLI	 1000u

void dns_rrl_init(struct dns_rrl *r, struct dns_rrl_bucket *buckets, size_t n,
		  uint32_t rate, uint32_t slip, uint32_t key)
{
	r->buckets = buckets;
	r->nbuckets = n;
	r->rate = rate;
	r->slip = slip;
	r->key = key;
	memset(buckets, 0, n * sizeof(*buckets));
}

static struct dns_rrl_bucket *dns_rrl_bucket(struct dns_rrl *r, uint32_t net)
{
	/* A multiplicative hash, keyed so that which networks collide
	 * cannot be worked out from outside. */
	uint32_t h = (net ^ r->key) * 2654435761u;

	h ^= h >> 15;
	return &r->buckets[h % r->nbuckets];
}

enum dns_rrl_verdict dns_rrl_check(struct dns_rrl *r, uint32_t addr,
				   uint64_t now_ms)
{
	uint32_t net = addr & DNS_RRL_NET_MASK;
	uint32_t full;
	struct dns_rrl_bucket *b;
	uint64_t add;

	if (r->rate == 0 || r->nbuckets == 0)
		return DNS_RRL_PASS;
	full = r->rate * DNS_RRL_MILLI; /* one second's worth */
	b = dns_rrl_bucket(r, net);
	if (!b->used || b->net != net) {
		b->used = true;
		b->net = net;
		b->tokens = full;
		b->last_ms = now_ms;
		b->limited = 0;
	}
	/* Each ms adds `rate` thousandths of a response. */
	add = now_ms > b->last_ms ? (now_ms - b->last_ms) * r->rate : 0;
	b->last_ms = now_ms;
	b->tokens = add >= full - b->tokens ? full : b->tokens + (uint32_t)add;
	if (b->tokens >= DNS_RRL_MILLI) {
		b->tokens -= DNS_RRL_MILLI;
		return DNS_RRL_PASS;
	}
	b->limited++;
	if (r->slip && b->limited % r->slip == 0)
		return DNS_RRL_SLIP;
	return DNS_RRL_DROP;
}
