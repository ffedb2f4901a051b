/*
 * dns.h - a blocking DNS lookup for applications, on top of the stack's
 * non-blocking resolver (<net/dns.h>).
 *
 * The stack cannot wait: only the owner of the event loop can, so the
 * blocking form lives here. kernel_dns_resolve_blocking() starts a lookup
 * and turns a private loop - platform_now_ms(), net_poll(),
 * platform_idle() until the next deadline - until the answer comes, the
 * time runs out or the kernel is asked to stop.
 *
 * While it waits the application is not polled: frames for its other
 * sockets are received and queued (up to their rings) but not answered,
 * and net_dns callbacks of its other lookups run. Use it at start-up
 * (app_init) or for rare lookups; never from a net_dns callback (that runs
 * inside net_poll()).
 */
#ifndef KERNEL_DNS_H
#define KERNEL_DNS_H

#include <stdint.h>

/*
 * Look up the A records of `name` and wait at most `timeout_ms`: NET_OK
 * with the first address in *addr, or what net_dns_resolve() or its
 * result says (NET_ENOENT, NET_ENODATA, NET_ETIMEDOUT, NET_ESERVFAIL, ...;
 * see <net/dns.h>). NET_ETIMEDOUT too when timeout_ms passes first, and
 * NET_EAGAIN when the kernel was asked to stop meanwhile.
 */
int kernel_dns_resolve_blocking(const char *name, uint32_t *addr,
				uint32_t timeout_ms);

#endif /* KERNEL_DNS_H */
