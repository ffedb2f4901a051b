/*
 * net.h - keel's network stack: the whole application-facing contract.
 *
 * The stack is single-threaded and never allocates: every table and buffer
 * is a static array sized by the image definition (CONFIG_* in the generated
 * keel_config.h). The owner of the event loop calls, in order:
 *
 *   net_init(dev, secret)        once, with a driver and a boot secret
 *   net_set_ipv4(&cfg)           whenever the address is known or changes
 *   loop: net_poll(now_ms)       receive, run timers, transmit queued frames
 *         ...application...      socket calls
 *         sleep until net_next_deadline() or a device interrupt
 *
 * Time is a monotonic millisecond count supplied by the caller; the stack
 * never reads a clock itself, so its behaviour is a function of the frames
 * it receives and the times it is given.
 *
 * IPv4 addresses cross this interface as host-order uint32_t
 * (10.0.0.1 == 0x0a000001); ports as host-order uint16_t.
 *
 * Every call returns NET_OK (0), a non-negative count, or a negative
 * NET_E* code; none returns -1 or a host errno.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/netdev.h>
#include <net/stats.h>

enum net_err {
	NET_OK = 0,
	NET_EAGAIN = -1,	/* would block: try again after net_poll */
	NET_EINVAL = -2,	/* bad argument */
	NET_ENOBUFS = -3,	/* a fixed table or ring is full */
	NET_EBADMSG = -4,	/* malformed input */
	NET_EADDRINUSE = -5,	/* port already bound */
	NET_EBADF = -6,		/* not an open socket */
	NET_EMSGSIZE = -7,	/* message larger than the stack can carry */
	NET_EHOSTUNREACH = -8,	/* next hop did not answer ARP */
	NET_ENETUNREACH = -9,	/* no address configured or no route */
	NET_ECONNREFUSED = -10,	/* peer answered with port unreachable */
	NET_ETIMEDOUT = -11,	/* operation timed out */
	NET_EIO = -12,		/* the device failed */
	NET_ENOTSUP = -13,	/* not supported by this build */
	NET_EADDRNOTAVAIL = -14,/* no ephemeral port left, or bad address */
	NET_ENOTCONN = -15,	/* socket not connected */
	NET_ENOENT = -16,	/* no such entry */
	NET_ECONNRESET = -17,	/* the peer reset the connection */
	NET_ENODATA = -18,	/* the name exists but has no such record */
	NET_ESERVFAIL = -19,	/* the server failed or refused to answer */
	NET_ERR_MIN = -19
};

/* A short description of a NET_* code ("no buffer space"). */
const char *net_strerror(int err);

#define NET_SECRET_LEN 16
#define NET_IPV4_ANY 0u
#define NET_IPV4_BROADCAST 0xffffffffu

struct net_ipv4_config {
	uint32_t addr;		/* 0: no address (stack answers nothing) */
	uint32_t netmask;	/* e.g. 0xffffff00 for /24 */
	uint32_t gateway;	/* 0: no default route */
};

/*
 * Bring the stack up on `dev` with `secret`, a value from the platform's
 * entropy source that keys every unpredictable number the stack makes
 * (ports, IP IDs, DNS IDs, ISNs). Resets all state and counters.
 */
int net_init(struct netdev *dev, const uint8_t secret[NET_SECRET_LEN]);

/*
 * Set (or clear, with addr 0) the interface's IPv4 configuration. Setting an
 * address announces it with a gratuitous ARP. NET_EINVAL for a netmask that
 * is not contiguous, or an address/gateway that cannot be a unicast host on
 * that subnet.
 */
int net_set_ipv4(const struct net_ipv4_config *cfg, uint64_t now_ms);
void net_get_ipv4(struct net_ipv4_config *cfg);

/*
 * Receive and process every frame the driver has waiting (up to
 * CONFIG_NET_RX_BUDGET), then run the timers that are due at `now_ms`.
 */
void net_poll(uint64_t now_ms);

/*
 * The earliest time at which net_poll() has timer work to do, or UINT64_MAX
 * when nothing is pending. Frames arriving earlier need a poll too.
 */
uint64_t net_next_deadline(void);

/* ---- UDP (RFC 768) ---------------------------------------------------- */

/*
 * Open a UDP socket: returns a handle >= 0, or NET_ENOBUFS when all
 * CONFIG_UDP_SOCKETS are in use. Sockets are non-blocking.
 */
int net_udp_open(void);

/*
 * Bind to a local port (0: an ephemeral port chosen at random, RFC 6056
 * §3.3.1). `addr` is 0 (any) or the interface address.
 */
int net_udp_bind(int sock, uint32_t addr, uint16_t port);

/* The bound local port, or NET_EINVAL when unbound. */
int net_udp_local_port(int sock);

/*
 * Send one datagram of `len` bytes (fragmented when larger than the MTU,
 * up to CONFIG_IPV4_REASM_MAX - 8 bytes, and never more than 65507). An
 * unbound socket is bound to an ephemeral port first. Returns `len`;
 * NET_EAGAIN when a fixed queue is full for now (the device's transmit ring,
 * the ARP cache or ARP's queue of frames awaiting resolution) — retry after
 * net_poll(); NET_EMSGSIZE, NET_EINVAL, NET_ENETUNREACH or
 * NET_EADDRNOTAVAIL otherwise.
 */
int net_udp_sendto(int sock, const void *buf, size_t len, uint32_t dst,
		   uint16_t dst_port, uint64_t now_ms);

/*
 * Take the oldest queued datagram: copies at most `cap` bytes into buf and
 * returns the datagram's full length (a longer datagram is truncated and
 * the rest discarded, as with recvfrom). NET_EAGAIN when none is queued;
 * NET_ECONNREFUSED once after an ICMP port unreachable matching a datagram
 * this socket sent. src and src_port may be NULL.
 */
int net_udp_recvfrom(int sock, void *buf, size_t cap, uint32_t *src,
		     uint16_t *src_port);

/*
 * Whether recvfrom() has something to return: a datagram or a pending
 * ICMP error (for poll loops).
 */
bool net_udp_is_readable(int sock);

/* Close the socket, dropping queued datagrams. */
int net_udp_close(int sock);

#endif /* NET_NET_H */
