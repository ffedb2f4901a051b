/*
 * dns.h - keel's stub resolver (RFC 1035, RFC 5452): the application-facing
 * contract.
 *
 * Non-blocking: net_dns_resolve() starts an A lookup and returns at once;
 * the answer comes to a callback, which net_poll() calls (never
 * net_dns_resolve() itself, not even for a cached answer). CONFIG_DNS_QUERIES
 * lookups may be in progress at once. A blocking form for applications that
 * prefer one lives in the kernel, which owns the event loop:
 * kernel_dns_resolve_blocking() in <kernel/dns.h>.
 *
 * What a lookup does: one query per attempt to a recursive name server,
 * each from a fresh UDP socket on a random ephemeral port with a random ID;
 * an answer counts only when it comes from that server's port 53 and
 * carries that ID and the same question (RFC 5452 §9.1) - anything else
 * is counted (dns.rx_*) and ignored, and the lookup keeps waiting. CNAME
 * chains are followed within the answer, and by a new query when the chain
 * leaves it. Up to CONFIG_DNS_ATTEMPTS queries rotate over the servers,
 * the timeout doubling every round. Answers are cached for their TTL
 * (at most CONFIG_DNS_MAX_TTL s); NXDOMAIN and NODATA for the SOA's
 * negative TTL (RFC 2308, at most CONFIG_DNS_NEG_TTL_MAX s). A truncated
 * answer is asked again over TCP.
 *
 * The results (net_dns_result.status):
 *   NET_OK           naddrs >= 1 addresses, ttl seconds of validity
 *   NET_ENOENT       NXDOMAIN: the name does not exist (RFC 1035 §4.1.1)
 *   NET_ENODATA      the name exists but has no A record (RFC 2308 §2.2)
 *   NET_ETIMEDOUT    no server answered
 *   NET_ESERVFAIL    servers answered SERVFAIL, REFUSED, ... or a referral
 *   NET_ECONNREFUSED the last server said port unreachable
 *   NET_EMSGSIZE     the answer was truncated and TCP could not fetch it
 *   NET_EBADMSG      a CNAME chain longer than DNS_CNAME_MAX, or a loop
 *   NET_ENETUNREACH  the servers were removed while the lookup waited
 */
#ifndef NET_DNS_H
#define NET_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <net/net.h>

/* The longest name in text, without a final dot (RFC 1035 §3.1). */
#define NET_DNS_NAME_MAX 253
/* Addresses kept per answer; more in an answer are ignored. */
#define NET_DNS_ADDRS_MAX 4
/* Servers kept; net_dns_set_servers() ignores those beyond. */
#define NET_DNS_SERVERS_MAX 4

struct net_dns_result {
	int status;	  /* see above */
	const char *name; /* the name asked, without a final dot
			   * (valid during the callback only) */
	unsigned naddrs;  /* NET_OK: 1..NET_DNS_ADDRS_MAX */
	uint32_t addrs[NET_DNS_ADDRS_MAX]; /* host order, as received */
	uint32_t ttl; /* seconds the result may be kept; also for
		       * ENOENT/ENODATA (0: do not keep) */
};

/*
 * Called once per lookup from net_poll(). It may start lookups, cancel
 * others and use sockets, but must not call net_poll().
 */
typedef void (*net_dns_callback)(void *ctx, const struct net_dns_result *r);

/*
 * Look up the A records of `name` ("www.example.com", a final dot
 * allowed; labels of letters, digits, '-' and '_'). Returns a handle >= 0
 * that stays valid until the callback runs or net_dns_cancel(); or
 * NET_EINVAL (a bad name, no callback), NET_ENOBUFS (CONFIG_DNS_QUERIES
 * lookups already under way) or NET_ENETUNREACH (no server configured).
 */
int net_dns_resolve(const char *name, net_dns_callback cb, void *ctx,
		    uint64_t now_ms);

/* Stop a lookup; its callback will not run. NET_OK or NET_EINVAL. */
int net_dns_cancel(int handle, uint64_t now_ms);

/*
 * Use these servers (host order), tried in this order, from the next query
 * on; n == 0 removes them all. Beyond NET_DNS_SERVERS_MAX are ignored.
 * NET_EINVAL (nothing changed) when any is not a unicast address (0/8,
 * 127/8, multicast, 240/4, 255.255.255.255). The image's [dns] servers
 * are the ones in use after net_init(); the kernel's dns= and the DHCP
 * client call this.
 */
int net_dns_set_servers(const uint32_t *addrs, size_t n);

/* Copy up to `cap` servers in use into addrs; returns how many there are. */
size_t net_dns_get_servers(uint32_t *addrs, size_t cap);

/* Forget every cached answer. */
void net_dns_flush_cache(void);

#endif /* NET_DNS_H */
