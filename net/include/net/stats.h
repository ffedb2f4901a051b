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
	X(ARP_TX_PROBE, "arp.tx_probe")                                 \
	X(ARP_RX_PROBE_CONFLICT, "arp.rx_probe_conflict")               \
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
	X(UDP_TX_FAILED, "udp.tx_failed")                              \
	X(DHCP_RX, "dhcp.rx")                                          \
	X(DHCP_RX_TOO_LONG, "dhcp.rx_too_long")                        \
	X(DHCP_RX_SHORT, "dhcp.rx_short")                              \
	X(DHCP_RX_BAD_HEADER, "dhcp.rx_bad_header")                    \
	X(DHCP_RX_NOT_DHCP, "dhcp.rx_not_dhcp")                        \
	X(DHCP_RX_BAD_OPTIONS, "dhcp.rx_bad_options")                  \
	X(DHCP_RX_UNEXPECTED, "dhcp.rx_unexpected")                    \
	X(DHCP_RX_BAD_XID, "dhcp.rx_bad_xid")                          \
	X(DHCP_RX_BAD_CHADDR, "dhcp.rx_bad_chaddr")                    \
	X(DHCP_RX_BAD_SERVER, "dhcp.rx_bad_server")                    \
	X(DHCP_RX_BAD_LEASE, "dhcp.rx_bad_lease")                      \
	X(DHCP_RX_OFFER, "dhcp.rx_offer")                              \
	X(DHCP_RX_ACK, "dhcp.rx_ack")                                  \
	X(DHCP_RX_NAK, "dhcp.rx_nak")                                  \
	X(DHCP_TX_DISCOVER, "dhcp.tx_discover")                        \
	X(DHCP_TX_REQUEST, "dhcp.tx_request")                          \
	X(DHCP_TX_DECLINE, "dhcp.tx_decline")                          \
	X(DHCP_TX_FAILED, "dhcp.tx_failed")                            \
	X(DHCP_CONFLICT, "dhcp.conflict")                              \
	X(DHCP_RENEW, "dhcp.renew")                                    \
	X(DHCP_REBIND, "dhcp.rebind")                                  \
	X(DHCP_EXPIRED, "dhcp.expired")                                \
	X(DNS_TX_QUERY, "dns.tx_query")                                \
	X(DNS_TX_FAILED, "dns.tx_failed")                              \
	X(DNS_TIMEOUT, "dns.timeout")                                  \
	X(DNS_RX, "dns.rx")                                            \
	X(DNS_RX_BAD_SOURCE, "dns.rx_bad_source")                      \
	X(DNS_RX_TOO_LONG, "dns.rx_too_long")                          \
	X(DNS_RX_MALFORMED, "dns.rx_malformed")                        \
	X(DNS_RX_BAD_ID, "dns.rx_bad_id")                              \
	X(DNS_RX_NOT_RESPONSE, "dns.rx_not_response")                  \
	X(DNS_RX_BAD_QUESTION, "dns.rx_bad_question")                  \
	X(DNS_RX_LATE, "dns.rx_late")                                  \
	X(DNS_RX_ICMP_ERROR, "dns.rx_icmp_error")                      \
	X(DNS_RX_ACCEPTED, "dns.rx_accepted")                          \
	X(DNS_RX_TRUNCATED, "dns.rx_truncated")                        \
	X(DNS_RX_SERVER_ERROR, "dns.rx_server_error")                  \
	X(DNS_RX_NXDOMAIN, "dns.rx_nxdomain")                          \
	X(DNS_RX_NODATA, "dns.rx_nodata")                              \
	X(DNS_CNAME_REQUERY, "dns.cname_requery")                      \
	X(DNS_CNAME_TOO_LONG, "dns.cname_too_long")                    \
	X(DNS_CACHE_HIT, "dns.cache_hit")                              \
	X(DNS_CACHE_MISS, "dns.cache_miss")                            \
	X(DNS_CACHE_EVICTED, "dns.cache_evicted")                      \
	X(DNS_TCP_QUERY, "dns.tcp_query")                              \
	X(DNS_TCP_FAILED, "dns.tcp_failed")                            \
	X(DNS_LOOKUP_OK, "dns.lookup_ok")                              \
	X(DNS_LOOKUP_FAILED, "dns.lookup_failed")                      \
	X(TCP_RX, "tcp.rx")                                            \
	X(TCP_RX_SHORT, "tcp.rx_short")                                \
	X(TCP_RX_BAD_OFFSET, "tcp.rx_bad_offset")                      \
	X(TCP_RX_BAD_CHECKSUM, "tcp.rx_bad_checksum")                  \
	X(TCP_RX_BAD_OPTIONS, "tcp.rx_bad_options")                    \
	X(TCP_RX_BROADCAST, "tcp.rx_broadcast")                        \
	X(TCP_RX_NO_CONN, "tcp.rx_no_conn")                            \
	X(TCP_RX_LISTEN_DROP, "tcp.rx_listen_drop")                    \
	X(TCP_RX_BACKLOG_FULL, "tcp.rx_backlog_full")                  \
	X(TCP_RX_NO_SLOT, "tcp.rx_no_slot")                            \
	X(TCP_RX_SYN_SENT_DROP, "tcp.rx_syn_sent_drop")                \
	X(TCP_RX_OUT_OF_WINDOW, "tcp.rx_out_of_window")                \
	X(TCP_RX_PAWS, "tcp.rx_paws")                                  \
	X(TCP_RX_RST, "tcp.rx_rst")                                    \
	X(TCP_RX_RST_CHALLENGED, "tcp.rx_rst_challenged")              \
	X(TCP_RX_SYN_CHALLENGED, "tcp.rx_syn_challenged")              \
	X(TCP_RX_NO_ACK_FLAG, "tcp.rx_no_ack_flag")                    \
	X(TCP_RX_BAD_ACK, "tcp.rx_bad_ack")                            \
	X(TCP_RX_OLD_ACK, "tcp.rx_old_ack")                            \
	X(TCP_RX_DUP_ACK, "tcp.rx_dup_ack")                            \
	X(TCP_RX_OOO, "tcp.rx_ooo")                                    \
	X(TCP_RX_OOO_FULL, "tcp.rx_ooo_full")                          \
	X(TCP_RX_DATA_AFTER_CLOSE, "tcp.rx_data_after_close")          \
	X(TCP_RX_DATA_PAST_FIN, "tcp.rx_data_past_fin")                \
	X(TCP_RX_COOKIE_OK, "tcp.rx_cookie_ok")                        \
	X(TCP_TX, "tcp.tx")                                            \
	X(TCP_TX_RETRANS, "tcp.tx_retrans")                            \
	X(TCP_TX_FAST_RETRANS, "tcp.tx_fast_retrans")                  \
	X(TCP_TX_RST, "tcp.tx_rst")                                    \
	X(TCP_TX_CHALLENGE_ACK, "tcp.tx_challenge_ack")                \
	X(TCP_TX_CHALLENGE_LIMITED, "tcp.tx_challenge_limited")        \
	X(TCP_TX_PROBE, "tcp.tx_probe")                                \
	X(TCP_TX_TLP, "tcp.tx_tlp")                                    \
	X(TCP_TX_KEEPALIVE, "tcp.tx_keepalive")                        \
	X(TCP_TX_SYN_COOKIE, "tcp.tx_syn_cookie")                      \
	X(TCP_TX_FAILED, "tcp.tx_failed")                              \
	X(TCP_RTO, "tcp.rto")                                          \
	X(TCP_RECOVERY_UNDONE, "tcp.recovery_undone")                  \
	X(TCP_CONN_ACTIVE, "tcp.conn_active")                          \
	X(TCP_CONN_PASSIVE, "tcp.conn_passive")                        \
	X(TCP_CONN_RESET, "tcp.conn_reset")                            \
	X(TCP_CONN_TIMEOUT, "tcp.conn_timeout")                        \
	X(TCP_CONN_FREED, "tcp.conn_freed")                            \
	X(TCP_TIME_WAIT_REUSED, "tcp.time_wait_reused")

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
