/*
 * stats.h - the stack's counters: every frame received is either delivered
 * or dropped for exactly one named reason, and every drop is counted.
 *
 * A few counters record events rather than drops (ipv4.rx_ttl_zero counts
 * datagrams for us that arrived with TTL 0 and were still accepted, as
 * RFC 1122 §3.2.1.7 requires).
 *
 * Counters are 64-bit, only ever incremented, and read through
 * net_stats_get(); net_stats_name() gives each a stable dotted name
 * ("ipv4.rx_bad_checksum") for logs and metrics exports.
 */
#ifndef NET_STATS_H
#define NET_STATS_H

#include <stdint.h>

/* X(enum suffix, "dotted.name") - keep grouped by layer. */
#define NET_STATS_LIST(X)                                               \
	X(ETH_RX_FRAMES, "eth.rx_frames")                               \
	X(ETH_RX_SHORT, "eth.rx_short")                                 \
	X(ETH_RX_NOT_FOR_US, "eth.rx_not_for_us")                       \
	X(ETH_RX_BAD_SRC, "eth.rx_bad_src")                             \
	X(ETH_RX_UNKNOWN_TYPE, "eth.rx_unknown_type")                   \
	X(ETH_RX_TOO_LONG, "eth.rx_too_long")                           \
	X(ETH_RX_DEV_ERROR, "eth.rx_dev_error")                         \
	X(ETH_TX_FRAMES, "eth.tx_frames")                               \
	X(ETH_TX_RING_FULL, "eth.tx_ring_full")                         \
	X(ETH_TX_DEV_ERROR, "eth.tx_dev_error")                         \
	X(ETH_TX_LINK_DOWN, "eth.tx_link_down")                         \
	X(ARP_RX, "arp.rx")                                             \
	X(ARP_RX_MALFORMED, "arp.rx_malformed")                         \
	X(ARP_RX_BAD_SENDER, "arp.rx_bad_sender")                       \
	X(ARP_RX_UNSOLICITED, "arp.rx_unsolicited")                     \
	X(ARP_RX_LOCKED, "arp.rx_locked")                               \
	X(ARP_RX_ADDR_CONFLICT, "arp.rx_addr_conflict")                 \
	X(ARP_RX_NOT_FOR_US, "arp.rx_not_for_us")                       \
	X(ARP_TX_REQUEST, "arp.tx_request")                             \
	X(ARP_TX_REPLY, "arp.tx_reply")                                 \
	X(ARP_TX_ANNOUNCE, "arp.tx_announce")                           \
	X(ARP_CACHE_FULL, "arp.cache_full")                             \
	X(ARP_QUEUE_FULL, "arp.queue_full")                             \
	X(ARP_QUEUE_UNRESOLVED, "arp.queue_unresolved")                 \
	X(ARP_RESOLVE_FAILED, "arp.resolve_failed")                     \
	X(IPV4_RX, "ipv4.rx")                                           \
	X(IPV4_RX_SHORT, "ipv4.rx_short")                               \
	X(IPV4_RX_BAD_VERSION, "ipv4.rx_bad_version")                   \
	X(IPV4_RX_BAD_IHL, "ipv4.rx_bad_ihl")                           \
	X(IPV4_RX_BAD_LENGTH, "ipv4.rx_bad_length")                     \
	X(IPV4_RX_BAD_CHECKSUM, "ipv4.rx_bad_checksum")                 \
	X(IPV4_RX_BAD_SRC, "ipv4.rx_bad_src")                           \
	X(IPV4_RX_TTL_ZERO, "ipv4.rx_ttl_zero")                         \
	X(IPV4_RX_NOT_FOR_US, "ipv4.rx_not_for_us")                     \
	X(IPV4_RX_BAD_OPTIONS, "ipv4.rx_bad_options")                   \
	X(IPV4_RX_SOURCE_ROUTE, "ipv4.rx_source_route")                 \
	X(IPV4_RX_NO_PROTO, "ipv4.rx_no_proto")                         \
	X(IPV4_RX_NO_ADDR, "ipv4.rx_no_addr")                           \
	X(IPV4_FRAG_RX, "ipv4.frag_rx")                                 \
	X(IPV4_FRAG_BAD, "ipv4.frag_bad")                               \
	X(IPV4_FRAG_TOO_BIG, "ipv4.frag_too_big")                       \
	X(IPV4_FRAG_OVERLAP, "ipv4.frag_overlap")                       \
	X(IPV4_FRAG_DUPLICATE, "ipv4.frag_duplicate")                   \
	X(IPV4_FRAG_TIMEOUT, "ipv4.frag_timeout")                       \
	X(IPV4_FRAG_EVICTED, "ipv4.frag_evicted")                       \
	X(IPV4_FRAG_REASSEMBLED, "ipv4.frag_reassembled")               \
	X(IPV4_TX, "ipv4.tx")                                           \
	X(IPV4_TX_FRAGMENTS, "ipv4.tx_fragments")                       \
	X(IPV4_TX_NO_ROUTE, "ipv4.tx_no_route")                         \
	X(IPV4_TX_NO_ADDR, "ipv4.tx_no_addr")                           \
	X(IPV4_TX_BAD_DST, "ipv4.tx_bad_dst")                           \
	X(IPV4_TX_TOO_BIG, "ipv4.tx_too_big")                           \
	X(ICMP_RX, "icmp.rx")                                           \
	X(ICMP_RX_SHORT, "icmp.rx_short")                               \
	X(ICMP_RX_BAD_CHECKSUM, "icmp.rx_bad_checksum")                 \
	X(ICMP_RX_ECHO, "icmp.rx_echo")                                 \
	X(ICMP_RX_BROADCAST_ECHO, "icmp.rx_broadcast_echo")             \
	X(ICMP_RX_UNKNOWN_TYPE, "icmp.rx_unknown_type")                 \
	X(ICMP_RX_ERROR, "icmp.rx_error")                               \
	X(ICMP_RX_ERROR_IGNORED, "icmp.rx_error_ignored")               \
	X(ICMP_TX_ECHO_REPLY, "icmp.tx_echo_reply")                     \
	X(ICMP_TX_UNREACH, "icmp.tx_unreach")                           \
	X(ICMP_TX_TIME_EXCEEDED, "icmp.tx_time_exceeded")               \
	X(ICMP_TX_RATE_LIMITED, "icmp.tx_rate_limited")                 \
	X(ICMP_TX_ERROR_SUPPRESSED, "icmp.tx_error_suppressed")         \
	X(UDP_RX, "udp.rx")                                             \
	X(UDP_RX_SHORT, "udp.rx_short")                                 \
	X(UDP_RX_BAD_LENGTH, "udp.rx_bad_length")                       \
	X(UDP_RX_BAD_CHECKSUM, "udp.rx_bad_checksum")                   \
	X(UDP_RX_NO_SOCKET, "udp.rx_no_socket")                         \
	X(UDP_RX_QUEUE_FULL, "udp.rx_queue_full")                       \
	X(UDP_RX_DELIVERED, "udp.rx_delivered")                         \
	X(UDP_TX, "udp.tx")                                             \
	X(UDP_TX_FAILED, "udp.tx_failed")

enum net_stat {
#define NET_STATS_ENUM(id, name) NET_STAT_##id,
	NET_STATS_LIST(NET_STATS_ENUM)
#undef NET_STATS_ENUM
	NET_STAT_COUNT
};

/* The value of one counter; 0 for an out-of-range id. */
uint64_t net_stats_get(enum net_stat id);
/* The counter's dotted name, or NULL for an out-of-range id. */
const char *net_stats_name(enum net_stat id);
/* Reset every counter to zero (tests and `reset` commands only). */
void net_stats_reset(void);

#endif /* NET_STATS_H */
