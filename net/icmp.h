/*
 * icmp.h - ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2, RFC 5927).
 * Internal to net/.
 */
#ifndef NET_ICMP_H
#define NET_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"

#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO_REQUEST 8
#define ICMP_ROUTER_ADVERT 9
#define ICMP_ROUTER_SOLICIT 10
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define ICMP_TIMESTAMP 13
#define ICMP_TIMESTAMP_REPLY 14
#define ICMP_INFO_REQUEST 15
#define ICMP_INFO_REPLY 16
#define ICMP_MASK_REQUEST 17
#define ICMP_MASK_REPLY 18

#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTOCOL 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_FRAG_NEEDED 4
#define ICMP_EXC_TTL 0
#define ICMP_EXC_REASSEMBLY 1

void icmp_init(void);

void icmp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
		uint64_t now_ms);

/*
 * Report an error about a received datagram (its header in ip->hdr and the
 * start of its payload in `payload`). Obeys RFC 1122 §3.2.2: never about an
 * ICMP error, a broadcast or multicast, a non-initial fragment or a source
 * that is not a unicast host; rate limited by a token bucket
 * (CONFIG_ICMP_RATE_PER_S, CONFIG_ICMP_BURST).
 */
void icmp_send_error(uint8_t type, uint8_t code, const struct ipv4_rx *ip,
		     const uint8_t *payload, size_t payload_len,
		     uint64_t now_ms);

#endif /* NET_ICMP_H */
