/*
 * fake_netdev.c - the test double behind fake_netdev.h.
 */
#include "fake_netdev.h"

#include <string.h>

#include <net/net.h>

static struct fake_frame fake_rx[FAKE_NETDEV_RX];
static size_t fake_rx_head, fake_rx_count;
static struct fake_frame fake_txq[FAKE_NETDEV_TX];
static size_t fake_tx_n;
static uint8_t fake_tx_buf[FAKE_FRAME_MAX];
static bool fake_tx_full, fake_link_down;

const uint8_t fake_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

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
