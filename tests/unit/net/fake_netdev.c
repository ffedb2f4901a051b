/*
 * fake_netdev.c - the test double behind fake_netdev.h, and the peers,
 * checksum and frame helpers the protocol tests share.
 */
#include "fake_netdev.h"

#include <string.h>

#include <klib/bytes.h>
#include <net/net.h>

static struct fake_frame fake_rx[FAKE_NETDEV_RX];
static size_t fake_rx_head, fake_rx_count;
static struct fake_frame fake_txq[FAKE_NETDEV_TX];
static size_t fake_tx_n;
static uint8_t fake_tx_buf[FAKE_FRAME_MAX];
static bool fake_tx_full, fake_link_down;

const uint8_t fake_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
const uint8_t fake_peer_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
const uint8_t fake_peer2_mac[6] = {0x02, 0, 0, 0, 0, 0x03};
const uint8_t fake_bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int fake_rx_peek(struct netdev *dev, const uint8_t **frame)
{
	(void)dev;
	if (fake_rx_count == 0)
		return 0;
	*frame = fake_rx[fake_rx_head].data;
	return (int)fake_rx[fake_rx_head].len;
}

static void fake_rx_done(struct netdev *dev)
{
	(void)dev;
	/* Poison the lent buffer: a stack that keeps a pointer into it after
	 * rx_done() reads garbage and fails its test. */
	memset(fake_rx[fake_rx_head].data, 0xa5, FAKE_FRAME_MAX);
	fake_rx_head = (fake_rx_head + 1) % FAKE_NETDEV_RX;
	fake_rx_count--;
}

static uint8_t *fake_tx_acquire(struct netdev *dev, size_t *cap)
{
	(void)dev;
	if (fake_tx_full)
		return NULL;
	*cap = sizeof(fake_tx_buf);
	return fake_tx_buf;
}

static int fake_tx_submit(struct netdev *dev, size_t len)
{
	(void)dev;
	if (len > sizeof(fake_tx_buf))
		return NET_EINVAL;
	if (fake_tx_n < FAKE_NETDEV_TX) {
		fake_txq[fake_tx_n].len = len;
		memcpy(fake_txq[fake_tx_n].data, fake_tx_buf, len);
		fake_tx_n++;
	}
	memset(fake_tx_buf, 0x5a, sizeof(fake_tx_buf));
	return NET_OK;
}

static bool fake_is_link_up(struct netdev *dev)
{
	(void)dev;
	return !fake_link_down;
}

static const struct netdev_ops fake_ops = {
	.rx_peek = fake_rx_peek,
	.rx_done = fake_rx_done,
	.tx_acquire = fake_tx_acquire,
	.tx_submit = fake_tx_submit,
	.is_link_up = fake_is_link_up,
};

struct netdev fake_netdev = {
	.ops = &fake_ops,
	.name = "fake0",
	.mtu = 1500,
};

void fake_netdev_reset(void)
{
	fake_rx_head = 0;
	fake_rx_count = 0;
	fake_tx_n = 0;
	fake_tx_full = false;
	fake_link_down = false;
	memcpy(fake_netdev.mac, fake_mac, sizeof(fake_mac));
	fake_netdev.mtu = 1500;
}

bool fake_netdev_inject(const uint8_t *frame, size_t len)
{
	size_t slot;

	if (fake_rx_count == FAKE_NETDEV_RX || len > FAKE_FRAME_MAX)
		return false;
	slot = (fake_rx_head + fake_rx_count) % FAKE_NETDEV_RX;
	memcpy(fake_rx[slot].data, frame, len);
	fake_rx[slot].len = len;
	fake_rx_count++;
	return true;
}

size_t fake_netdev_tx_count(void)
{
	return fake_tx_n;
}

const struct fake_frame *fake_netdev_tx(size_t i)
{
	return i < fake_tx_n ? &fake_txq[i] : NULL;
}

void fake_netdev_tx_clear(void)
{
	fake_tx_n = 0;
}

void fake_netdev_set_tx_full(bool full)
{
	fake_tx_full = full;
}

void fake_netdev_set_link(bool up)
{
	fake_link_down = !up;
}

void fake_stack_up(uint64_t now_ms)
{
	static const uint8_t secret[NET_SECRET_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct net_ipv4_config cfg = {FAKE_IP, FAKE_MASK, FAKE_GW};

	fake_netdev_reset();
	net_init(&fake_netdev, secret);
	net_set_ipv4(&cfg, now_ms);
	fake_netdev_tx_clear();
	net_stats_reset();
}

/* ---- peers ---------------------------------------------------------- */

uint64_t fake_stat(enum net_stat id)
{
	return net_stats_get(id);
}

/* Inject an ARP packet `op` from (ip, mac) about our address and poll. */
static void fake_arp_inject(uint16_t op, uint32_t ip, const uint8_t mac[6],
			    uint64_t now_ms)
{
	uint8_t f[42] = {0};
	uint8_t *a = f + 14;
	bool reply = op == 2;

	fake_eth_hdr(f, reply ? fake_mac : fake_bcast_mac, mac, 0x0806);
	st_be16(a, 1);
	st_be16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	st_be16(a + 6, op);
	memcpy(a + 8, mac, 6);
	st_be32(a + 14, ip);
	if (reply)
		memcpy(a + 18, fake_mac, 6);
	st_be32(a + 24, FAKE_IP);
	fake_netdev_inject(f, sizeof(f));
	net_poll(now_ms);
}

void fake_learn(uint32_t ip, const uint8_t mac[6], uint64_t now_ms)
{
	fake_arp_inject(1, ip, mac, now_ms);
}

void fake_arp_reply(uint32_t ip, const uint8_t mac[6], uint64_t now_ms)
{
	fake_arp_inject(2, ip, mac, now_ms);
}

void fake_stack_up_peer(uint64_t now_ms)
{
	fake_stack_up(now_ms);
	fake_learn(FAKE_PEER_IP, fake_peer_mac, now_ms);
	fake_netdev_tx_clear();
	net_stats_reset();
}

/* ---- reference checksum --------------------------------------------- */

uint64_t fake_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	return sum;
}

uint16_t fake_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t fake_csum(const uint8_t *p, size_t len)
{
	return fake_csum_fold(fake_csum_add(0, p, len));
}

/* ---- frames a peer sends -------------------------------------------- */

size_t fake_eth_hdr(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	st_be16(f + 12, type);
	return 14;
}

size_t fake_ipv4_hdr(uint8_t *buf, const struct fake_ip *h, size_t payload_len)
{
	size_t hl = 20 + h->opt_len;

	memset(buf, 0, hl);
	buf[0] = (uint8_t)(0x40 | hl / 4);
	st_be16(buf + 2, (uint16_t)(hl + payload_len));
	st_be16(buf + 4, h->id);
	st_be16(buf + 6, h->frag);
	buf[8] = h->ttl;
	buf[9] = h->proto;
	st_be32(buf + 12, h->src);
	st_be32(buf + 16, h->dst);
	if (h->opt_len)
		memcpy(buf + 20, h->opt, h->opt_len);
	st_be16(buf + 10, fake_csum(buf, hl));
	return hl;
}

size_t fake_ipv4_frame(uint8_t *f, const struct fake_ip *h,
		       const uint8_t *payload, size_t len)
{
	size_t n = fake_eth_hdr(f, h->l2_dst ? h->l2_dst : fake_mac,
				fake_peer_mac, 0x0800);

	n += fake_ipv4_hdr(f + n, h, len);
	if (len)
		memcpy(f + n, payload, len);
	return n + len;
}

size_t fake_icmp_msg(uint8_t *msg, uint8_t type, uint8_t code, uint32_t rest,
		     size_t data_len)
{
	msg[0] = type;
	msg[1] = code;
	st_be16(msg + 2, 0);
	st_be32(msg + 4, rest);
	st_be16(msg + 2, fake_csum(msg, 8 + data_len));
	return 8 + data_len;
}

/* ---- IPv4 frames the stack sent ------------------------------------- */

const uint8_t *fake_tx_ipv4(size_t i, uint8_t proto)
{
	const struct fake_frame *f = fake_netdev_tx(i);

	if (!f || f->len < 34 || ld_be16(f->data + 12) != 0x0800 ||
	    f->data[14 + 9] != proto)
		return NULL;
	return f->data + 14;
}

const uint8_t *fake_tx_ipv4_sane(size_t i, size_t *len)
{
	const struct fake_frame *f = fake_netdev_tx(i);
	const uint8_t *ip;

	if (!f || f->len < 34 || ld_be16(f->data + 12) != 0x0800)
		return NULL;
	ip = f->data + 14;
	*len = ld_be16(ip + 2);
	if (ip[0] != 0x45 || fake_csum(ip, 20) != 0 || *len != f->len - 14 ||
	    *len > fake_netdev.mtu)
		return NULL;
	return ip;
}

size_t fake_tx_reassemble(size_t first, size_t n, uint8_t *out, size_t cap)
{
	static uint8_t seen[65536];
	size_t total = 0, got = 0;
	uint16_t id = 0;

	memset(seen, 0, sizeof(seen));
	for (size_t i = first; i < first + n; i++) {
		const uint8_t *ip;
		uint16_t frag;
		size_t off, len;

		ip = fake_tx_ipv4_sane(i, &len);
		if (!ip)
			return 0;
		frag = ld_be16(ip + 6);
		off = (size_t)(frag & 0x1fff) * 8;
		len -= 20;
		if (i == first)
			id = ld_be16(ip + 4);
		if (ld_be16(ip + 4) != id || (frag & 0x4000) || off + len > cap)
			return 0;
		if ((frag & 0x2000) ? len % 8 != 0 : total != 0)
			return 0;
		if (!(frag & 0x2000))
			total = off + len;
		for (size_t k = off; k < off + len; k++)
			if (seen[k]++)
				return 0;
		memcpy(out + off, ip + 20, len);
		got += len;
	}
	return got == total ? total : 0;
}
