/*
 * fuzz_dhcp.c - libFuzzer harness: DHCP messages into the wire parser
 * (net/dhcp_wire.c) and, as server replies, into the client (net/dhcp.c).
 *
 * Input: a sequence of records, each
 *
 *     ctl:u8  len:u16 (big endian)  payload[len]
 *
 * (a last record shorter than its len takes what is left). Every payload
 * first goes to dhcp_wire_parse() from a heap copy of exactly its length,
 * so ASan sees any read past it. Then `ctl` says:
 *
 *     bits 0-4  how far the clock advances first, an index into
 *               fuzz_dhcp_steps (0 ms .. 1 day), so retransmissions,
 *               probing, T1, T2 and expiry all come due; it moves the
 *               way the kernel's loop moves it, polling at every deadline
 *               on the way (at most FUZZ_DHCP_MAX_TURNS of them)
 *     bit 5     make it a reply to the client's current request: op 2,
 *               Ethernet, the xid of the client's last message, our
 *               chaddr and the magic cookie are written over the payload
 *               (as far as it reaches), so mutations get past the xid and
 *               chaddr checks into the state machine
 *     bit 6     the payload is a whole Ethernet frame for net_input()
 *               (ARP during probing, anything else) instead of a DHCP
 *               message
 *     bit 7     stop and restart the client first (INIT-REBOOT)
 *
 * A DHCP payload travels as a UDP datagram 10.0.0.1:67 -> 68, broadcast,
 * or unicast to the client's address on every other record once it has
 * one; at most 1472 bytes of it (one frame). The server answers ARP
 * requests for its address after every poll, so that renewals leave.
 *
 * Checked after every record (fuzz_dhcp_check): the interface has an
 * address exactly while the client holds a lease, and it is the lease's;
 * the IP MTU is within 576..1500. Every frame the stack sends is checked
 * (fuzz_dhcp_check_tx): our MAC, a correct IPv4 header; a DHCP message
 * has a correct UDP checksum, leaves from 0.0.0.0 only to the broadcast
 * address and otherwise from the lease's address, and parses as a
 * BOOTREQUEST. Anything else abort()s.
 *
 * The stack (no address, client started with host name "fuzz") is set up
 * once and keeps its state across inputs; FUZZ_DHCP_RESET=1 sets it up
 * afresh for every input to replay a crash from its input alone, and
 * FUZZ_DHCP_TRACE=1 prints the client's state after every record.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klib/bytes.h>
#include <net/dhcp.h>
#include <net/net.h>

#include "dhcp_wire.h"
#include "fuzz_netdev.h"
#include "iface.h"

#define FUZZ_DHCP_SERVER      0x0a000001u
#define FUZZ_DHCP_MAX_RECORDS 256
#define FUZZ_DHCP_MAX_TURNS   64
#define FUZZ_DHCP_UDP_MAX     1472
#define FUZZ_DHCP_CTL_PATCH   0x20
#define FUZZ_DHCP_CTL_RAW     0x40
#define FUZZ_DHCP_CTL_RESTART 0x80

/* clang-format off */
static const uint64_t fuzz_dhcp_steps[32] = {
	0, 1, 10, 100, 500, 999, 1000, 1001,
	1500, 2000, 2001, 3000, 4000, 5000, 7000, 8000,
	10000, 12000, 16000, 30000, 32000, 50000, 60000, 64000,
	65000, 87500, 100000, 120000, 600000, 3600000, 43200000, 86400000,
};
/* clang-format on */

static const uint8_t fuzz_dhcp_server_mac[6] = {0x02, 0, 0, 0, 0, 0x01};

static uint64_t fuzz_dhcp_now = 1000;
static uint32_t fuzz_dhcp_xid;	  /* of the client's last message */
static unsigned fuzz_dhcp_record; /* index in the current input */
static int fuzz_dhcp_trace;
static int fuzz_dhcp_arp_asked; /* we sent an ARP request for the server */
static uint8_t fuzz_dhcp_frame[14 + 20 + 8 + FUZZ_DHCP_UDP_MAX];

static void fuzz_dhcp_bug(const char *why, const uint8_t *frame, size_t len)
{
	fprintf(stderr, "fuzz_dhcp: %s (state %s)\n", why,
		net_dhcp_state_name(net_dhcp_state()));
	for (size_t i = 0; frame && i < len && i < 128; i++)
		fprintf(stderr, "%02x%s", frame[i], i % 32 == 31 ? "\n" : "");
	fprintf(stderr, "\n");
	abort();
}

/* The ones'-complement sum of `len` bytes added to `sum` (not folded). */
static uint32_t fuzz_dhcp_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += ld_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fuzz_dhcp_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t fuzz_dhcp_pseudo(uint32_t src, uint32_t dst, size_t len)
{
	uint8_t ph[12];

	st_be32(ph, src);
	st_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 17;
	st_be16(ph + 10, (uint16_t)len);
	return fuzz_dhcp_sum(0, ph, sizeof(ph));
}

/* A DHCP message the client sent: its addresses and contents. */
static void fuzz_dhcp_check_msg(const uint8_t *frame, size_t len,
				const uint8_t *ip, const uint8_t *udp,
				size_t ulen)
{
	struct net_dhcp_lease l;
	struct dhcp_msg m;
	uint32_t src = ld_be32(ip + 12), dst = ld_be32(ip + 16);

	if (fuzz_dhcp_fold(fuzz_dhcp_sum(fuzz_dhcp_pseudo(src, dst, ulen), udp,
					 ulen)) != 0xffff)
		fuzz_dhcp_bug("DHCP message with a bad UDP checksum", frame,
			      len);
	if (src == 0 && dst != NET_IPV4_BROADCAST)
		fuzz_dhcp_bug("unicast from 0.0.0.0", frame, len);
	if (src != 0 && (net_dhcp_lease(&l) != NET_OK || src != l.addr))
		fuzz_dhcp_bug("sent from an address not leased", frame, len);
	if (dhcp_wire_parse(udp + 8, ulen - 8, &m) != DHCP_WIRE_OK ||
	    m.op != DHCP_OP_REQUEST || m.type == 0 ||
	    memcmp(m.chaddr, fuzz_netdev_mac, 6) != 0)
		fuzz_dhcp_bug("our DHCP message does not parse", frame, len);
	fuzz_dhcp_xid = m.xid;
}

static void fuzz_dhcp_check_tx(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + 14, *udp;
	size_t tot;

	if (len < 14 || memcmp(frame + 6, fuzz_netdev_mac, 6) != 0)
		fuzz_dhcp_bug("a frame not from our MAC", frame, len);
	if (ld_be16(frame + 12) == 0x0806 && len >= 42 &&
	    ld_be16(frame + 20) == 1 && ld_be32(frame + 38) == FUZZ_DHCP_SERVER)
		fuzz_dhcp_arp_asked = 1;
	if (ld_be16(frame + 12) != 0x0800)
		return; /* ARP: fuzz_frame checks it */
	if (len < 34 || ip[0] != 0x45 ||
	    fuzz_dhcp_fold(fuzz_dhcp_sum(0, ip, 20)) != 0xffff)
		fuzz_dhcp_bug("a bad IPv4 header", frame, len);
	tot = ld_be16(ip + 2);
	if (tot < 20 || 14 + tot > len)
		fuzz_dhcp_bug("a bad IPv4 length", frame, len);
	udp = ip + 20;
	if (ip[9] != 17 || tot < 28 || ld_be16(udp + 2) != DHCP_SERVER_PORT ||
	    (ld_be16(ip + 6) & 0x3fff) != 0)
		return;
	if (ld_be16(udp) != DHCP_CLIENT_PORT || ld_be16(udp + 4) != tot - 20)
		fuzz_dhcp_bug("a bad UDP header to port 67", frame, len);
	fuzz_dhcp_check_msg(frame, len, ip, udp, tot - 20);
}

static void fuzz_dhcp_check(void)
{
	struct net_dhcp_lease l;
	struct net_ipv4_config cfg;
	bool has = net_dhcp_lease(&l) == NET_OK;

	net_get_ipv4(&cfg);
	if (has != (cfg.addr != 0) || (has && cfg.addr != l.addr))
		fuzz_dhcp_bug("interface address and lease disagree", NULL, 0);
	if (net_iface.mtu < 576 || net_iface.mtu > 1500)
		fuzz_dhcp_bug("IP MTU out of range", NULL, 0);
	(void)net_dhcp_take_events();
	(void)net_next_deadline();
}

static void fuzz_dhcp_start(void)
{
	static const struct net_dhcp_config cfg = {"fuzz", 0};

	if (net_dhcp_start(&cfg, fuzz_dhcp_now) != NET_OK) {
		fprintf(stderr, "fuzz_dhcp: the client did not start\n");
		abort();
	}
}

static void fuzz_dhcp_setup(void)
{
	static const uint8_t secret[NET_SECRET_LEN] = {
	    0x6b, 0x65, 0x65, 0x6c, 0x2d, 0x66, 0x75, 0x7a,
	    0x7a, 0x2d, 0x64, 0x68, 0x63, 0x70, 0x21, 0x21,
	};

	fuzz_netdev_reset();
	fuzz_netdev_set_tx_hook(fuzz_dhcp_check_tx);
	fuzz_dhcp_now = 1000;
	fuzz_dhcp_xid = 0;
	fuzz_dhcp_arp_asked = 0;
	if (net_init(&fuzz_netdev, secret) != NET_OK) {
		fprintf(stderr, "fuzz_dhcp: the stack did not come up\n");
		abort();
	}
	fuzz_dhcp_start();
}

/* The server's ARP reply to our request, if we asked. */
static void fuzz_dhcp_answer_arp(void)
{
	uint8_t f[42];
	struct net_ipv4_config cfg;

	if (!fuzz_dhcp_arp_asked)
		return;
	fuzz_dhcp_arp_asked = 0;
	net_get_ipv4(&cfg);
	memcpy(f, fuzz_netdev_mac, 6);
	memcpy(f + 6, fuzz_dhcp_server_mac, 6);
	st_be16(f + 12, 0x0806);
	st_be16(f + 14, 1);
	st_be16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	st_be16(f + 20, 2);
	memcpy(f + 22, fuzz_dhcp_server_mac, 6);
	st_be32(f + 28, FUZZ_DHCP_SERVER);
	memcpy(f + 32, fuzz_netdev_mac, 6);
	st_be32(f + 38, cfg.addr);
	net_input(f, sizeof(f), fuzz_dhcp_now);
}

/* net_poll(), then the server's answer to ARP. */
static void fuzz_dhcp_poll(void)
{
	net_poll(fuzz_dhcp_now);
	fuzz_dhcp_answer_arp();
}

/* Whether byte i of a message is one fuzz_dhcp_patch() writes. */
static int fuzz_dhcp_is_patched(size_t i)
{
	return i <= DHCP_OFF_HLEN || (i >= DHCP_OFF_XID && i < DHCP_OFF_SECS) ||
	       (i >= DHCP_OFF_CHADDR && i < DHCP_OFF_CHADDR + 6) ||
	       (i >= DHCP_OFF_COOKIE && i < DHCP_FIXED_LEN);
}

/* Write a reply header to the client's last request over the payload;
 * the other bytes stay as the fuzzer made them. */
static void fuzz_dhcp_patch(uint8_t *p, size_t len)
{
	uint8_t head[DHCP_FIXED_LEN] = {DHCP_OP_REPLY, DHCP_HTYPE_ETHERNET,
					DHCP_HLEN_ETHERNET};

	st_be32(head + DHCP_OFF_XID, fuzz_dhcp_xid);
	memcpy(head + DHCP_OFF_CHADDR, fuzz_netdev_mac, 6);
	st_be32(head + DHCP_OFF_COOKIE, DHCP_COOKIE);
	for (size_t i = 0; i < len && i < sizeof(head); i++)
		if (fuzz_dhcp_is_patched(i))
			p[i] = head[i];
}

/* The payload as a UDP datagram from the server, through the driver. */
static void fuzz_dhcp_deliver(const uint8_t *data, size_t len)
{
	uint8_t *f = fuzz_dhcp_frame, *ip = f + 14, *udp = ip + 20;
	uint32_t dst = NET_IPV4_BROADCAST, sum;
	struct net_ipv4_config cfg;
	uint8_t *copy;
	size_t flen;

	net_get_ipv4(&cfg);
	if (cfg.addr != 0 && (fuzz_dhcp_record & 1))
		dst = cfg.addr;
	memcpy(f,
	       dst == NET_IPV4_BROADCAST ? (const uint8_t *)"\xff\xff\xff"
							    "\xff\xff\xff"
					 : fuzz_netdev_mac,
	       6);
	memcpy(f + 6, fuzz_dhcp_server_mac, 6);
	st_be16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	st_be16(ip + 2, (uint16_t)(28 + len));
	ip[8] = 64;
	ip[9] = 17;
	st_be32(ip + 12, FUZZ_DHCP_SERVER);
	st_be32(ip + 16, dst);
	st_be16(ip + 10, (uint16_t)~fuzz_dhcp_fold(fuzz_dhcp_sum(0, ip, 20)));
	st_be16(udp, DHCP_SERVER_PORT);
	st_be16(udp + 2, DHCP_CLIENT_PORT);
	st_be16(udp + 4, (uint16_t)(8 + len));
	st_be16(udp + 6, 0);
	memcpy(udp + 8, data, len);
	sum = fuzz_dhcp_sum(fuzz_dhcp_pseudo(FUZZ_DHCP_SERVER, dst, 8 + len),
			    udp, 8 + len);
	st_be16(udp + 6, (uint16_t)~fuzz_dhcp_fold(sum));
	if (ld_be16(udp + 6) == 0)
		st_be16(udp + 6, 0xffff);
	flen = 14 + 28 + len;
	copy = malloc(flen);
	if (!copy)
		abort();
	memcpy(copy, f, flen);
	fuzz_netdev_set_rx(copy, flen);
	fuzz_dhcp_poll();
	free(copy);
}

/* Move the clock by `step`, polling at each deadline on the way. */
static void fuzz_dhcp_advance(uint64_t step)
{
	uint64_t target = fuzz_dhcp_now + step;

	for (int i = 0; i < FUZZ_DHCP_MAX_TURNS; i++) {
		uint64_t next = net_next_deadline();

		if (next > target)
			break;
		if (next > fuzz_dhcp_now)
			fuzz_dhcp_now = next;
		fuzz_dhcp_poll();
	}
	fuzz_dhcp_now = target;
	fuzz_dhcp_poll();
}

static void fuzz_dhcp_one(uint8_t ctl, const uint8_t *data, size_t len)
{
	struct dhcp_msg m;
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, data, len);
	(void)dhcp_wire_parse(copy, len, &m);
	fuzz_dhcp_advance(fuzz_dhcp_steps[ctl & 0x1f]);
	if (ctl & FUZZ_DHCP_CTL_RESTART) {
		net_dhcp_stop(fuzz_dhcp_now);
		fuzz_dhcp_start();
		fuzz_dhcp_poll();
	}
	if (ctl & FUZZ_DHCP_CTL_RAW) {
		if (len > 0)
			net_input(copy, len, fuzz_dhcp_now);
		fuzz_dhcp_poll();
	} else if (len > 0) {
		if (len > FUZZ_DHCP_UDP_MAX)
			len = FUZZ_DHCP_UDP_MAX;
		if (ctl & FUZZ_DHCP_CTL_PATCH)
			fuzz_dhcp_patch(copy, len);
		fuzz_dhcp_deliver(copy, len);
	}
	free(copy);
	fuzz_dhcp_check();
	if (fuzz_dhcp_trace)
		fprintf(stderr, "fuzz_dhcp: record %u at %llu ms: %s\n",
			fuzz_dhcp_record, (unsigned long long)fuzz_dhcp_now,
			net_dhcp_state_name(net_dhcp_state()));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready, reset = -1;
	size_t off = 0, len;

	if (reset < 0) {
		reset = getenv("FUZZ_DHCP_RESET") != NULL;
		fuzz_dhcp_trace = getenv("FUZZ_DHCP_TRACE") != NULL;
	}
	if (!ready || reset) {
		fuzz_dhcp_setup();
		ready = 1;
	}
	fuzz_dhcp_record = 0;
	while (off + 3 <= size && fuzz_dhcp_record < FUZZ_DHCP_MAX_RECORDS) {
		uint8_t ctl = data[off];

		len = ld_be16(data + off + 1);
		off += 3;
		if (len > size - off)
			len = size - off;
		fuzz_dhcp_one(ctl, data + off, len);
		off += len;
		fuzz_dhcp_record++;
	}
	return 0;
}
