/*
 * tcp.h - blocking TCP socket calls for applications, on top of the
 * stack's non-blocking ones (<net/tcp.h>).
 *
 * The stack cannot wait: only the owner of the event loop can, so the
 * blocking forms live here, as kernel_dns_resolve_blocking() does for DNS.
 * Each call first tries its net_tcp_* counterpart. When that says
 * NET_EAGAIN and the socket is blocking (NET_SO_NONBLOCK set to 0 with
 * net_tcp_setsockopt()), it turns a private loop - platform_idle() until
 * the stack's next deadline, platform_now_ms(), net_poll() - and tries
 * again, until the call completes, the socket's timeout passes
 * (NET_SO_RCVTIMEO for accept and recv, NET_SO_SNDTIMEO for connect and
 * send; 0: no limit) or the kernel is asked to stop. On a non-blocking
 * socket each call is its net_tcp_* counterpart with the time read from
 * the platform.
 *
 * While a call waits the application's app_poll() is not called: other
 * sockets still receive (up to their rings) and their readiness callbacks
 * run from net_poll(). Use these calls at start-up (app_init) or in
 * applications written as one sequence of steps; never from a readiness
 * callback or a net_dns callback (both run inside net_poll()).
 */
#ifndef KERNEL_TCP_H
#define KERNEL_TCP_H

#include <stddef.h>
#include <stdint.h>

#include <net/tcp.h>

/*
 * net_tcp_connect(), then on a blocking socket wait until the connection
 * is established (NET_OK) or failed: its error (NET_ECONNREFUSED,
 * NET_ETIMEDOUT, ...), which is then cleared from NET_SO_ERROR. When
 * NET_SO_SNDTIMEO passes first (or the kernel is stopping): NET_EAGAIN,
 * and the attempt goes on in the background as a non-blocking connect
 * would (wait for writable, then read NET_SO_ERROR).
 */
int kernel_tcp_connect(int sock, uint32_t addr, uint16_t port);

/*
 * net_tcp_accept(), waiting on a blocking listener for a connection:
 * its handle, or NET_EAGAIN when NET_SO_RCVTIMEO passes first.
 */
int kernel_tcp_accept(int sock, uint32_t *peer, uint16_t *peer_port);

/*
 * net_tcp_send() of all len bytes: on a blocking socket it waits for
 * room (and for a connect still in progress) until every byte is queued
 * and returns len. When NET_SO_SNDTIMEO passes or an error comes first it
 * returns the count queued so far, or, when none was, NET_EAGAIN or the
 * error. A non-blocking socket queues what fits, as net_tcp_send().
 */
int kernel_tcp_send(int sock, const void *buf, size_t len);

/*
 * net_tcp_recv(), waiting on a blocking socket until at least one byte,
 * the end of the stream (0) or an error is there; NET_EAGAIN when
 * NET_SO_RCVTIMEO passes first.
 */
int kernel_tcp_recv(int sock, void *buf, size_t cap);

/*
 * net_tcp_poll(), waiting up to timeout_ms (negative: no limit, 0: not
 * at all) until at least one entry has an event: the count of such
 * entries, 0 when the time passed (or the kernel is stopping) first.
 * Waits whatever the sockets' NET_SO_NONBLOCK.
 */
int kernel_tcp_poll(struct net_pollfd *fds, size_t n, int timeout_ms);

/*
 * net_tcp_close() with the platform's clock, for code that has no
 * `now_ms` at hand (app_init). Never waits: the close goes on in the
 * background as net_tcp_close() describes.
 */
int kernel_tcp_close(int sock);

#endif /* KERNEL_TCP_H */
