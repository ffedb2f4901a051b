/*
 * tcp.c - TCP (RFC 9293): the connection table, the rings and the socket
 * calls of <net/tcp.h>. Segment arrival is in tcp_in.c, output in
 * tcp_out.c, timers in tcp_timer.c; tcp.h describes the connection block.
 *
 * Table: CONFIG_TCP_SOCKETS connections, a handle is the index. A slot is
 * in use from net_tcp_open() (or a listener's SYN) until the connection is
 * CLOSED and nobody holds its handle. A connection the application closed
 * lives on without a handle through FIN_WAIT, CLOSING, LAST_ACK and
 * TIME_WAIT. When no slot is free, the TIME_WAIT connection closest to
 * its end is reused (counted tcp.time_wait_reused): it only guards its own
 * 4-tuple against old duplicates, and RFC 6191's rule for a new SYN to the
 * same 4-tuple accepts reuse in the same situation.
 *
 * Listen backlog: a listener keeps up to `backlog` (<= CONFIG_TCP_BACKLOG)
 * of the connections its SYNs created, half-open and completed, in arrival
 * order in queue[]; accept() takes the oldest that reached ESTABLISHED (or
 * beyond). A queued connection that fails is dropped from the queue. When
 * the queue is full, a SYN is answered with a SYN cookie (tcp_in.c) or
 * dropped.
 *
 * ISNs: RFC 6528, a keyed hash (rand_hash) of the 4-tuple plus a clock
 * that ticks every 4 microseconds (derived from the millisecond clock).
 * Ephemeral ports: RFC 6056 §3.3.1 (random start, linear search) over
 * 49152..65535, as udp.c does.
 *
 * Options and readiness: SO_RCVBUF and SO_SNDBUF limit how much of the
 * static rings is used (tcp_rx_free(), tcp_tx_room()); the blocking flag
 * and timeouts are only kept here for kernel/kernel_tcp.c. Readiness
 * callbacks are edge-triggered: tcp_dispatch_events(), at the end of
 * every net_poll(), reports the poll-mask bits not in ev_seen, and the
 * calls that take readiness away drop the bits no longer true from it
 * (tcp_ev_settle()), so that they are reported again when they return.
 *
 * Left out: urgent data (URG is ignored and its data delivered in line,
 * as RFC 6093 recommends applications not use it), IP options, ECN.
 */
#include "tcp.h"

#include <string.h>

#include <klib/bytes.h>

#include "iface.h"
#include "rand.h"
#include "stats_internal.h"

#define TCP_EPHEMERAL_MIN 49152u
#define TCP_EPHEMERAL_MAX 65535u
#define TCP_ISN_DOMAIN	  0x5443504eu /* "TCPN" */

struct tcp_conn tcp_conns[CONFIG_TCP_SOCKETS];

void tcp_init(void)
{
	memset(tcp_conns, 0, sizeof(tcp_conns));
	tcp_out_reset_rate();
}

int tcp_conn_index(const struct tcp_conn *c)
{
	return (int)(c - tcp_conns);
}

uint16_t tcp_our_mss(void)
{
	return (uint16_t)(net_iface.dev ? net_iface.dev->mtu - 40
					: CONFIG_NET_MTU - 40);
}

/* RFC 7323 §2.3: the smallest shift that lets the ring be advertised. */
uint8_t tcp_our_wscale(void)
{
	uint8_t s = 0;

	while (s < TCP_WSCALE_MAX && (CONFIG_TCP_RX_RING >> s) > 65535)
		s++;
	return s;
}

static void tcp_conn_reset(struct tcp_conn *c)
{
	/* The rings are left as they are: only the counters say what is
	 * valid, and clearing megabytes per connection costs time. */
	memset(c, 0, offsetof(struct tcp_conn, rx_ring));
	c->parent = TCP_NO_PARENT;
	c->rto = TCP_INIT_RTO_MS;
	c->rto_at = c->persist_at = c->delack_at = TCP_NONE;
	c->close_at = c->keep_at = c->tlp_at = TCP_NONE;
	c->ssthresh = UINT32_MAX / 2;
	c->mss = TCP_DEFAULT_MSS;
	c->rcvbuf = CONFIG_TCP_RX_RING;
	c->sndbuf = CONFIG_TCP_TX_RING;
	tcp_rack_reset(c);
}

/* The TIME_WAIT connection whose time runs out first, or NULL. */
static struct tcp_conn *tcp_time_wait_victim(void)
{
	struct tcp_conn *best = NULL;

	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		struct tcp_conn *c = &tcp_conns[i];

		if (c->in_use && c->state == TCP_STATE_TIME_WAIT &&
		    !c->user_open && (!best || c->close_at < best->close_at))
			best = c;
	}
	return best;
}

struct tcp_conn *tcp_conn_alloc(void)
{
	struct tcp_conn *c = NULL;

	for (int i = 0; i < CONFIG_TCP_SOCKETS && !c; i++)
		if (!tcp_conns[i].in_use)
			c = &tcp_conns[i];
	if (!c) {
		c = tcp_time_wait_victim();
		if (!c)
			return NULL;
		NET_STAT_INC(TCP_TIME_WAIT_REUSED);
	}
	tcp_conn_reset(c);
	c->in_use = true;
	return c;
}

static void tcp_conn_free(struct tcp_conn *c)
{
	NET_STAT_INC(TCP_CONN_FREED);
	tcp_conn_reset(c);
}

struct tcp_conn *tcp_conn_lookup(uint32_t raddr, uint16_t rport, uint32_t laddr,
				 uint16_t lport)
{
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		struct tcp_conn *c = &tcp_conns[i];

		if (c->in_use && c->state != TCP_STATE_LISTEN &&
		    c->state != TCP_STATE_CLOSED && c->local_port == lport &&
		    c->remote_port == rport && c->remote_addr == raddr &&
		    c->local_addr == laddr)
			return c;
	}
	return NULL;
}

struct tcp_conn *tcp_listener_lookup(uint32_t laddr, uint16_t lport)
{
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		struct tcp_conn *c = &tcp_conns[i];

		if (c->in_use && c->state == TCP_STATE_LISTEN &&
		    c->local_port == lport &&
		    (c->local_addr == NET_IPV4_ANY || c->local_addr == laddr))
			return c;
	}
	return NULL;
}

/* Remove child index `ci` from listener l's queue. */
static void tcp_queue_remove(struct tcp_conn *l, int ci)
{
	for (int i = 0; i < l->queue_len; i++) {
		if (l->queue[i] != ci)
			continue;
		memmove(&l->queue[i], &l->queue[i + 1],
			sizeof(l->queue[0]) * (size_t)(l->queue_len - i - 1));
		l->queue_len--;
		return;
	}
}

static void tcp_detach_from_parent(struct tcp_conn *c)
{
	if (c->parent == TCP_NO_PARENT)
		return;
	tcp_queue_remove(&tcp_conns[c->parent], tcp_conn_index(c));
	c->parent = TCP_NO_PARENT;
}

void tcp_set_state(struct tcp_conn *c, enum tcp_state st, uint64_t now_ms)
{
	c->state = st;
	if (st == TCP_STATE_TIME_WAIT) {
		/* RFC 9293 §3.10.7.4: 2 MSL; nothing else runs meanwhile. */
		c->close_at = now_ms + 2 * (uint64_t)CONFIG_TCP_MSL_MS;
		c->rto_at = c->persist_at = c->keep_at = TCP_NONE;
		c->tlp_at = c->rack_at = TCP_NONE;
	} else if (st == TCP_STATE_FIN_WAIT_2 && !c->user_open) {
		/* Nobody can read any more: do not wait for ever for the
		 * peer's FIN (a deviation every stack makes). */
		c->close_at = now_ms + 2 * (uint64_t)CONFIG_TCP_MSL_MS;
	}
}

void tcp_conn_closed(struct tcp_conn *c, int err)
{
	if (err != NET_OK && c->err == NET_OK)
		c->err = err;
	tcp_detach_from_parent(c);
	c->state = TCP_STATE_CLOSED;
	c->rto_at = c->persist_at = c->delack_at = TCP_NONE;
	c->close_at = c->keep_at = c->tlp_at = c->rack_at = TCP_NONE;
	c->needs_output = false;
	if (!c->user_open)
		tcp_conn_free(c);
}

uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
		 uint64_t now_ms)
{
	uint8_t key[12];

	st_be32(key, laddr);
	st_be16(key + 4, lport);
	st_be32(key + 6, raddr);
	st_be16(key + 10, rport);
	/* RFC 6528 §3: ISN = M + F(4-tuple, secret), M a 4 µs timer. */
	return (uint32_t)(now_ms * 250) +
	       (uint32_t)rand_hash(TCP_ISN_DOMAIN, key, sizeof(key));
}

/* ---- rings ------------------------------------------------------------ */

uint32_t tcp_rx_buf(const struct tcp_conn *c)
{
	if (c->parent != TCP_NO_PARENT)
		return tcp_conns[c->parent].rcvbuf;
	return c->rcvbuf;
}

uint32_t tcp_rx_free(const struct tcp_conn *c)
{
	uint32_t buf = tcp_rx_buf(c);
	uint32_t free = buf > c->rx_len ? buf - c->rx_len : 0;
	uint32_t room = CONFIG_TCP_RX_RING - c->rx_len;
	uint32_t adv =
	    seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	/* What was advertised is honoured (SO_RCVBUF may have shrunk
	 * since), but never past the ring's end: bytes there would
	 * overwrite unread ones. tcp_rcv_window() never offers them. */
	free = free > adv ? free : adv;
	return free < room ? free : room;
}

/* Copy n bytes to the receive ring `off` bytes after rcv_nxt. */
void tcp_rx_ring_put(struct tcp_conn *c, uint32_t off, const uint8_t *d,
		     uint32_t n)
{
	uint32_t pos = (c->rx_head + c->rx_len + off) % CONFIG_TCP_RX_RING;
	uint32_t first = CONFIG_TCP_RX_RING - pos;

	if (n <= first) {
		memcpy(c->rx_ring + pos, d, n);
		return;
	}
	memcpy(c->rx_ring + pos, d, first);
	memcpy(c->rx_ring, d + first, n - first);
}

static uint32_t tcp_rx_ring_take(struct tcp_conn *c, uint8_t *to, uint32_t cap)
{
	uint32_t n = c->rx_len < cap ? c->rx_len : cap;
	uint32_t first = CONFIG_TCP_RX_RING - c->rx_head;

	if (n <= first) {
		memcpy(to, c->rx_ring + c->rx_head, n);
	} else {
		memcpy(to, c->rx_ring + c->rx_head, first);
		memcpy(to + first, c->rx_ring, n - first);
	}
	c->rx_head = (c->rx_head + n) % CONFIG_TCP_RX_RING;
	c->rx_len -= n;
	return n;
}

/* The ring offset of the send data `off` bytes after tx_seq. */
uint32_t tcp_tx_ring_pos(const struct tcp_conn *c, uint32_t off)
{
	return (c->tx_head + off) % CONFIG_TCP_TX_RING;
}

void tcp_tx_ring_drop(struct tcp_conn *c, uint32_t n)
{
	c->tx_head = (c->tx_head + n) % CONFIG_TCP_TX_RING;
	c->tx_len -= n;
	c->tx_seq += n;
}

/* Bytes send() may still queue: SO_SNDBUF less what the ring holds. */
static uint32_t tcp_tx_room(const struct tcp_conn *c)
{
	return c->sndbuf > c->tx_len ? c->sndbuf - c->tx_len : 0;
}

static uint32_t tcp_tx_ring_append(struct tcp_conn *c, const uint8_t *d,
				   uint32_t len)
{
	uint32_t room = tcp_tx_room(c);
	uint32_t n = len < room ? len : room;
	uint32_t pos = tcp_tx_ring_pos(c, c->tx_len);
	uint32_t first = CONFIG_TCP_TX_RING - pos;

	if (n <= first) {
		memcpy(c->tx_ring + pos, d, n);
	} else {
		memcpy(c->tx_ring + pos, d, first);
		memcpy(c->tx_ring, d + first, n - first);
	}
	c->tx_len += n;
	return n;
}

/* ---- socket calls --------------------------------------------------- */

/* The open socket with handle `sock`, or NULL. */
static struct tcp_conn *tcp_sock_get(int sock)
{
	if (sock < 0 || sock >= CONFIG_TCP_SOCKETS || !tcp_conns[sock].in_use ||
	    !tcp_conns[sock].user_open)
		return NULL;
	return &tcp_conns[sock];
}

static bool tcp_can_send(const struct tcp_conn *c)
{
	return c->state == TCP_STATE_ESTABLISHED ||
	       c->state == TCP_STATE_CLOSE_WAIT;
}

static bool tcp_is_accept_ready(const struct tcp_conn *c)
{
	return c->state != TCP_STATE_SYN_RCVD;
}

static bool tcp_is_readable(const struct tcp_conn *c)
{
	if (c->state == TCP_STATE_LISTEN) {
		for (int i = 0; i < c->queue_len; i++)
			if (tcp_is_accept_ready(&tcp_conns[c->queue[i]]))
				return true;
		return false;
	}
	return c->rx_len > 0 || c->fin_received || c->shut_rd ||
	       c->err != NET_OK;
}

static bool tcp_is_writable(const struct tcp_conn *c)
{
	if (c->err != NET_OK)
		return true;
	return tcp_can_send(c) && !c->fin_queued && tcp_tx_room(c) > 0;
}

/* The whole poll mask of an open socket. */
static uint8_t tcp_events(const struct tcp_conn *c)
{
	uint8_t ev = 0;

	if (tcp_is_readable(c))
		ev |= NET_POLLIN;
	if (tcp_is_writable(c))
		ev |= NET_POLLOUT;
	if (c->err != NET_OK)
		ev |= NET_POLLERR;
	if (c->fin_received ||
	    (c->state == TCP_STATE_CLOSED && c->bound && c->remote_port != 0))
		ev |= NET_POLLHUP;
	return ev;
}

/*
 * After a call that may have taken readiness away (recv, send, accept,
 * reading the error): forget the reported bits that are no longer true,
 * so that the callback hears of them again when they come back.
 */
static void tcp_ev_settle(struct tcp_conn *c)
{
	c->ev_seen &= tcp_events(c);
}

int net_tcp_conns_in_use(void)
{
	int n = 0;

	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++)
		n += tcp_conns[i].in_use;
	return n;
}

int net_tcp_open(void)
{
	struct tcp_conn *c = tcp_conn_alloc();

	if (!c)
		return NET_ENOBUFS;
	c->user_open = true;
	return tcp_conn_index(c);
}

static bool tcp_port_in_use(uint16_t port)
{
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		const struct tcp_conn *c = &tcp_conns[i];

		if (c->in_use && c->bound && c->local_port == port &&
		    c->state != TCP_STATE_TIME_WAIT)
			return true;
	}
	return false;
}

/* RFC 6056 §3.3.1, Algorithm 1. */
static int tcp_pick_ephemeral(uint16_t *port)
{
	uint32_t count = TCP_EPHEMERAL_MAX - TCP_EPHEMERAL_MIN + 1;
	uint32_t next = TCP_EPHEMERAL_MIN + rand_below(count);

	for (; count > 0; count--) {
		if (!tcp_port_in_use((uint16_t)next)) {
			*port = (uint16_t)next;
			return NET_OK;
		}
		next = next == TCP_EPHEMERAL_MAX ? TCP_EPHEMERAL_MIN : next + 1;
	}
	return NET_EADDRNOTAVAIL;
}

static int tcp_bind(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	int err;

	if (port == 0) {
		err = tcp_pick_ephemeral(&port);
		if (err != NET_OK)
			return err;
	} else if (tcp_port_in_use(port)) {
		return NET_EADDRINUSE;
	}
	c->bound = true;
	c->local_addr = addr;
	c->local_port = port;
	return NET_OK;
}

int net_tcp_bind(int sock, uint32_t addr, uint16_t port)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (c->bound || c->state != TCP_STATE_CLOSED)
		return NET_EINVAL;
	if (addr != NET_IPV4_ANY && !iface_is_local(&net_iface, addr))
		return NET_EADDRNOTAVAIL;
	return tcp_bind(c, addr, port);
}

int net_tcp_local_port(int sock)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	return c->bound ? c->local_port : NET_EINVAL;
}

int net_tcp_listen(int sock, int backlog)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (!c->bound || c->state != TCP_STATE_CLOSED || backlog < 1)
		return NET_EINVAL;
	c->backlog =
	    backlog > CONFIG_TCP_BACKLOG ? CONFIG_TCP_BACKLOG : backlog;
	c->state = TCP_STATE_LISTEN;
	return NET_OK;
}

/* An accepted connection starts with its listener's options. */
static void tcp_inherit_options(struct tcp_conn *c, const struct tcp_conn *l)
{
	c->nodelay = l->nodelay;
	c->rcvbuf = l->rcvbuf;
	c->sndbuf = l->sndbuf;
	c->blocking = l->blocking;
	c->rcvtimeo = l->rcvtimeo;
	c->sndtimeo = l->sndtimeo;
	c->keepalive = l->keepalive;
	if (c->keepalive && c->state == TCP_STATE_ESTABLISHED)
		tcp_timer_keepalive_reset(c, c->last_rx_at);
}

int net_tcp_accept(int sock, uint32_t *peer, uint16_t *peer_port)
{
	struct tcp_conn *l = tcp_sock_get(sock);

	if (!l)
		return NET_EBADF;
	if (l->state != TCP_STATE_LISTEN)
		return NET_EINVAL;
	for (int i = 0; i < l->queue_len; i++) {
		struct tcp_conn *c = &tcp_conns[l->queue[i]];

		if (!tcp_is_accept_ready(c))
			continue;
		tcp_detach_from_parent(c);
		tcp_inherit_options(c, l);
		c->user_open = true;
		if (peer)
			*peer = c->remote_addr;
		if (peer_port)
			*peer_port = c->remote_port;
		tcp_ev_settle(l);
		return tcp_conn_index(c);
	}
	tcp_ev_settle(l);
	return NET_EAGAIN;
}

/* Sequence state for a connection about to send its SYN. */
static void tcp_conn_start_active(struct tcp_conn *c, uint64_t now_ms)
{
	c->iss = tcp_isn(c->local_addr, c->local_port, c->remote_addr,
			 c->remote_port, now_ms);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->tx_seq = c->iss + 1;
	c->state = TCP_STATE_SYN_SENT;
	c->last_rx_at = now_ms;
}

int net_tcp_connect(int sock, uint32_t addr, uint16_t port, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_sock_get(sock);
	int err;

	if (!c)
		return NET_EBADF;
	if (c->state != TCP_STATE_CLOSED || addr == NET_IPV4_ANY || port == 0)
		return NET_EINVAL;
	if (net_iface.addr == 0)
		return NET_ENETUNREACH;
	if (!c->bound) {
		err = tcp_bind(c, NET_IPV4_ANY, 0);
		if (err != NET_OK)
			return err;
	}
	c->local_addr = net_iface.addr;
	c->remote_addr = addr;
	c->remote_port = port;
	c->err = NET_OK;
	NET_STAT_INC(TCP_CONN_ACTIVE);
	tcp_conn_start_active(c, now_ms);
	tcp_output(c, now_ms);
	return NET_OK;
}

int net_tcp_send(int sock, const void *buf, size_t len, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_sock_get(sock);
	uint32_t n;

	if (!c)
		return NET_EBADF;
	if (!buf && len > 0)
		return NET_EINVAL;
	if (c->err != NET_OK)
		return c->err;
	if (c->fin_queued)
		return NET_ENOTCONN;
	if (c->state == TCP_STATE_SYN_SENT || c->state == TCP_STATE_SYN_RCVD)
		return NET_EAGAIN;
	if (!tcp_can_send(c))
		return NET_ENOTCONN;
	if (len > INT32_MAX)
		len = INT32_MAX;
	n = tcp_tx_ring_append(c, buf, (uint32_t)len);
	tcp_ev_settle(c);
	if (n == 0)
		return len == 0 ? 0 : NET_EAGAIN;
	tcp_output(c, now_ms);
	return (int)n;
}

int net_tcp_send_space(int sock)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c || !tcp_can_send(c) || c->fin_queued)
		return 0;
	return (int)tcp_tx_room(c);
}

/* After the application read: open the window if it grew enough. */
static void tcp_window_update(struct tcp_conn *c, uint64_t now_ms)
{
	uint32_t adv =
	    seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t grow = tcp_rx_free(c) - adv;
	uint32_t half = tcp_rx_buf(c) / 2;

	/* RFC 9293 §3.8.6.2.2 (receiver SWS avoidance): announce only a
	 * growth of min(half the ring, one MSS). And only when the window
	 * the peer knows has shrunk to half the buffer or less and would at
	 * least double: with more left, the next ACK carries the news, and
	 * an update per read would double the ACKs of a bulk transfer. */
	if (grow >= (half < c->mss ? half : c->mss) && adv <= half &&
	    adv + grow >= 2 * adv) {
		c->ack_now = true;
		tcp_output(c, now_ms);
	}
}

int net_tcp_recv(int sock, void *buf, size_t cap, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_sock_get(sock);
	uint32_t n;

	if (!c)
		return NET_EBADF;
	if (!buf && cap > 0)
		return NET_EINVAL;
	if (c->rx_len == 0 || c->shut_rd) {
		if (c->err != NET_OK)
			return c->err;
		if (c->fin_received || c->shut_rd)
			return 0;
		if (c->state == TCP_STATE_CLOSED ||
		    c->state == TCP_STATE_LISTEN)
			return NET_ENOTCONN;
		tcp_ev_settle(c);
		return NET_EAGAIN;
	}
	n = tcp_rx_ring_take(c, buf,
			     cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap);
	tcp_ev_settle(c);
	if (c->state != TCP_STATE_CLOSED)
		tcp_window_update(c, now_ms);
	return (int)n;
}

/* Queue our FIN and move to the state that waits for its ACK. */
static void tcp_queue_fin(struct tcp_conn *c, uint64_t now_ms)
{
	if (c->fin_queued)
		return;
	switch (c->state) {
	case TCP_STATE_SYN_RCVD:
	case TCP_STATE_ESTABLISHED:
		c->fin_queued = true;
		tcp_set_state(c, TCP_STATE_FIN_WAIT_1, now_ms);
		break;
	case TCP_STATE_CLOSE_WAIT:
		c->fin_queued = true;
		tcp_set_state(c, TCP_STATE_LAST_ACK, now_ms);
		break;
	default:
		return;
	}
	tcp_output(c, now_ms);
}

int net_tcp_shutdown(int sock, int how, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (how < NET_TCP_SHUT_RD || how > NET_TCP_SHUT_RDWR)
		return NET_EINVAL;
	if (c->state == TCP_STATE_CLOSED || c->state == TCP_STATE_LISTEN ||
	    c->state == TCP_STATE_SYN_SENT)
		return NET_ENOTCONN;
	if (how & NET_TCP_SHUT_RD)
		c->shut_rd = true;
	if (how & NET_TCP_SHUT_WR)
		tcp_queue_fin(c, now_ms);
	tcp_ev_settle(c);
	return NET_OK;
}

/* Close a listener: its queued connections go with it (RST if synced). */
static void tcp_close_listener(struct tcp_conn *l, uint64_t now_ms)
{
	while (l->queue_len > 0) {
		struct tcp_conn *c = &tcp_conns[l->queue[0]];

		tcp_send_rst(c, now_ms);
		tcp_conn_closed(c, NET_OK);
	}
	l->user_open = false;
	tcp_conn_closed(l, NET_OK);
}

static void tcp_abort(struct tcp_conn *c, uint64_t now_ms)
{
	if (c->state != TCP_STATE_CLOSED && c->state != TCP_STATE_SYN_SENT &&
	    c->state != TCP_STATE_LISTEN && c->state != TCP_STATE_TIME_WAIT)
		tcp_send_rst(c, now_ms);
	c->user_open = false;
	tcp_conn_closed(c, NET_OK);
}

int net_tcp_close(int sock, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (c->state == TCP_STATE_LISTEN) {
		tcp_close_listener(c, now_ms);
		return NET_OK;
	}
	/* RFC 1122 §4.2.2.13: unread data at close means a RST. */
	if (c->rx_len > 0 || c->state == TCP_STATE_SYN_SENT ||
	    c->state == TCP_STATE_CLOSED) {
		tcp_abort(c, now_ms);
		return NET_OK;
	}
	c->user_open = false;
	tcp_queue_fin(c, now_ms);
	if (c->state == TCP_STATE_FIN_WAIT_2)
		tcp_set_state(c, TCP_STATE_FIN_WAIT_2, now_ms);
	return NET_OK;
}

int net_tcp_abort(int sock, uint64_t now_ms)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (c->state == TCP_STATE_LISTEN)
		tcp_close_listener(c, now_ms);
	else
		tcp_abort(c, now_ms);
	return NET_OK;
}

int net_tcp_get_error(int sock)
{
	struct tcp_conn *c = tcp_sock_get(sock);
	int err;

	if (!c)
		return NET_EBADF;
	err = c->err;
	c->err = NET_OK;
	tcp_ev_settle(c);
	return err;
}

int net_tcp_set_nodelay(int sock, bool on)
{
	return net_tcp_setsockopt(sock, NET_TCP_NODELAY, on);
}

int net_tcp_set_keepalive(int sock, bool on)
{
	return net_tcp_setsockopt(sock, NET_SO_KEEPALIVE, on);
}

static void tcp_set_keepalive(struct tcp_conn *c, bool on)
{
	c->keepalive = on;
	c->probes = 0;
	c->keep_at = TCP_NONE;
	if (on && c->state == TCP_STATE_ESTABLISHED)
		tcp_timer_keepalive_reset(c, c->last_rx_at);
}

static uint32_t tcp_clamp_buf(int value, uint32_t ring)
{
	if ((uint32_t)value < NET_TCP_BUF_MIN)
		return NET_TCP_BUF_MIN;
	return (uint32_t)value > ring ? ring : (uint32_t)value;
}

int net_tcp_setsockopt(int sock, int opt, int value)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (value < 0)
		return NET_EINVAL;
	switch (opt) {
	case NET_TCP_NODELAY:
		c->nodelay = value != 0;
		break;
	case NET_SO_KEEPALIVE:
		tcp_set_keepalive(c, value != 0);
		break;
	case NET_SO_SNDBUF:
		c->sndbuf = tcp_clamp_buf(value, CONFIG_TCP_TX_RING);
		tcp_ev_settle(c);
		break;
	case NET_SO_RCVBUF:
		c->rcvbuf = tcp_clamp_buf(value, CONFIG_TCP_RX_RING);
		break;
	case NET_SO_NONBLOCK:
		c->blocking = value == 0;
		break;
	case NET_SO_RCVTIMEO:
		c->rcvtimeo = (uint32_t)value;
		break;
	case NET_SO_SNDTIMEO:
		c->sndtimeo = (uint32_t)value;
		break;
	default: /* NET_SO_ERROR is read-only */
		return NET_EINVAL;
	}
	return NET_OK;
}

int net_tcp_getsockopt(int sock, int opt, int *value)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	if (!value)
		return NET_EINVAL;
	switch (opt) {
	case NET_SO_ERROR:
		*value = net_tcp_get_error(sock);
		break;
	case NET_TCP_NODELAY:
		*value = c->nodelay;
		break;
	case NET_SO_KEEPALIVE:
		*value = c->keepalive;
		break;
	case NET_SO_SNDBUF:
		*value = (int)c->sndbuf;
		break;
	case NET_SO_RCVBUF:
		*value = (int)c->rcvbuf;
		break;
	case NET_SO_NONBLOCK:
		*value = !c->blocking;
		break;
	case NET_SO_RCVTIMEO:
		*value = (int)c->rcvtimeo;
		break;
	case NET_SO_SNDTIMEO:
		*value = (int)c->sndtimeo;
		break;
	default:
		return NET_EINVAL;
	}
	return NET_OK;
}

enum tcp_state net_tcp_state(int sock)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	return c ? c->state : TCP_STATE_CLOSED;
}

bool net_tcp_is_readable(int sock)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	return c && tcp_is_readable(c);
}

bool net_tcp_is_writable(int sock)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	return c && tcp_is_writable(c);
}

int net_tcp_poll(struct net_pollfd *fds, size_t n)
{
	int ready = 0;

	if (!fds && n > 0)
		return NET_EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct tcp_conn *c = tcp_sock_get(fds[i].sock);
		uint8_t want = fds[i].events | NET_POLLERR | NET_POLLHUP;

		fds[i].revents = c ? tcp_events(c) & want : NET_POLLERR;
		ready += fds[i].revents != 0;
	}
	return ready;
}

/* ---- readiness callbacks ---------------------------------------------- */

int net_tcp_set_callback(int sock, net_tcp_callback fn, void *ctx)
{
	struct tcp_conn *c = tcp_sock_get(sock);

	if (!c)
		return NET_EBADF;
	c->cb = fn;
	c->cb_ctx = fn ? ctx : NULL;
	c->ev_seen = 0;
	return NET_OK;
}

/* Set while callbacks run: a nested net_poll() does not dispatch. */
static bool tcp_dispatching;

void tcp_dispatch_events(void)
{
	if (tcp_dispatching)
		return;
	tcp_dispatching = true;
	/* The callback may close or open sockets: each slot is looked at
	 * afresh, and the state is updated before the call. */
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		struct tcp_conn *c = tcp_sock_get(i);
		uint8_t ev, fresh;

		if (!c || !c->cb)
			continue;
		ev = tcp_events(c);
		fresh = ev & (uint8_t)~c->ev_seen;
		c->ev_seen = ev;
		if (fresh)
			c->cb(i, fresh, c->cb_ctx);
	}
	tcp_dispatching = false;
}
