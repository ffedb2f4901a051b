/*
 * kernel_tcp.c - the blocking TCP calls of include/kernel/tcp.h: each
 * tries its non-blocking net_tcp_* call, then, on a blocking socket, waits
 * in a loop of its own and tries again after every net_poll().
 *
 * The loop is kernel_dns.c's: sleep in platform_idle() until the earliest
 * of the stack's next deadline, the call's end and KERNEL_IDLE_MAX_MS,
 * read the clock, net_poll(). platform_idle() returns early for frames
 * and for the target's own events, so progress is seen as soon as it
 * happens and a stop request within one idle.
 */
#include <kernel/tcp.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/kernel.h>
#include <kernel/platform.h>
#include <net/net.h>
#include <net/tcp.h>

#define KERNEL_TCP_FOREVER UINT64_MAX

/*
 * When a wait on `sock` must end, from `now`: now itself for a
 * non-blocking socket (or a bad handle: the call's own error stands),
 * else now plus the timeout option `opt`, 0 meaning no limit.
 */
static uint64_t kernel_tcp_end(int sock, int opt, uint64_t now)
{
	int nonblock = 1;
	int ms = 0;

	if (net_tcp_getsockopt(sock, NET_SO_NONBLOCK, &nonblock) != NET_OK ||
	    nonblock || net_tcp_getsockopt(sock, opt, &ms) != NET_OK)
		return now;
	return ms == 0 ? KERNEL_TCP_FOREVER : now + (uint64_t)ms;
}

/*
 * One turn of the private loop: false, without waiting, when `end` has
 * come or the kernel is stopping; else sleep, then poll the stack at the
 * new *now.
 */
static bool kernel_tcp_turn(uint64_t *now, uint64_t end)
{
	uint64_t wake;

	if (kernel_is_stopping() || *now >= end)
		return false;
	wake = net_next_deadline();
	if (wake > end)
		wake = end;
	if (wake > *now + KERNEL_IDLE_MAX_MS)
		wake = *now + KERNEL_IDLE_MAX_MS;
	platform_idle(wake);
	*now = platform_now_ms();
	net_poll(*now);
	return true;
}

int kernel_tcp_connect(int sock, uint32_t addr, uint16_t port)
{
	uint64_t now = platform_now_ms();
	uint64_t end = kernel_tcp_end(sock, NET_SO_SNDTIMEO, now);
	int rc = net_tcp_connect(sock, addr, port, now);

	if (rc != NET_OK || end == now)
		return rc;
	/* Writable once established or failed (<net/tcp.h>). */
	while (!net_tcp_is_writable(sock))
		if (!kernel_tcp_turn(&now, end))
			return NET_EAGAIN;
	return net_tcp_get_error(sock);
}

int kernel_tcp_accept(int sock, uint32_t *peer, uint16_t *peer_port)
{
	uint64_t now = platform_now_ms();
	uint64_t end = kernel_tcp_end(sock, NET_SO_RCVTIMEO, now);
	int rc = net_tcp_accept(sock, peer, peer_port);

	while (rc == NET_EAGAIN && kernel_tcp_turn(&now, end))
		rc = net_tcp_accept(sock, peer, peer_port);
	return rc;
}

int kernel_tcp_send(int sock, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t now = platform_now_ms();
	uint64_t end = kernel_tcp_end(sock, NET_SO_SNDTIMEO, now);
	size_t sent = 0;
	int rc;

	if (len > INT32_MAX)
		len = INT32_MAX; /* the count must fit the result */
	do {
		rc = net_tcp_send(sock, p + sent, len - sent, now);
		if (rc > 0)
			sent += (size_t)rc;
		else if (rc != NET_EAGAIN)
			break;
		if (sent == len)
			break;
	} while (kernel_tcp_turn(&now, end));
	if (sent > 0 || (len == 0 && rc == 0))
		return (int)sent;
	return rc;
}

int kernel_tcp_recv(int sock, void *buf, size_t cap)
{
	uint64_t now = platform_now_ms();
	uint64_t end = kernel_tcp_end(sock, NET_SO_RCVTIMEO, now);
	int rc = net_tcp_recv(sock, buf, cap, now);

	while (rc == NET_EAGAIN && kernel_tcp_turn(&now, end))
		rc = net_tcp_recv(sock, buf, cap, now);
	return rc;
}

int kernel_tcp_poll(struct net_pollfd *fds, size_t n, int timeout_ms)
{
	uint64_t now = platform_now_ms();
	uint64_t end =
	    timeout_ms < 0 ? KERNEL_TCP_FOREVER : now + (uint64_t)timeout_ms;
	int rc = net_tcp_poll(fds, n);

	while (rc == 0 && kernel_tcp_turn(&now, end))
		rc = net_tcp_poll(fds, n);
	return rc;
}

int kernel_tcp_close(int sock)
{
	return net_tcp_close(sock, platform_now_ms());
}
