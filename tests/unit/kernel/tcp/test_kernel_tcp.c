/*
 * test_kernel_tcp.c - the blocking TCP calls (kernel/kernel_tcp.c) with a
 * fake platform, as test_kernel_dns.c does: platform_now_ms() reads a fake
 * clock, and platform_idle() lets the test act as the peer (answer a SYN,
 * send data, acknowledge, connect, or ask the kernel to stop) and then
 * jumps the clock to the deadline it is given.
 *
 * The stack runs on the fake netdev (tests/unit/net/fake_netdev.h); the
 * peer is 10.0.0.1, already known to ARP, port 40000.
 */
#include "test.h"

#include <kernel/kernel.h>
#include <kernel/platform.h>
#include <kernel/tcp.h>
#include <klib/bytes.h>
#include <net/net.h>
#include <net/tcp.h>

#include "fake_netdev.h"
#include "net_config.h"

#define PPORT 40000
#define LPORT 80
#define PISS  5000u

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* What the fake peer does when the loop sleeps. */
enum t_act {
	T_SILENT,
	T_SYNACK,  /* answer keel's SYN */
	T_REFUSE,  /* answer keel's SYN with RST */
	T_DATA,	   /* send "hello" once */
	T_ACK_ALL, /* acknowledge all keel sent */
	T_CONNECT, /* open a connection to LPORT (SYN, then ACK) */
	T_STOP,
};

static uint64_t t_now;
static bool t_stopping;
static enum t_act t_act;
static int t_idles;
static uint16_t t_lport; /* keel's port */
static uint32_t t_pnxt;	 /* the peer's next sequence number */
static uint32_t t_kiss;	 /* keel's ISN */
static bool t_data_sent;
static uint8_t frame[FAKE_FRAME_MAX];
static uint8_t seg[FAKE_FRAME_MAX];
static uint8_t buf[8192];

/* ---- the peer ---------------------------------------------------------- */

static void t_send(uint8_t flags, uint32_t seq, uint32_t ack, const void *d,
		   size_t len)
{
	struct fake_ip ip = {
	    .src = FAKE_PEER_IP, .dst = FAKE_IP, .proto = 6, .ttl = 64};
	uint8_t ph[12];

	memset(seg, 0, 20);
	st_be16(seg, PPORT);
	st_be16(seg + 2, t_lport);
	st_be32(seg + 4, seq);
	st_be32(seg + 8, ack);
	seg[12] = 5 << 4;
	seg[13] = flags;
	st_be16(seg + 14, 65535);
	if (len)
		memcpy(seg + 20, d, len);
	st_be32(ph, FAKE_PEER_IP);
	st_be32(ph + 4, FAKE_IP);
	st_be16(ph + 8, 6);
	st_be16(ph + 10, (uint16_t)(20 + len));
	st_be16(seg + 16,
		fake_csum_fold(fake_csum_add(fake_csum_add(0, ph, sizeof(ph)),
					     seg, 20 + len)));
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &ip, seg, 20 + len));
}

/* Keel's last segment with `flags` set (seq, end of its data); false when
 * there is none. */
static bool t_keel_seg(uint8_t flags, uint32_t *seq, uint32_t *end)
{
	bool found = false;

	for (size_t i = 0; i < fake_netdev_tx_count(); i++) {
		size_t len;
		const uint8_t *ip = fake_tx_ipv4_sane(i, &len);
		const uint8_t *t = ip ? ip + 20 : NULL;

		if (!ip || ip[9] != 6 || (t[13] & flags) != flags)
			continue;
		t_lport = ld_be16(t);
		*seq = ld_be32(t + 4);
		*end = *seq + (uint32_t)(len - 20 - (size_t)(t[12] >> 4) * 4) +
		       !!(t[13] & (F_SYN | F_FIN));
		found = true;
	}
	return found;
}

static void t_peer_act(void)
{
	uint32_t seq, end;

	switch (t_act) {
	case T_SYNACK:
	case T_REFUSE:
		if (!t_keel_seg(F_SYN, &seq, &end))
			break;
		t_kiss = seq;
		t_pnxt = PISS + 1;
		if (t_act == T_REFUSE)
			t_send(F_RST | F_ACK, 0, seq + 1, NULL, 0);
		else
			t_send(F_SYN | F_ACK, PISS, seq + 1, NULL, 0);
		break;
	case T_DATA:
		if (!t_data_sent)
			t_send(F_ACK | F_PSH, t_pnxt, t_kiss + 1, "hello", 5);
		t_data_sent = true;
		break;
	case T_ACK_ALL:
		if (t_keel_seg(F_ACK, &seq, &end))
			t_send(F_ACK, t_pnxt, end, NULL, 0);
		break;
	case T_CONNECT:
		t_lport = LPORT;
		if (t_keel_seg(F_SYN | F_ACK, &seq, &end))
			t_send(F_ACK, PISS + 1, seq + 1, NULL, 0);
		else
			t_send(F_SYN, PISS, 0, NULL, 0);
		break;
	case T_STOP:
		t_stopping = true;
		break;
	case T_SILENT:
		break;
	}
	fake_netdev_tx_clear();
}

/* ---- the fake platform and kernel ------------------------------------ */

uint64_t platform_now_ms(void)
{
	return t_now;
}

bool kernel_is_stopping(void)
{
	return t_stopping;
}

void platform_idle(uint64_t deadline_ms)
{
	t_idles++;
	t_peer_act();
	if (deadline_ms > t_now)
		t_now = deadline_ms;
}

static void t_setup(enum t_act act)
{
	t_now = 1000;
	fake_stack_up_peer(t_now);
	t_stopping = false;
	t_act = act;
	t_idles = 0;
	t_data_sent = false;
}

/* A blocking socket (timeouts in ms, 0: none). */
static int t_socket(int rcvtimeo, int sndtimeo)
{
	int s = net_tcp_open();

	net_tcp_setsockopt(s, NET_SO_NONBLOCK, 0);
	net_tcp_setsockopt(s, NET_SO_RCVTIMEO, rcvtimeo);
	net_tcp_setsockopt(s, NET_SO_SNDTIMEO, sndtimeo);
	return s;
}

/* A blocking socket connected to the peer. */
static int t_connected(int rcvtimeo, int sndtimeo)
{
	int s = t_socket(rcvtimeo, sndtimeo);

	t_act = T_SYNACK;
	if (kernel_tcp_connect(s, FAKE_PEER_IP, PPORT) != NET_OK)
		return -100;
	t_act = T_SILENT;
	t_idles = 0;
	return s;
}

/* ---- cases ----------------------------------------------------------- */

TEST(connect_waits_for_the_handshake)
{
	int s;

	t_setup(T_SYNACK);
	s = t_socket(0, 0);
	CHECK_EQ(kernel_tcp_connect(s, FAKE_PEER_IP, PPORT), NET_OK);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_ESTABLISHED);
	CHECK_EQ(t_idles, 1);
}

TEST(connect_reports_a_refusal_and_clears_so_error)
{
	int s, err = 1;

	t_setup(T_REFUSE);
	s = t_socket(0, 0);
	CHECK_EQ(kernel_tcp_connect(s, FAKE_PEER_IP, PPORT), NET_ECONNREFUSED);
	CHECK_EQ(net_tcp_getsockopt(s, NET_SO_ERROR, &err), NET_OK);
	CHECK_EQ(err, NET_OK);
}

TEST(connect_gives_up_at_its_timeout_and_goes_on)
{
	int s;

	t_setup(T_SILENT);
	s = t_socket(0, 500);
	CHECK_EQ(kernel_tcp_connect(s, FAKE_PEER_IP, PPORT), NET_EAGAIN);
	CHECK_EQ(t_now, 1500);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_SENT);
}

TEST(connect_times_out_in_the_stack_without_a_limit)
{
	int s;

	t_setup(T_SILENT);
	s = t_socket(0, 0);
	CHECK_EQ(kernel_tcp_connect(s, FAKE_PEER_IP, PPORT), NET_ETIMEDOUT);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_CLOSED);
}

TEST(non_blocking_sockets_never_wait)
{
	int s = 0;

	t_setup(T_SYNACK);
	s = net_tcp_open();
	CHECK_EQ(kernel_tcp_connect(s, FAKE_PEER_IP, PPORT), NET_OK);
	CHECK_EQ(net_tcp_state(s), TCP_STATE_SYN_SENT);
	CHECK_EQ(kernel_tcp_send(s, "x", 1), NET_EAGAIN);
	CHECK_EQ(kernel_tcp_recv(s, buf, sizeof(buf)), NET_EAGAIN);
	CHECK_EQ(t_idles, 0);
	CHECK_EQ(kernel_tcp_send(-1, "x", 1), NET_EBADF);
	CHECK_EQ(kernel_tcp_recv(-1, buf, 1), NET_EBADF);
	CHECK_EQ(kernel_tcp_accept(-1, NULL, NULL), NET_EBADF);
	CHECK_EQ(kernel_tcp_connect(-1, FAKE_PEER_IP, PPORT), NET_EBADF);
}

TEST(recv_waits_for_data)
{
	int s;

	t_setup(T_SILENT);
	s = t_connected(0, 0);
	CHECK(s >= 0);
	t_act = T_DATA;
	CHECK_EQ(kernel_tcp_recv(s, buf, sizeof(buf)), 5);
	CHECK_MEM(buf, "hello", 5);
	CHECK_EQ(t_idles, 1);
}

TEST(recv_gives_up_at_its_timeout)
{
	int s;
	uint64_t start;

	t_setup(T_SILENT);
	s = t_connected(300, 0);
	CHECK(s >= 0);
	start = t_now;
	CHECK_EQ(kernel_tcp_recv(s, buf, sizeof(buf)), NET_EAGAIN);
	CHECK_EQ(t_now, start + 300);
}

TEST(a_stop_request_ends_the_wait)
{
	int s;

	t_setup(T_SILENT);
	s = t_connected(0, 0);
	CHECK(s >= 0);
	t_act = T_STOP;
	CHECK_EQ(kernel_tcp_recv(s, buf, sizeof(buf)), NET_EAGAIN);
	CHECK_EQ(t_idles, 1);
}

TEST(send_queues_every_byte)
{
	int s;

	t_setup(T_SILENT);
	s = t_connected(0, 0);
	CHECK(s >= 0);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, 1024), NET_OK);
	memset(buf, 'z', sizeof(buf));
	t_act = T_ACK_ALL;
	CHECK_EQ(kernel_tcp_send(s, buf, 5000), 5000);
	CHECK(t_idles >= 4); /* 1024 bytes a round trip */
}

TEST(send_returns_the_count_queued_at_its_timeout)
{
	int s;

	t_setup(T_SILENT);
	s = t_connected(0, 200);
	CHECK(s >= 0);
	CHECK_EQ(net_tcp_setsockopt(s, NET_SO_SNDBUF, 1024), NET_OK);
	CHECK_EQ(kernel_tcp_send(s, buf, 5000), 1024);
	CHECK_EQ(kernel_tcp_send(s, buf, 5000), NET_EAGAIN);
}

TEST(accept_waits_for_a_connection)
{
	int l, c;
	uint32_t peer = 0;
	uint16_t port = 0;

	t_setup(T_SILENT);
	l = t_socket(0, 0);
	CHECK_EQ(net_tcp_bind(l, 0, LPORT), NET_OK);
	CHECK_EQ(net_tcp_listen(l, 4), NET_OK);
	t_act = T_CONNECT;
	c = kernel_tcp_accept(l, &peer, &port);
	CHECK(c >= 0);
	CHECK_EQ(peer, FAKE_PEER_IP);
	CHECK_EQ(port, PPORT);
	CHECK_EQ(t_idles, 2); /* SYN, then the handshake's ACK */
	/* The listener's options came along: this one blocks too. */
	t_act = T_SILENT;
	CHECK_EQ(net_tcp_setsockopt(l, NET_SO_RCVTIMEO, 100), NET_OK);
	CHECK_EQ(kernel_tcp_accept(l, NULL, NULL), NET_EAGAIN);
}

TEST(poll_waits_for_any_event)
{
	int s;
	struct net_pollfd fd;
	uint64_t start;

	t_setup(T_SILENT);
	s = t_connected(0, 0);
	CHECK(s >= 0);
	fd = (struct net_pollfd){s, NET_POLLIN, 0};
	CHECK_EQ(kernel_tcp_poll(&fd, 1, 0), 0);
	CHECK_EQ(t_idles, 0);
	start = t_now;
	CHECK_EQ(kernel_tcp_poll(&fd, 1, 100), 0);
	CHECK_EQ(t_now, start + 100);
	t_act = T_DATA;
	CHECK_EQ(kernel_tcp_poll(&fd, 1, -1), 1);
	CHECK_EQ(fd.revents, NET_POLLIN);
}
