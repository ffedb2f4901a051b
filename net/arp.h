/*
 * arp.h - ARP for IPv4 over Ethernet (RFC 826, RFC 5227 announcements).
 * Internal to net/.
 *
 * A fixed cache of CONFIG_ARP_ENTRIES entries and a fixed queue of
 * CONFIG_ARP_QUEUE frames waiting for resolution. Entries are created only
 * from replies to requests we sent or from requests aimed at our address,
 * so unsolicited traffic cannot poison the cache.
 */
#ifndef NET_ARP_H
#define NET_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_config.h"

/*
 * How long an address that failed to resolve stays unresolvable (the
 * negative cache): a few request intervals.
 */
#define ARP_FAILED_HOLD_MS (5 * (uint64_t)CONFIG_ARP_REQUEST_INTERVAL_MS)

void arp_init(void);

/* An ARP packet (the Ethernet payload); src_mac is the frame's source. */
void arp_input(const uint8_t *pkt, size_t len, const uint8_t src_mac[6],
	       uint64_t now_ms);

/*
 * Look up `ip`: NET_OK with `mac` filled when known; NET_EAGAIN when a
 * resolution is under way (started as a side effect; rate limited);
 * NET_EHOSTUNREACH when the address failed to resolve recently;
 * NET_ENOBUFS when no cache entry is free; NET_EINVAL when `ip` is not a
 * unicast neighbour on our subnet (or is our own address); NET_ENETUNREACH
 * with no address configured.
 *
 * arp_resolve() itself never transmits, since its caller may hold the
 * driver's transmit buffer: a new resolution's first request leaves from
 * arp_queue_frame() or from the next arp_poll() (arp_next_deadline() then
 * says "now").
 */
int arp_resolve(uint32_t ip, uint8_t mac[6], uint64_t now_ms);

/*
 * Keep a copy of a complete frame (destination MAC still to be filled) until
 * `ip` resolves; it is sent then, or dropped and counted if resolution fails.
 * Sends the resolution's request when one is due. NET_OK; NET_ENOBUFS when
 * the queue is full; NET_EINVAL for a frame shorter than its Ethernet
 * header or longer than CONFIG_NET_MTU + 14; or what arp_resolve() returns.
 */
int arp_queue_frame(uint32_t ip, const uint8_t *frame, size_t len,
		    uint64_t now_ms);

/* Announce our address with a gratuitous ARP request (RFC 5227 §2.3). */
void arp_announce(uint64_t now_ms);

/* Forget everything (the address changed). */
void arp_flush(void);

/*
 * RFC 5227 §2.1.1 probing, for the DHCP client (arp.c says what counts as
 * a conflict). arp_probe_watch(ip) starts watching for conflicts over `ip`
 * and clears the flag; arp_probe_watch(0) stops. arp_probe_send() sends
 * one probe for `ip` (NET_OK or what the device says; counted
 * ARP_TX_PROBE when sent).
 */
void arp_probe_watch(uint32_t ip);
int arp_probe_send(uint32_t ip);
bool arp_probe_has_conflict(void);

void arp_poll(uint64_t now_ms);
uint64_t arp_next_deadline(void);

#endif /* NET_ARP_H */
