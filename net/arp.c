/* arp.c - STUB, being written. */
#include "arp.h"
#include <net/net.h>
void arp_init(void) {}
void arp_input(const uint8_t *pkt, size_t len, const uint8_t src_mac[6],
	       uint64_t now_ms)
{ (void)pkt; (void)len; (void)src_mac; (void)now_ms; }
int arp_resolve(uint32_t ip, uint8_t mac[6], uint64_t now_ms)
{ (void)ip; (void)mac; (void)now_ms; return NET_EHOSTUNREACH; }
int arp_queue_frame(uint32_t ip, const uint8_t *frame, size_t len,
		    uint64_t now_ms)
{ (void)ip; (void)frame; (void)len; (void)now_ms; return NET_ENOBUFS; }
void arp_announce(uint64_t now_ms) { (void)now_ms; }
void arp_flush(void) {}
void arp_poll(uint64_t now_ms) { (void)now_ms; }
uint64_t arp_next_deadline(void) { return UINT64_MAX; }
