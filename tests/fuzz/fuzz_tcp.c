/*
 * fuzz_tcp.c - libFuzzer harness: TCP segments from one peer into keel's
 * TCP (net/tcp*.c), deep into its state machine.
 *
 * keel is 10.0.0.2/24; the peer 10.0.0.77 is known to ARP from the start.
 * keel listens on port 80 (backlog 2, echoing what it reads, like
 * apps/tcp_echo) and, at setup and whenever it has gone, has an active
 * connection open from an ephemeral port to 10.0.0.77:8080.
 *
 * Input: a sequence of records
 *
 *     ctl:u8  len:u16 (big endian)  segment[len]
 *
 * `segment` is a TCP header and payload from 10.0.0.77; the harness wraps
 * it in IPv4 and Ethernet. `ctl` says:
 *
 *     bits 0-4  how far the clock advances first (fuzz_tcp_steps[], so
 *               retransmission, persist, delayed ACK, TIME_WAIT come due)
 *     bit 5     set the segment's checksum right (else keep the fuzzer's)
 *     bit 6     set its ACK field to what keel's connection for that
 *               4-tuple has sent (snd_max), so handshakes complete
 *     bit 7     afterwards, the applications send, shut down and close
 *               (bits 0-1 of the segment's first byte choose which; bit
 *               2 gives newly accepted connections a small SO_RCVBUF
 *               and SO_SNDBUF)
 *
 * After every record the harness checks the connection table's invariants
 * (rings within bounds, out-of-order ranges and the advertised window
 * inside the receive ring, sequence variables in order) and every frame keel
 * sends (IPv4 and TCP checksums, our address); a violation abort()s.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>
#include <net/tcp.h>

#include "checksum.h"
#include "fuzz_netdev.h"
#include "iface.h"
#include "tcp.h"

#define FUZZ_TCP_IP	 0x0a000002u
#define FUZZ_TCP_PEER	 0x0a00004du
#define FUZZ_TCP_MAX	 1600
#define FUZZ_TCP_RECORDS 256

/* clang-format off */
static const uint64_t fuzz_tcp_steps[32] = {
	0, 0, 0, 0, 1, 1, 2, 5,
	10, 39, 40, 41, 100, 199, 200, 201,
	500, 1000, 2000, 3000, 5000, 10000, 30000, 59999,
	60000, 60001, 75000, 120000, 600000, 3600000, 7200000, 7300000,
};
/* clang-format on */

static const uint8_t fuzz_tcp_peer_mac[6] = {2, 0, 0, 0, 0, 0x4d};
static uint64_t fuzz_tcp_now = 1000;
static int fuzz_tcp_listener = -1;
static int fuzz_tcp_active = -1;
static uint8_t fuzz_tcp_buf[4096];
static uint8_t fuzz_tcp_frame[14 + 20 + FUZZ_TCP_MAX];

static void fuzz_tcp_fail(const char *why)
{
	fprintf(stderr, "fuzz_tcp: %s\n", why);
	abort();
}

static void fuzz_tcp_check_tx(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14;
	size_t tot;

	if (len < 14 || ld_be16(f + 12) != 0x0800)
		return; /* ARP: fuzz_frame checks those */
	tot = ld_be16(ip + 2);
	if (len < 34 || 14 + tot > len || csum_fold(csum_add(0, ip, 20)) != 0)
		fuzz_tcp_fail("bad IPv4 header sent");
	if (ld_be32(ip + 12) != FUZZ_TCP_IP)
		fuzz_tcp_fail("IPv4 source is not ours");
	if (ip[9] == 6 &&
	    csum_fold(
		csum_add(csum_pseudo_ipv4(ld_be32(ip + 12), ld_be32(ip + 16), 6,
					  (uint16_t)(tot - 20)),
			 ip + 20, tot - 20)) != 0)
		fuzz_tcp_fail("bad TCP checksum sent");
}

static void fuzz_tcp_inject_arp(void)
{
	uint8_t f[42];

	memset(f, 0xff, 6);
	memcpy(f + 6, fuzz_tcp_peer_mac, 6);
	st_be16(f + 12, 0x0806);
	st_be16(f + 14, 1);
	st_be16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	st_be16(f + 20, 1);
	memcpy(f + 22, fuzz_tcp_peer_mac, 6);
	st_be32(f + 28, FUZZ_TCP_PEER);
	memset(f + 32, 0, 6);
	st_be32(f + 38, FUZZ_TCP_IP);
	net_input(f, sizeof(f), fuzz_tcp_now);
}

static void fuzz_tcp_open_active(void)
{
	fuzz_tcp_active = net_tcp_open();
	if (fuzz_tcp_active >= 0 &&
	    net_tcp_connect(fuzz_tcp_active, FUZZ_TCP_PEER, 8080,
			    fuzz_tcp_now) != NET_OK) {
		net_tcp_close(fuzz_tcp_active, fuzz_tcp_now);
		fuzz_tcp_active = -1;
	}
}

static void fuzz_tcp_setup(void)
{
	static const uint8_t secret[NET_SECRET_LEN] = "keel-fuzz-tcp!!";
	struct net_ipv4_config cfg = {FUZZ_TCP_IP, 0xffffff00u, 0x0a000001u};

	fuzz_netdev_reset();
	fuzz_netdev_set_tx_hook(fuzz_tcp_check_tx);
	fuzz_tcp_now = 1000;
	if (net_init(&fuzz_netdev, secret) != NET_OK ||
	    net_set_ipv4(&cfg, fuzz_tcp_now) != NET_OK)
		fuzz_tcp_fail("the stack did not come up");
	fuzz_tcp_inject_arp();
	fuzz_tcp_listener = net_tcp_open();
	if (net_tcp_bind(fuzz_tcp_listener, 0, 80) != NET_OK ||
	    net_tcp_listen(fuzz_tcp_listener, 2) != NET_OK)
		fuzz_tcp_fail("no listener");
	fuzz_tcp_open_active();
}

/* Sequence-space and ring invariants of every connection. */
static void fuzz_tcp_check_conn(const struct tcp_conn *c)
{
	if (c->rx_len > CONFIG_TCP_RX_RING || c->tx_len > CONFIG_TCP_TX_RING ||
	    c->rx_head >= CONFIG_TCP_RX_RING ||
	    c->tx_head >= CONFIG_TCP_TX_RING)
		fuzz_tcp_fail("ring bounds");
	if (c->state == TCP_STATE_LISTEN || c->state == TCP_STATE_CLOSED)
		return;
	if (seq_gt(c->snd_una, c->snd_max) || seq_gt(c->snd_nxt, c->snd_max))
		fuzz_tcp_fail("snd_una/snd_nxt past snd_max");
	for (int i = 0; i < c->ooo_count; i++) {
		if (!seq_gt(c->ooo[i].start, c->rcv_nxt) ||
		    seq_gt(c->ooo[i].end,
			   c->rcv_nxt + (CONFIG_TCP_RX_RING - c->rx_len)))
			fuzz_tcp_fail("out-of-order range outside the window");
		if (i > 0 && !seq_gt(c->ooo[i].start, c->ooo[i - 1].end))
			fuzz_tcp_fail("out-of-order ranges not sorted");
	}
	if (seq_gt(c->rcv_adv, c->rcv_nxt + (CONFIG_TCP_RX_RING - c->rx_len)))
		fuzz_tcp_fail("window advertised past the receive ring");
	if (c->fin_queued && seq_gt(c->snd_max, c->tx_seq + c->tx_len + 1))
		fuzz_tcp_fail("sent past the FIN");
}

/* Echo on accepted connections; the active one reads and may close. */
static void fuzz_tcp_apps(uint8_t what)
{
	int c;

	while ((c = net_tcp_accept(fuzz_tcp_listener, NULL, NULL)) >= 0) {
		if (what & 1)
			net_tcp_set_nodelay(c, true);
		if (what & 4) {
			net_tcp_setsockopt(c, NET_SO_RCVBUF, 2048);
			net_tcp_setsockopt(c, NET_SO_SNDBUF, 2048);
		}
		/* accepted sockets are found again through tcp_conns */
	}
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++) {
		struct tcp_conn *k = &tcp_conns[i];
		int n;

		if (!k->in_use || !k->user_open || i == fuzz_tcp_listener)
			continue;
		n = net_tcp_recv(i, fuzz_tcp_buf, sizeof(fuzz_tcp_buf),
				 fuzz_tcp_now);
		if (n > 0)
			net_tcp_send(i, fuzz_tcp_buf, (size_t)n, fuzz_tcp_now);
		if (n == 0 || (n < 0 && n != NET_EAGAIN) || (what & 2)) {
			if (i == fuzz_tcp_active)
				fuzz_tcp_active = -1;
			if (what & 2)
				net_tcp_shutdown(i, NET_TCP_SHUT_WR,
						 fuzz_tcp_now);
			else
				net_tcp_close(i, fuzz_tcp_now);
		}
	}
	if (fuzz_tcp_active < 0)
		fuzz_tcp_open_active();
}

/* Fix up a segment as ctl asks. */
static void fuzz_tcp_fixup(uint8_t ctl, uint8_t *t, size_t len)
{
	if ((ctl & 0x40) && len >= 20) {
		struct tcp_conn *c = tcp_conn_lookup(
		    FUZZ_TCP_PEER, ld_be16(t), FUZZ_TCP_IP, ld_be16(t + 2));

		if (c)
			st_be32(t + 8, c->snd_max);
	}
	if ((ctl & 0x20) && len >= 20) {
		st_be16(t + 16, 0);
		st_be16(t + 16, csum_fold(csum_add(
				    csum_pseudo_ipv4(FUZZ_TCP_PEER, FUZZ_TCP_IP,
						     6, (uint16_t)len),
				    t, len)));
	}
}

static void fuzz_tcp_one(uint8_t ctl, const uint8_t *data, size_t len)
{
	uint8_t *f = fuzz_tcp_frame, *ip = f + 14;
	uint8_t *copy;

	if (len > FUZZ_TCP_MAX)
		len = FUZZ_TCP_MAX;
	fuzz_tcp_now += fuzz_tcp_steps[ctl & 0x1f];
	memcpy(f, fuzz_netdev_mac, 6);
	memcpy(f + 6, fuzz_tcp_peer_mac, 6);
	st_be16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	st_be16(ip + 2, (uint16_t)(20 + len));
	ip[8] = 64;
	ip[9] = 6;
	st_be32(ip + 12, FUZZ_TCP_PEER);
	st_be32(ip + 16, FUZZ_TCP_IP);
	st_be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	memcpy(ip + 20, data, len);
	fuzz_tcp_fixup(ctl, ip + 20, len);
	/* Exactly the frame's length on the heap, for ASan. */
	copy = malloc(34 + len);
	if (!copy)
		abort();
	memcpy(copy, f, 34 + len);
	net_input(copy, 34 + len, fuzz_tcp_now);
	free(copy);
	net_poll(fuzz_tcp_now);
	if (ctl & 0x80)
		fuzz_tcp_apps(len > 0 ? data[0] : 0);
	for (int i = 0; i < CONFIG_TCP_SOCKETS; i++)
		if (tcp_conns[i].in_use)
			fuzz_tcp_check_conn(&tcp_conns[i]);
	(void)net_next_deadline();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, len;
	unsigned records = 0;

	/* Fresh state per input: TCP's state is the point of the input. */
	fuzz_tcp_setup();
	while (off + 3 <= size && records++ < FUZZ_TCP_RECORDS) {
		uint8_t ctl = data[off];

		len = ld_be16(data + off + 1);
		off += 3;
		if (len > size - off)
			len = size - off;
		fuzz_tcp_one(ctl, data + off, len);
		off += len;
	}
	return 0;
}
