/*
 * null_netdev.c - the device of null_netdev.h: one static transmit
 * buffer, lent out again and again; no receive ring at all.
 */
#include "null_netdev.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel_config.h>
#include <net/net.h>

#define NULL_NETDEV_FRAME_MAX (CONFIG_NET_MTU + 14)

static uint8_t null_netdev_buf[NULL_NETDEV_FRAME_MAX];
static uint64_t null_netdev_sent;

static int null_netdev_rx_peek(struct netdev *dev, const uint8_t **frame)
{
	(void)dev;
	*frame = NULL;
	return 0;
}

static void null_netdev_rx_done(struct netdev *dev)
{
	(void)dev;
}

static uint8_t *null_netdev_tx_acquire(struct netdev *dev, size_t *cap)
{
	(void)dev;
	*cap = sizeof(null_netdev_buf);
	return null_netdev_buf;
}

static int null_netdev_tx_submit(struct netdev *dev, size_t len)
{
	(void)dev;
	if (len > sizeof(null_netdev_buf))
		return NET_EINVAL;
	null_netdev_sent++;
	return NET_OK;
}

static bool null_netdev_is_link_up(struct netdev *dev)
{
	(void)dev;
	return true;
}

static const struct netdev_ops null_netdev_ops = {
    .rx_peek = null_netdev_rx_peek,
    .rx_done = null_netdev_rx_done,
    .tx_acquire = null_netdev_tx_acquire,
    .tx_submit = null_netdev_tx_submit,
    .is_link_up = null_netdev_is_link_up,
};

static struct netdev null_netdev_dev = {
    .ops = &null_netdev_ops,
    .name = "null0",
    .mtu = CONFIG_NET_MTU,
};

struct netdev *null_netdev_open(void)
{
	return &null_netdev_dev;
}

uint64_t null_netdev_tx_frames(void)
{
	return null_netdev_sent;
}
