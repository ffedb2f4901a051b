/*
 * dns.h - the stub resolver's hooks into the stack. The application calls
 * are declared in <net/dns.h>. Internal to net/.
 *
 * net_init() calls dns_init() after udp_init() (and TCP's); net_poll()
 * calls dns_poll() after every layer below has taken its frames and run
 * its timers, so an answer that arrived in this poll is handled in it;
 * net_next_deadline() includes dns_next_deadline().
 */
#ifndef NET_DNS_INTERNAL_H
#define NET_DNS_INTERNAL_H

#include <stdint.h>

/* Forget every lookup and cached answer; servers from the image. */
void dns_init(void);

/* Read answers, retry or give up on timeouts, run completion callbacks. */
void dns_poll(uint64_t now_ms);

/* The next lookup timeout; 0 when a callback is due; UINT64_MAX if idle. */
uint64_t dns_next_deadline(void);

#endif /* NET_DNS_INTERNAL_H */
