/*
 * tcp.h - keel's TCP sockets (RFC 9293): the application-facing contract.
 *
 * BSD-shaped and non-blocking: every call does what it can now and returns
 * NET_EAGAIN when it would have to wait; the application retries after a
 * later net_poll(). A handle is an index into a static table of
 * CONFIG_TCP_SOCKETS connections, each with a send ring of
 * CONFIG_TCP_TX_RING bytes and a receive ring of CONFIG_TCP_RX_RING bytes.
 * Connections a listener accepts take their slots from the same table.
 *
 * Calls that may transmit take the caller's clock (`now_ms`, the time given
 * to the last net_poll()), like net_udp_sendto().
 *
 *   listening:  open, bind(addr, port), listen(backlog), accept
 *   connecting: open, [bind], connect (returns at once; wait for
 *               is_writable, then get_error says whether it worked)
 *   talking:    send, recv (0 at end of stream), shutdown, close
 *
 * Errors the connection suffers (refused, reset, timed out) are kept in
 * the socket: net_tcp_getsockopt(NET_SO_ERROR) (or net_tcp_get_error())
 * returns and clears it; recv and send return it too once the connection
 * is gone.
 *
 * Options (net_tcp_setsockopt/getsockopt): NET_SO_ERROR, NET_TCP_NODELAY,
 * NET_SO_KEEPALIVE, NET_SO_SNDBUF, NET_SO_RCVBUF, and NET_SO_NONBLOCK with
 * NET_SO_RCVTIMEO/NET_SO_SNDTIMEO for the blocking calls, which live in
 * the kernel (<kernel/tcp.h>: only the owner of the event loop can
 * wait). Event-driven applications register a readiness callback
 * (net_tcp_set_callback), called from net_poll().
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/net.h>

/* RFC 9293 §3.3.2 states. */
enum tcp_state {
	TCP_STATE_CLOSED = 0,
	TCP_STATE_LISTEN,
	TCP_STATE_SYN_SENT,
	TCP_STATE_SYN_RCVD,
	TCP_STATE_ESTABLISHED,
	TCP_STATE_FIN_WAIT_1,
	TCP_STATE_FIN_WAIT_2,
	TCP_STATE_CLOSE_WAIT,
	TCP_STATE_CLOSING,
	TCP_STATE_LAST_ACK,
	TCP_STATE_TIME_WAIT,
};

/* net_tcp_shutdown()'s `how`. */
enum net_tcp_shut {
	NET_TCP_SHUT_RD = 1,
	NET_TCP_SHUT_WR = 2,
	NET_TCP_SHUT_RDWR = 3,
};

/* Events for net_tcp_poll(). */
#define NET_POLLIN  0x01 /* recv or accept would not block */
#define NET_POLLOUT 0x02 /* send would accept bytes */
#define NET_POLLERR 0x04 /* an error is pending (get_error) */
#define NET_POLLHUP 0x08 /* the peer finished or the connection is gone */

struct net_pollfd {
	int sock;
	uint8_t events;	 /* NET_POLLIN | NET_POLLOUT */
	uint8_t revents; /* set by net_tcp_poll(); ERR and HUP always */
};

/*
 * Options for net_tcp_setsockopt() and net_tcp_getsockopt(), each an int.
 * A connection a listener accepts starts with the listener's options
 * (not its callback).
 */
enum net_tcp_opt {
	/* get only: the pending error (NET_OK when none), and clear it */
	NET_SO_ERROR = 1,
	/* 0/1, default 0: disable Nagle's algorithm (RFC 9293 §3.7.4) */
	NET_TCP_NODELAY,
	/* 0/1, default 0: keepalive probes (RFC 9293 §3.8.4; times from
	 * the image definition) */
	NET_SO_KEEPALIVE,
	/* bytes of the send ring send() may fill, unacknowledged data
	 * included: NET_TCP_BUF_MIN..CONFIG_TCP_TX_RING (clamped), default
	 * the whole ring. Lowering it below what is queued only holds send
	 * back until the queue drains. */
	NET_SO_SNDBUF,
	/* bytes of the receive ring used, and so the largest window
	 * advertised: NET_TCP_BUF_MIN..CONFIG_TCP_RX_RING (clamped), default
	 * the whole ring. May change at any time: the window scale is
	 * always chosen for the whole ring, and a window already advertised
	 * is honoured (it is never taken back). */
	NET_SO_RCVBUF,
	/* 0/1, default 1. With 0 the blocking calls of <kernel/tcp.h> wait;
	 * the net_tcp_* calls here never do. */
	NET_SO_NONBLOCK,
	/* ms a blocking accept or recv waits; 0 (default): no limit */
	NET_SO_RCVTIMEO,
	/* ms a blocking connect or send waits; 0 (default): no limit */
	NET_SO_SNDTIMEO,
};

/* The smallest SO_SNDBUF and SO_RCVBUF. */
#define NET_TCP_BUF_MIN 1024

/*
 * A readiness callback: `revents` holds the NET_POLL* bits that became
 * true since the socket's last report (net_tcp_poll() gives the whole
 * mask).
 */
typedef void (*net_tcp_callback)(int sock, uint8_t revents, void *ctx);

/* A socket in CLOSED state: a handle >= 0, or NET_ENOBUFS (table full). */
int net_tcp_open(void);

/*
 * Bind to a local address (0: any, or the interface's) and port (0: an
 * ephemeral one, RFC 6056). NET_EADDRINUSE when another live connection
 * uses the port; NET_EINVAL when already bound.
 */
int net_tcp_bind(int sock, uint32_t addr, uint16_t port);

/* The bound local port, or NET_EINVAL when unbound. */
int net_tcp_local_port(int sock);

/*
 * Listen on the bound port with a queue of `backlog` (1..CONFIG_TCP_BACKLOG,
 * larger values are clamped) half-open and completed connections.
 */
int net_tcp_listen(int sock, int backlog);

/*
 * Take the oldest completed connection: its handle, NET_EAGAIN when none
 * is ready. peer and peer_port may be NULL.
 */
int net_tcp_accept(int sock, uint32_t *peer, uint16_t *peer_port);

/*
 * Start an active open to (addr, port): NET_OK when the SYN is on its
 * way. The socket becomes writable once ESTABLISHED or failed; then
 * net_tcp_get_error() says NET_OK, NET_ECONNREFUSED, NET_ETIMEDOUT, ....
 */
int net_tcp_connect(int sock, uint32_t addr, uint16_t port, uint64_t now_ms);

/*
 * Copy up to len bytes into the send ring: the count taken (> 0),
 * NET_EAGAIN when the ring is full (or the connection not yet
 * established), NET_ENOTCONN after shutdown(WR) or close, or the
 * connection's error.
 */
int net_tcp_send(int sock, const void *buf, size_t len, uint64_t now_ms);

/* Free bytes in the send ring (0 when send would say NET_EAGAIN). */
int net_tcp_send_space(int sock);

/*
 * Copy up to cap received bytes: the count (> 0), 0 at the end of the
 * stream (the peer's FIN, once everything before it is read),
 * NET_EAGAIN when nothing is there yet, or the connection's error
 * (NET_ECONNRESET, ...). Reading opens the receive window.
 */
int net_tcp_recv(int sock, void *buf, size_t cap, uint64_t now_ms);

/* Half-close: SHUT_WR sends FIN after the queued data. */
int net_tcp_shutdown(int sock, int how, uint64_t now_ms);

/*
 * Give the handle back. Queued data is still sent and the connection
 * closes in the background (FIN, TIME_WAIT); unread received data makes it
 * an abort with RST instead (RFC 1122 §4.2.2.13).
 */
int net_tcp_close(int sock, uint64_t now_ms);

/* Close at once with a RST (SO_LINGER with a zero timeout). */
int net_tcp_abort(int sock, uint64_t now_ms);

/*
 * Set option `opt` (enum net_tcp_opt) to `value`: NET_OK, NET_EBADF for
 * a handle that is not open, NET_EINVAL for an unknown option, a
 * negative value or NET_SO_ERROR. Sizes out of range are clamped; read
 * them back with net_tcp_getsockopt().
 */
int net_tcp_setsockopt(int sock, int opt, int value);

/* Read option `opt` into *value: NET_OK, NET_EBADF or NET_EINVAL. */
int net_tcp_getsockopt(int sock, int opt, int *value);

/* The pending error (and clear it), NET_OK when none: NET_SO_ERROR. */
int net_tcp_get_error(int sock);

/* NET_TCP_NODELAY. */
int net_tcp_set_nodelay(int sock, bool on);

/* NET_SO_KEEPALIVE. */
int net_tcp_set_keepalive(int sock, bool on);

/*
 * Call fn(sock, revents, ctx) from net_poll() whenever the socket's poll
 * mask (NET_POLLIN, OUT, ERR, HUP, as net_tcp_poll() computes it) gains a
 * bit: edge-triggered, once per change. A bit is reported again only after
 * it went away: after recv or accept said NET_EAGAIN or emptied the
 * socket, send filled the ring, the error was read. So a callback should
 * read (or accept) until NET_EAGAIN, and a writer that stops on a full
 * ring hears of free space. The first net_poll() after this call reports
 * every bit already true. fn NULL removes the callback; closing the
 * socket does too.
 *
 * The callback may call any socket call on any socket, close its own
 * socket included; it must not call net_poll() or a blocking call of
 * <kernel/tcp.h>. It runs after the frames and timers of that poll.
 */
int net_tcp_set_callback(int sock, net_tcp_callback fn, void *ctx);

/* The connection's state (tests, diagnostics); CLOSED for bad handles. */
enum tcp_state net_tcp_state(int sock);

/* recv would not block (data, end of stream, error) or accept has one. */
bool net_tcp_is_readable(int sock);
/* send would take bytes, or would fail at once. */
bool net_tcp_is_writable(int sock);

/*
 * Fill revents of each of the n entries; returns how many have any event
 * (NET_EBADF entries get NET_POLLERR). Never waits.
 */
int net_tcp_poll(struct net_pollfd *fds, size_t n);

/* Connections in use (any state but free slots), for leak checks. */
int net_tcp_conns_in_use(void);

#endif /* NET_TCP_H */
