/*
 * fuzz_frame.c - libFuzzer harness: arbitrary Ethernet frames into the
 * whole stack (eth, arp, ipv4 + reassembly, icmp, udp), with a UDP echo
 * socket on port 7 like apps/udp_echo and a client socket that sends.
 *
 * Input: a sequence of records, each
 *
 *     ctl:u8  len:u16 (big endian)  frame[len]
 *
 * (a last record shorter than its len takes what is left). `ctl` says:
 *
 *     bits 0-4  how far the clock advances before the frame, an index into
 *               fuzz_frame_steps (0 ms .. 1 h), so reassembly timeouts, ARP
 *               aging and ICMP rate limits all come due
 *     bit 5     after the frame, the client socket (port 40000) sends the
 *               frame's bytes as a datagram to port 5353 of ...
 *     bit 6     ... 192.0.2.1 through the gateway when set, else 10.0.0.77
 *     bit 7     deliver through the driver (rx_peek in net_poll) instead
 *               of calling net_input() directly
 *
 * Each frame is copied into a heap buffer of exactly its length, so ASan
 * catches any read past it or after the stack has given it back.
 *
 * The stack is initialised once (fixed secret, 10.0.0.2/24 gw 10.0.0.1) and
 * its state persists across inputs: that finds more, and the stack's
 * memory is static so nothing grows. To replay a crash from its input alone,
 * set FUZZ_FRAME_RESET=1 and the stack is re-initialised for every input.
 *
 * Every frame the stack transmits is checked (fuzz_frame_check_tx): our
 * source MAC and address, a correct IPv4 header checksum and length, and
 * correct ICMP/UDP checksums on unfragmented packets. A frame that fails is
 * a bug and abort()s.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/net.h>

#include "fuzz_netdev.h"
#include "iface.h"

#define FUZZ_FRAME_IP		 0x0a000002u
#define FUZZ_FRAME_MASK		 0xffffff00u
#define FUZZ_FRAME_GW		 0x0a000001u
#define FUZZ_FRAME_ECHO_PORT	 7
#define FUZZ_FRAME_CLIENT_PORT	 40000
#define FUZZ_FRAME_SERVER_PORT	 5353
#define FUZZ_FRAME_ON_LINK_PEER	 0x0a00004du /* 10.0.0.77 */
#define FUZZ_FRAME_OFF_LINK_PEER 0xc0000201u /* 192.0.2.1 */
#define FUZZ_FRAME_MAX_RECORDS	 512
#define FUZZ_FRAME_MAX_DRAIN	 64
#define FUZZ_FRAME_CLIENT_MAX	 9000

/* clang-format off */
static const uint64_t fuzz_frame_steps[32] = {
	0, 1, 2, 3, 5, 10, 20, 50,
	100, 200, 300, 500, 700, 999, 1000, 1001,
	1500, 2000, 3000, 5000, 10000, 20000, 29999, 30000,
	30001, 45000, 59999, 60000, 60001, 120000, 600000, 3600000,
};
/* clang-format on */

static int fuzz_frame_echo = -1;
static int fuzz_frame_client = -1;
static uint64_t fuzz_frame_now = 1000;
static uint8_t fuzz_frame_buf[65536];

static uint16_t fuzz_frame_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t fuzz_frame_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The ones'-complement sum of `len` bytes added to `sum` (not folded). */
static uint32_t fuzz_frame_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += fuzz_frame_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fuzz_frame_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void fuzz_frame_bad_tx(const char *why, const uint8_t *frame, size_t len)
{
	size_t i;

	fprintf(stderr,
		"fuzz_frame: the stack sent a bad frame (%s), "
		"%zu bytes:\n",
		why, len);
	for (i = 0; i < len && i < 128; i++)
		fprintf(stderr, "%02x%s", frame[i], i % 32 == 31 ? "\n" : "");
	fprintf(stderr, "\n");
	abort();
}

static void fuzz_frame_check_l4(const uint8_t *frame, size_t len,
				const uint8_t *ip, size_t ihl, size_t tot)
{
	const uint8_t *l4 = ip + ihl;
	size_t l4len = tot - ihl;
	uint32_t sum;

	switch (ip[9]) {
	case 1: /* ICMP: checksum over the whole message, RFC 792 */
		if (l4len < 8)
			fuzz_frame_bad_tx("short ICMP", frame, len);
		if (fuzz_frame_fold(fuzz_frame_sum(0, l4, l4len)) != 0xffff)
			fuzz_frame_bad_tx("ICMP checksum", frame, len);
		break;
	case 17: /* UDP: length and pseudo-header checksum, RFC 768 */
		if (l4len < 8 || fuzz_frame_be16(l4 + 4) != l4len)
			fuzz_frame_bad_tx("UDP length", frame, len);
		if (fuzz_frame_be16(l4 + 6) == 0)
			break;
		sum = fuzz_frame_sum(0, ip + 12, 8);
		sum += 17 + (uint32_t)l4len;
		sum = fuzz_frame_sum(sum, l4, l4len);
		if (fuzz_frame_fold(sum) != 0xffff)
			fuzz_frame_bad_tx("UDP checksum", frame, len);
		break;
	default:
		break;
	}
}

static void fuzz_frame_check_ipv4(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + 14;
	size_t ihl, tot;

	if (len < 14 + 20)
		fuzz_frame_bad_tx("short IPv4", frame, len);
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = fuzz_frame_be16(ip + 2);
	if (ip[0] >> 4 != 4 || ihl < 20 || tot < ihl || 14 + tot > len)
		fuzz_frame_bad_tx("IPv4 version/IHL/length", frame, len);
	if (fuzz_frame_fold(fuzz_frame_sum(0, ip, ihl)) != 0xffff)
		fuzz_frame_bad_tx("IPv4 header checksum", frame, len);
	if (ip[8] == 0)
		fuzz_frame_bad_tx("TTL 0", frame, len);
	if (fuzz_frame_be32(ip + 12) != FUZZ_FRAME_IP)
		fuzz_frame_bad_tx("IPv4 source is not ours", frame, len);
	/* Only a whole datagram carries a checkable transport header. */
	if ((fuzz_frame_be16(ip + 6) & 0x3fff) == 0)
		fuzz_frame_check_l4(frame, len, ip, ihl, tot);
}

static void fuzz_frame_check_tx(const uint8_t *frame, size_t len)
{
	if (len < 14)
		fuzz_frame_bad_tx("no Ethernet header", frame, len);
	if (memcmp(frame + 6, fuzz_netdev_mac, 6) != 0)
		fuzz_frame_bad_tx("source MAC is not ours", frame, len);
	switch (fuzz_frame_be16(frame + 12)) {
	case 0x0800:
		fuzz_frame_check_ipv4(frame, len);
		break;
	case 0x0806:
		if (len < 14 + 28 || fuzz_frame_be16(frame + 14) != 1 ||
		    fuzz_frame_be16(frame + 16) != 0x0800 || frame[18] != 6 ||
		    frame[19] != 4 ||
		    memcmp(frame + 22, fuzz_netdev_mac, 6) != 0)
			fuzz_frame_bad_tx("ARP", frame, len);
		break;
	default:
		fuzz_frame_bad_tx("unknown EtherType", frame, len);
	}
}

static void fuzz_frame_setup(void)
{
	static const uint8_t secret[NET_SECRET_LEN] = {
	    0x6b, 0x65, 0x65, 0x6c, 0x2d, 0x66, 0x75, 0x7a,
	    0x7a, 0x2d, 0x66, 0x72, 0x61, 0x6d, 0x65, 0x21,
	};
	struct net_ipv4_config cfg = {FUZZ_FRAME_IP, FUZZ_FRAME_MASK,
				      FUZZ_FRAME_GW};

	fuzz_netdev_reset();
	fuzz_netdev_set_tx_hook(fuzz_frame_check_tx);
	fuzz_frame_now = 1000;
	if (net_init(&fuzz_netdev, secret) != NET_OK ||
	    net_set_ipv4(&cfg, fuzz_frame_now) != NET_OK) {
		fprintf(stderr, "fuzz_frame: the stack did not come up\n");
		abort();
	}
	/* The sockets may be missing while udp.c is a stub: the harness then
	 * still fuzzes everything below UDP. */
	fuzz_frame_echo = net_udp_open();
	if (fuzz_frame_echo >= 0 &&
	    net_udp_bind(fuzz_frame_echo, 0, FUZZ_FRAME_ECHO_PORT) != NET_OK)
		fuzz_frame_echo = -1;
	fuzz_frame_client = net_udp_open();
	if (fuzz_frame_client >= 0 &&
	    net_udp_bind(fuzz_frame_client, 0, FUZZ_FRAME_CLIENT_PORT) !=
		NET_OK)
		fuzz_frame_client = -1;
}

/* What apps/udp_echo does: every datagram back to where it came from. */
static void fuzz_frame_drain(void)
{
	uint32_t src;
	uint16_t port;
	int i, n;

	for (i = 0; fuzz_frame_echo >= 0 && i < FUZZ_FRAME_MAX_DRAIN; i++) {
		n = net_udp_recvfrom(fuzz_frame_echo, fuzz_frame_buf,
				     sizeof(fuzz_frame_buf), &src, &port);
		if (n == NET_EAGAIN)
			break;
		if (n < 0)
			continue;
		if ((size_t)n > sizeof(fuzz_frame_buf))
			n = sizeof(fuzz_frame_buf);
		net_udp_sendto(fuzz_frame_echo, fuzz_frame_buf, (size_t)n, src,
			       port, fuzz_frame_now);
	}
	/* The client reads into a small buffer: truncation gets exercised. */
	for (i = 0; fuzz_frame_client >= 0 && i < FUZZ_FRAME_MAX_DRAIN; i++) {
		n = net_udp_recvfrom(fuzz_frame_client, fuzz_frame_buf, 16,
				     NULL, NULL);
		if (n == NET_EAGAIN)
			break;
	}
}

static void fuzz_frame_client_send(uint8_t ctl, const uint8_t *data, size_t len)
{
	uint32_t dst =
	    (ctl & 0x40) ? FUZZ_FRAME_OFF_LINK_PEER : FUZZ_FRAME_ON_LINK_PEER;

	if (fuzz_frame_client < 0)
		return;
	if (len > FUZZ_FRAME_CLIENT_MAX)
		len = FUZZ_FRAME_CLIENT_MAX;
	net_udp_sendto(fuzz_frame_client, data, len, dst,
		       FUZZ_FRAME_SERVER_PORT, fuzz_frame_now);
}

static void fuzz_frame_one(uint8_t ctl, const uint8_t *data, size_t len)
{
	/* Exactly `len` bytes on the heap: ASan sees any overread, even of
	 * an empty frame (its malloc(0) is a non-NULL, poisoned pointer). */
	uint8_t *frame = malloc(len);

	if (!frame)
		abort();
	memcpy(frame, data, len);
	fuzz_frame_now += fuzz_frame_steps[ctl & 0x1f];
	if ((ctl & 0x80) && len > 0) {
		fuzz_netdev_set_rx(frame, len);
		net_poll(fuzz_frame_now);
		if (fuzz_netdev_rx_pending()) {
			fprintf(stderr, "fuzz_frame: net_poll left a frame\n");
			abort();
		}
	} else {
		net_input(frame, len, fuzz_frame_now);
		net_poll(fuzz_frame_now);
	}
	free(frame);
	fuzz_frame_drain();
	if (ctl & 0x20)
		fuzz_frame_client_send(ctl, data, len);
	(void)net_next_deadline();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready, reset = -1;
	size_t off = 0, len;
	unsigned records = 0;
	uint8_t ctl;

	if (reset < 0)
		reset = getenv("FUZZ_FRAME_RESET") != NULL;
	if (!ready || reset) {
		fuzz_frame_setup();
		ready = 1;
	}
	while (off + 3 <= size && records++ < FUZZ_FRAME_MAX_RECORDS) {
		ctl = data[off];
		len = fuzz_frame_be16(data + off + 1);
		off += 3;
		if (len > size - off)
			len = size - off;
		fuzz_frame_one(ctl, data + off, len);
		off += len;
	}
	return 0;
}
