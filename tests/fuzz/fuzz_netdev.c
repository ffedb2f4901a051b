/*
 * fuzz_netdev.c - the netdev behind fuzz_netdev.h.
 *
 * The checks here are the netdev contract (net/include/net/netdev.h) turned
 * into crashes: libFuzzer records any abort() as a finding with its input.
 */
#include "fuzz_netdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/net.h>

static const uint8_t *fuzz_rx_frame;
static size_t fuzz_rx_len;
static int fuzz_rx_lent; /* rx_peek() returned the frame, no rx_done() */

static uint8_t fuzz_tx_buf[FUZZ_NETDEV_TX_CAP];
static int fuzz_tx_acquired;
static uint64_t fuzz_tx_frames;
static fuzz_netdev_tx_hook fuzz_tx_hook;

const uint8_t fuzz_netdev_mac[NETDEV_MAC_LEN] = {0x02, 0, 0, 0, 0, 0x02};

static void fuzz_netdev_bug(const char *what)
{
	fprintf(stderr, "fuzz_netdev: stack broke the netdev contract: %s\n",
		what);
	abort();
}

static int fuzz_netdev_rx_peek(struct netdev *dev, const uint8_t **frame)
{
	(void)dev;
	if (!fuzz_rx_frame)
		return 0;
	*frame = fuzz_rx_frame;
	fuzz_rx_lent = 1;
	return (int)fuzz_rx_len;
}

static void fuzz_netdev_rx_done(struct netdev *dev)
{
	(void)dev;
	if (!fuzz_rx_lent)
		fuzz_netdev_bug("rx_done() without a lent frame");
	fuzz_rx_lent = 0;
	fuzz_rx_frame = NULL;
	fuzz_rx_len = 0;
}

static uint8_t *fuzz_netdev_tx_acquire(struct netdev *dev, size_t *cap)
{
	(void)dev;
	fuzz_tx_acquired = 1;
	*cap = sizeof(fuzz_tx_buf);
	return fuzz_tx_buf;
}

static int fuzz_netdev_tx_submit(struct netdev *dev, size_t len)
{
	if (!fuzz_tx_acquired)
		fuzz_netdev_bug("tx_submit() without tx_acquire()");
	if (len > (size_t)dev->mtu + 14) {
		fprintf(stderr, "fuzz_netdev: %zu-byte frame > mtu %u + 14\n",
			len, dev->mtu);
		abort();
	}
	fuzz_tx_acquired = 0;
	fuzz_tx_frames++;
	if (fuzz_tx_hook)
		fuzz_tx_hook(fuzz_tx_buf, len);
	/* A stack that reuses stale bytes of a previous frame sends this. */
	memset(fuzz_tx_buf, 0x5a, len);
	return NET_OK;
}

static bool fuzz_netdev_is_link_up(struct netdev *dev)
{
	(void)dev;
	return true;
}

static const struct netdev_ops fuzz_netdev_ops = {
    .rx_peek = fuzz_netdev_rx_peek,
    .rx_done = fuzz_netdev_rx_done,
    .tx_acquire = fuzz_netdev_tx_acquire,
    .tx_submit = fuzz_netdev_tx_submit,
    .is_link_up = fuzz_netdev_is_link_up,
};

struct netdev fuzz_netdev = {
    .ops = &fuzz_netdev_ops,
    .name = "fuzz0",
    .mac = {0x02, 0, 0, 0, 0, 0x02},
    .mtu = FUZZ_NETDEV_MTU,
};

void fuzz_netdev_reset(void)
{
	fuzz_rx_frame = NULL;
	fuzz_rx_len = 0;
	fuzz_rx_lent = 0;
	fuzz_tx_acquired = 0;
	fuzz_tx_frames = 0;
	memcpy(fuzz_netdev.mac, fuzz_netdev_mac, NETDEV_MAC_LEN);
	fuzz_netdev.mtu = FUZZ_NETDEV_MTU;
}

void fuzz_netdev_set_rx(const uint8_t *frame, size_t len)
{
	if (fuzz_rx_lent)
		fuzz_netdev_bug("frame still lent (rx_done() missing)");
	if (!frame || !len) {
		fuzz_rx_frame = NULL;
		fuzz_rx_len = 0;
		return;
	}
	fuzz_rx_frame = frame;
	fuzz_rx_len = len;
}

int fuzz_netdev_rx_pending(void)
{
	return fuzz_rx_frame != NULL;
}

void fuzz_netdev_set_tx_hook(fuzz_netdev_tx_hook hook)
{
	fuzz_tx_hook = hook;
}

uint64_t fuzz_netdev_tx_count(void)
{
	return fuzz_tx_frames;
}
