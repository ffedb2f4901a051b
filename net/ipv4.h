/*
 * ipv4.h - IPv4 (RFC 791, RFC 1122 §3.2.1) input, output and fragment
 * reassembly. Internal to net/.
 */
#ifndef NET_IPV4_H
#define NET_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_PROTO_ICMP 1
#define IPV4_PROTO_TCP 6
#define IPV4_PROTO_UDP 17

/* What the transport layers learn about a received datagram. */
struct ipv4_rx {
	uint32_t src;
	uint32_t dst;
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	bool dst_broadcast;	/* limited or directed broadcast */
	bool l2_broadcast;	/* arrived in a broadcast/multicast frame */
	bool reassembled;	/* built from fragments */
	const uint8_t *hdr;	/* the IP header, for ICMP errors to quote */
	size_t hdr_len;
};

void ipv4_init(void);

/* An IPv4 packet (the Ethernet payload, possibly with link padding). */
void ipv4_input(const uint8_t *pkt, size_t len, bool l2_broadcast,
		uint64_t now_ms);

/*
 * Send a datagram to `dst`: the transport header `l4hdr` followed by `data`,
 * fragmented when larger than the MTU. The source is the interface address.
 * NET_OK, NET_ENETUNREACH (no address/route), NET_EMSGSIZE (larger than
 * CONFIG_IPV4_REASM_MAX), or what eth_tx_ipv4() returns.
 */
int ipv4_output(uint32_t dst, uint8_t proto, const uint8_t *l4hdr,
		size_t l4hdr_len, const uint8_t *data, size_t data_len,
		uint64_t now_ms);

/*
 * Send a datagram like ipv4_output(), from 0.0.0.0 to 255.255.255.255, for
 * a host that does not know its address yet (RFC 1122 §3.2.1.3 (a), RFC
 * 2131 §4.1): the DHCP client only. NET_EINVAL once the interface has an
 * address; NET_EMSGSIZE or what eth_tx_ipv4() returns otherwise.
 */
int ipv4_output_unconfigured(uint8_t proto, const uint8_t *l4hdr,
			     size_t l4hdr_len, const uint8_t *data,
			     size_t data_len, uint64_t now_ms);

/* The largest transport payload (header included) ipv4_output() accepts. */
size_t ipv4_max_payload(void);

void ipv4_poll(uint64_t now_ms);
uint64_t ipv4_next_deadline(void);

#endif /* NET_IPV4_H */
