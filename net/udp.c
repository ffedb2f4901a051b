/*
 * udp.c - UDP (RFC 768, RFC 1122 §4.1) datagram input and output and the
 * socket calls of <net/net.h> (net_udp_*). Internal hooks in udp.h.
 *
 * Sockets: a static table of CONFIG_UDP_SOCKETS; a handle is the table
 * index. A local port belongs to one socket at a time, whatever address it
 * is bound to (0.0.0.0 or ours): keel has one interface, so the two
 * overlap, and there is no SO_REUSEADDR. Binding twice is NET_EINVAL.
 *
 * Receive ring: each socket keeps CONFIG_UDP_RX_RING bytes holding records
 * back to back, oldest first: an 8-byte record header (source address,
 * source port, data length, big-endian) and then the data. Records wrap
 * around the end of the ring byte by byte, so nothing is wasted beyond the
 * header; rx_head is where the oldest starts, rx_used how many bytes are
 * taken. A datagram whose record does not fit in the free space is
 * dropped (UDP_RX_QUEUE_FULL): the queued ones are never displaced.
 * recvfrom() takes the oldest record whole, copying what fits in the
 * caller's buffer and discarding the rest, and returns the full length.
 *
 * Input (udp_input): length and checksum (udp_wire.c: UDP_RX_SHORT,
 * UDP_RX_BAD_LENGTH, UDP_RX_BAD_CHECKSUM), then the socket bound to the
 * destination port, with 0.0.0.0 or the destination address; broadcasts
 * reach only sockets bound to 0.0.0.0. No such socket: UDP_RX_NO_SOCKET
 * and an ICMP port unreachable (RFC 1122 §4.1.3.1; icmp.c applies the
 * §3.2.2 "never" rules and the rate limit). Source port 0 is delivered
 * (RFC 768: "optional", for senders that want no reply); a reply to port
 * 0 is refused with NET_EINVAL, as is destination address 0.
 *
 * Output (net_udp_sendto): the header with a checksum always computed
 * (RFC 1122 §4.1.3.4), from the interface address, through ipv4_output(),
 * which fragments. An unbound socket is first bound to an ephemeral port.
 * NET_ENOBUFS from below (transmit ring, ARP queue or cache full) becomes
 * NET_EAGAIN: each means "try again after net_poll()". Every call on an
 * open socket counts UDP_TX or UDP_TX_FAILED. udp_sendto_unconfigured()
 * is the DHCP client's way out before the interface has an address: from
 * 0.0.0.0 to 255.255.255.255 through ipv4_output_unconfigured(), on a
 * socket it has bound (RFC 2131 §4.1).
 *
 * Ephemeral ports: RFC 6056 §3.3.1 (Algorithm 1, simple port
 * randomisation) over 49152..65535 (RFC 6335 §6, as RFC 6056 §3.2
 * advises): a random start, then a linear search for a free port.
 *
 * ICMP errors (udp_icmp_error): believed only when a socket is bound to
 * the quoted source port and the last datagram it sent went to the quoted
 * destination address and port (RFC 5927 §4.1, as far as a socket with no
 * connection can check). Port and protocol unreachable become a pending
 * NET_ECONNREFUSED, net and host unreachable NET_EHOSTUNREACH (RFC 1122
 * §4.1.3.3: pass errors up); the next recvfrom() returns it once, before
 * any queued datagram, and net_udp_is_readable() is true while it waits.
 * Other errors are counted ICMP_RX_ERROR_IGNORED.
 *
 * Left out: connect() and per-socket peers, multicast (RFC 1112), a
 * broadcast permission flag (SO_BROADCAST: any socket may send to a
 * broadcast address), sending without a checksum, IP options and TOS from
 * the application, a queue of more than one pending error.
 */
#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

#include "icmp.h"
#include "iface.h"
#include "ipv4.h"
#include "ipv4_wire.h"
#include "net_config.h"
#include "rand.h"
#include "stats_internal.h"
#include "udp.h"
#include "udp_wire.h"

#define UDP_EPHEMERAL_MIN 49152u
#define UDP_EPHEMERAL_MAX 65535u

/* The header of a record in a receive ring. */
#define UDP_REC_HDR_LEN	 8
#define UDP_REC_OFF_ADDR 0
#define UDP_REC_OFF_PORT 4
#define UDP_REC_OFF_LEN	 6

/* The largest datagram a 16-bit IPv4 total length can carry. */
#define UDP_MAX_DATA_IPV4 (IPV4_MAX_TOTAL_LEN - IPV4_HDR_LEN - UDP_HDR_LEN)

struct udp_sock {
	bool is_open;
	bool is_bound;
	bool has_sent;
	uint16_t local_port;
	uint32_t local_addr; /* NET_IPV4_ANY or the interface address */
	uint32_t peer_addr;  /* where the last datagram went (has_sent) */
	uint16_t peer_port;
	int soft_err;	/* NET_OK, or an error from ICMP to report */
	size_t rx_head; /* ring offset of the oldest record */
	size_t rx_used; /* bytes of records in the ring */
	uint8_t rx_ring[CONFIG_UDP_RX_RING];
};

static struct udp_sock udp_socks[CONFIG_UDP_SOCKETS];

void udp_init(void)
{
	memset(udp_socks, 0, sizeof(udp_socks));
}

/* The open socket with handle `sock`, or NULL. */
static struct udp_sock *udp_sock_get(int sock)
{
	if (sock < 0 || sock >= CONFIG_UDP_SOCKETS || !udp_socks[sock].is_open)
		return NULL;
	return &udp_socks[sock];
}

/* The socket bound to local port `port`, or NULL. */
static struct udp_sock *udp_sock_find_port(uint16_t port)
{
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++) {
		struct udp_sock *s = &udp_socks[i];

		if (s->is_open && s->is_bound && s->local_port == port)
			return s;
	}
	return NULL;
}

/* ---- receive ring ----------------------------------------------------- */

/* The ring offset `n` bytes after `pos` (n <= CONFIG_UDP_RX_RING). */
static size_t udp_ring_advance(size_t pos, size_t n)
{
	pos += n;
	if (pos >= CONFIG_UDP_RX_RING)
		pos -= CONFIG_UDP_RX_RING;
	return pos;
}

/* Copy `n` bytes into the ring at `pos`, wrapping past its end. */
static void udp_ring_put(struct udp_sock *s, size_t pos, const uint8_t *from,
			 size_t n)
{
	size_t first = CONFIG_UDP_RX_RING - pos;

	if (n <= first) {
		if (n > 0)
			memcpy(s->rx_ring + pos, from, n);
		return;
	}
	memcpy(s->rx_ring + pos, from, first);
	memcpy(s->rx_ring, from + first, n - first);
}

/* Copy `n` bytes out of the ring from `pos`, wrapping past its end. */
static void udp_ring_get(const struct udp_sock *s, size_t pos, uint8_t *to,
			 size_t n)
{
	size_t first = CONFIG_UDP_RX_RING - pos;

	if (n <= first) {
		if (n > 0)
			memcpy(to, s->rx_ring + pos, n);
		return;
	}
	memcpy(to, s->rx_ring + pos, first);
	memcpy(to + first, s->rx_ring, n - first);
}

/* Append a record; false (counted) when it does not fit. */
static bool udp_ring_push(struct udp_sock *s, uint32_t src, uint16_t src_port,
			  const uint8_t *data, size_t len)
{
	uint8_t rec[UDP_REC_HDR_LEN];
	size_t tail;

	if (UDP_REC_HDR_LEN + len > CONFIG_UDP_RX_RING - s->rx_used) {
		NET_STAT_INC(UDP_RX_QUEUE_FULL);
		return false;
	}
	st_be32(rec + UDP_REC_OFF_ADDR, src);
	st_be16(rec + UDP_REC_OFF_PORT, src_port);
	st_be16(rec + UDP_REC_OFF_LEN, (uint16_t)len);
	tail = udp_ring_advance(s->rx_head, s->rx_used);
	udp_ring_put(s, tail, rec, sizeof(rec));
	udp_ring_put(s, udp_ring_advance(tail, sizeof(rec)), data, len);
	s->rx_used += sizeof(rec) + len;
	return true;
}

/*
 * Remove the oldest record (there is one), copying at most `cap` bytes of
 * its data to `to`; returns the data's full length.
 */
static size_t udp_ring_pop(struct udp_sock *s, uint8_t *to, size_t cap,
			   uint32_t *src, uint16_t *src_port)
{
	uint8_t rec[UDP_REC_HDR_LEN];
	size_t len, pos;

	udp_ring_get(s, s->rx_head, rec, sizeof(rec));
	len = ld_be16(rec + UDP_REC_OFF_LEN);
	pos = udp_ring_advance(s->rx_head, sizeof(rec));
	udp_ring_get(s, pos, to, len < cap ? len : cap);
	s->rx_head = udp_ring_advance(pos, len);
	s->rx_used -= sizeof(rec) + len;
	if (src)
		*src = ld_be32(rec + UDP_REC_OFF_ADDR);
	if (src_port)
		*src_port = ld_be16(rec + UDP_REC_OFF_PORT);
	return len;
}

/* ---- input ------------------------------------------------------------ */

static bool udp_check_datagram(const struct ipv4_rx *ip, const uint8_t *data,
			       size_t len, struct udp_hdr *h)
{
	switch (udp_wire_parse(data, len, ip->src, ip->dst, h)) {
	case UDP_WIRE_OK:
		return true;
	case UDP_WIRE_SHORT:
		NET_STAT_INC(UDP_RX_SHORT);
		break;
	case UDP_WIRE_BAD_LENGTH:
		NET_STAT_INC(UDP_RX_BAD_LENGTH);
		break;
	case UDP_WIRE_BAD_CHECKSUM:
		/* RFC 1122 §4.1.3.4: MUST silently discard. */
		NET_STAT_INC(UDP_RX_BAD_CHECKSUM);
		break;
	}
	return false;
}

/* The socket a datagram to (ip->dst, port) belongs to, or NULL. */
static struct udp_sock *udp_find_receiver(const struct ipv4_rx *ip,
					  uint16_t port)
{
	struct udp_sock *s = udp_sock_find_port(port);

	if (!s)
		return NULL;
	if (s->local_addr == NET_IPV4_ANY)
		return s;
	/* Bound to our unicast address: broadcasts are not for it. */
	if (!ip->dst_broadcast && s->local_addr == ip->dst)
		return s;
	return NULL;
}

void udp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
	       uint64_t now_ms)
{
	struct udp_hdr h;
	struct udp_sock *s;

	NET_STAT_INC(UDP_RX);
	if (!udp_check_datagram(ip, data, len, &h))
		return;
	s = udp_find_receiver(ip, h.dst_port);
	if (!s) {
		NET_STAT_INC(UDP_RX_NO_SOCKET);
		/* RFC 1122 §4.1.3.1: SHOULD send port unreachable. */
		icmp_send_error(ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, ip, data,
				h.length, now_ms);
		return;
	}
	/* Payload past h.length (trimmed here) is not part of the datagram. */
	if (udp_ring_push(s, ip->src, h.src_port, data + UDP_HDR_LEN,
			  h.length - UDP_HDR_LEN))
		NET_STAT_INC(UDP_RX_DELIVERED);
}

/* ---- ICMP errors ------------------------------------------------------ */

/* The error an ICMP message means for a socket, or NET_OK to ignore it. */
static int udp_icmp_soft_error(uint8_t type, uint8_t code)
{
	if (type != ICMP_DEST_UNREACH)
		return NET_OK;
	switch (code) {
	case ICMP_UNREACH_PORT:
	case ICMP_UNREACH_PROTOCOL:
		return NET_ECONNREFUSED;
	case ICMP_UNREACH_NET:
	case ICMP_UNREACH_HOST:
		return NET_EHOSTUNREACH;
	default:
		return NET_OK;
	}
}

/* The socket that sent the quoted datagram, or NULL (RFC 5927 §4.1). */
static struct udp_sock *udp_find_sender(uint32_t quoted_src,
					uint32_t quoted_dst,
					const struct udp_hdr *q)
{
	struct udp_sock *s = udp_sock_find_port(q->src_port);

	if (!s || !s->has_sent || !iface_is_local(&net_iface, quoted_src))
		return NULL;
	if (s->local_addr != NET_IPV4_ANY && s->local_addr != quoted_src)
		return NULL;
	if (s->peer_addr != quoted_dst || s->peer_port != q->dst_port)
		return NULL;
	return s;
}

void udp_icmp_error(uint8_t type, uint8_t code, uint32_t quoted_src,
		    uint32_t quoted_dst, const uint8_t quoted_udp[8])
{
	int err = udp_icmp_soft_error(type, code);
	struct udp_hdr q;
	struct udp_sock *s;

	udp_wire_read(quoted_udp, &q);
	s = udp_find_sender(quoted_src, quoted_dst, &q);
	if (!s || err == NET_OK) {
		NET_STAT_INC(ICMP_RX_ERROR_IGNORED);
		return;
	}
	s->soft_err = err;
}

/* ---- binding ---------------------------------------------------------- */

/* RFC 6056 §3.3.1, Algorithm 1: a random start, then the next free one. */
static int udp_pick_ephemeral(uint16_t *port)
{
	uint32_t count = UDP_EPHEMERAL_MAX - UDP_EPHEMERAL_MIN + 1;
	uint32_t next = UDP_EPHEMERAL_MIN + rand_below(count);

	for (; count > 0; count--) {
		if (!udp_sock_find_port((uint16_t)next)) {
			*port = (uint16_t)next;
			return NET_OK;
		}
		next = next == UDP_EPHEMERAL_MAX ? UDP_EPHEMERAL_MIN : next + 1;
	}
	return NET_EADDRNOTAVAIL;
}

/* Bind the unbound socket `s` to (addr, port); port 0 picks one. */
static int udp_bind(struct udp_sock *s, uint32_t addr, uint16_t port)
{
	int err;

	if (port == 0) {
		err = udp_pick_ephemeral(&port);
		if (err != NET_OK)
			return err;
	} else if (udp_sock_find_port(port)) {
		return NET_EADDRINUSE;
	}
	s->is_bound = true;
	s->local_addr = addr;
	s->local_port = port;
	return NET_OK;
}

int net_udp_open(void)
{
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++) {
		if (!udp_socks[i].is_open) {
			memset(&udp_socks[i], 0, sizeof(udp_socks[i]));
			udp_socks[i].is_open = true;
			return i;
		}
	}
	return NET_ENOBUFS;
}

int net_udp_bind(int sock, uint32_t addr, uint16_t port)
{
	struct udp_sock *s = udp_sock_get(sock);

	if (!s)
		return NET_EBADF;
	if (s->is_bound)
		return NET_EINVAL;
	if (addr != NET_IPV4_ANY && !iface_is_local(&net_iface, addr))
		return NET_EADDRNOTAVAIL;
	return udp_bind(s, addr, port);
}

int net_udp_local_port(int sock)
{
	struct udp_sock *s = udp_sock_get(sock);

	if (!s)
		return NET_EBADF;
	if (!s->is_bound)
		return NET_EINVAL;
	return s->local_port;
}

/* ---- output ----------------------------------------------------------- */

static size_t udp_max_data(void)
{
	size_t max = ipv4_max_payload() - UDP_HDR_LEN;

	return max < UDP_MAX_DATA_IPV4 ? max : UDP_MAX_DATA_IPV4;
}

static int udp_check_send(const void *buf, size_t len, uint32_t dst,
			  uint16_t dst_port)
{
	if (!buf && len > 0)
		return NET_EINVAL;
	/* Port 0 is "no port" (RFC 768): the sender wanted no reply. */
	if (dst == NET_IPV4_ANY || dst_port == 0)
		return NET_EINVAL;
	if (len > udp_max_data())
		return NET_EMSGSIZE;
	return NET_OK;
}

/* An address to send from and a local port, binding if need be. */
static int udp_prepare_source(struct udp_sock *s)
{
	if (net_iface.addr == 0)
		return NET_ENETUNREACH;
	/* Bound to an address the interface no longer has. */
	if (s->is_bound && s->local_addr != NET_IPV4_ANY &&
	    s->local_addr != net_iface.addr)
		return NET_EADDRNOTAVAIL;
	if (!s->is_bound)
		return udp_bind(s, NET_IPV4_ANY, 0);
	return NET_OK;
}

/* From the interface address, or from 0.0.0.0 to the broadcast when the
 * interface has none (udp_sendto_unconfigured() only). */
static int udp_output(struct udp_sock *s, const uint8_t *data, size_t len,
		      uint32_t dst, uint16_t dst_port, uint64_t now_ms)
{
	struct udp_hdr h = {s->local_port, dst_port, 0, 0};
	uint8_t hdr[UDP_HDR_LEN];
	int err;

	udp_wire_emit(hdr, &h, net_iface.addr, dst, data, len);
	if (net_iface.addr == 0)
		err = ipv4_output_unconfigured(IPV4_PROTO_UDP, hdr,
					       sizeof(hdr), data, len, now_ms);
	else
		err = ipv4_output(dst, IPV4_PROTO_UDP, hdr, sizeof(hdr), data,
				  len, now_ms);
	if (err == NET_ENOBUFS)
		return NET_EAGAIN; /* see the top of the file */
	if (err != NET_OK)
		return err;
	/* Remembered to check ICMP errors against (RFC 5927 §4.1). */
	s->has_sent = true;
	s->peer_addr = dst;
	s->peer_port = dst_port;
	return NET_OK;
}

int net_udp_sendto(int sock, const void *buf, size_t len, uint32_t dst,
		   uint16_t dst_port, uint64_t now_ms)
{
	struct udp_sock *s = udp_sock_get(sock);
	int err;

	if (!s)
		return NET_EBADF;
	err = udp_check_send(buf, len, dst, dst_port);
	if (err == NET_OK)
		err = udp_prepare_source(s);
	if (err == NET_OK)
		err = udp_output(s, buf, len, dst, dst_port, now_ms);
	if (err != NET_OK) {
		NET_STAT_INC(UDP_TX_FAILED);
		return err;
	}
	NET_STAT_INC(UDP_TX);
	return (int)len;
}

int udp_sendto_unconfigured(int sock, const void *buf, size_t len,
			    uint16_t dst_port, uint64_t now_ms)
{
	struct udp_sock *s = udp_sock_get(sock);
	int err;

	if (!s)
		return NET_EBADF;
	err = udp_check_send(buf, len, NET_IPV4_BROADCAST, dst_port);
	if (err == NET_OK && (!s->is_bound || net_iface.addr != 0))
		err = NET_EINVAL;
	if (err == NET_OK)
		err = udp_output(s, buf, len, NET_IPV4_BROADCAST, dst_port,
				 now_ms);
	if (err != NET_OK) {
		NET_STAT_INC(UDP_TX_FAILED);
		return err;
	}
	NET_STAT_INC(UDP_TX);
	return (int)len;
}

/* ---- receive and close ------------------------------------------------ */

int net_udp_recvfrom(int sock, void *buf, size_t cap, uint32_t *src,
		     uint16_t *src_port)
{
	struct udp_sock *s = udp_sock_get(sock);
	int err;

	if (!s)
		return NET_EBADF;
	if (!buf && cap > 0)
		return NET_EINVAL;
	if (s->soft_err != NET_OK) {
		err = s->soft_err;
		s->soft_err = NET_OK;
		return err;
	}
	if (s->rx_used == 0)
		return NET_EAGAIN;
	return (int)udp_ring_pop(s, buf, cap, src, src_port);
}

bool net_udp_is_readable(int sock)
{
	struct udp_sock *s = udp_sock_get(sock);

	return s && (s->rx_used > 0 || s->soft_err != NET_OK);
}

int net_udp_close(int sock)
{
	struct udp_sock *s = udp_sock_get(sock);

	if (!s)
		return NET_EBADF;
	/* Clears the ring too: a later socket in this slot sees nothing of
	 * the old one's traffic. */
	memset(s, 0, sizeof(*s));
	return NET_OK;
}
