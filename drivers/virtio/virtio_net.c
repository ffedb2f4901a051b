/*
 * virtio_net.c - virtio-net (virtio_net.h): one receive and one transmit
 * queue, each buffer one descriptor holding the 12-byte header and a frame.
 *
 * Receive: CONFIG_VIRTIO_RX_BUFFERS buffers of 12 + max(1514, mtu + 14)
 * bytes (§5.1.6.3.1: without mergeable buffers or GSO, at least 1526) are
 * all posted at start-up, or as many as the queue holds. rx_peek() takes
 * the next used one and lends the frame after the header; rx_done() posts
 * the same buffer again at once, so the ring stays full. The descriptor's
 * token is the buffer's number.
 *
 * Transmit: CONFIG_VIRTIO_TX_BUFFERS buffers of 12 + mtu + 14 bytes on a
 * free stack. tx_acquire() first takes back every buffer the device has
 * finished with (the used ring), then lends one; tx_submit() zeroes the
 * header, pads a short frame to 60 bytes, posts it and notifies the device
 * unless it asked not to be. Transmit interrupts are turned off (a hint):
 * buffers are reclaimed lazily.
 *
 * A device that breaks the ring rules is counted (virtio_net_get_stats) and
 * its values are never used as lengths or indices: see virtqueue.h. The
 * driver keeps its own counters rather than the stack's (<net/stats.h>),
 * which only net/ may increment; the kernel reads both.
 */
#include "virtio_net.h"

#include <string.h>

#include <kernel/log.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>

#include "virtio_mmio.h"
#include "virtio_pci.h"

_Static_assert((CONFIG_VIRTIO_QUEUE_SIZE & (CONFIG_VIRTIO_QUEUE_SIZE - 1)) == 0,
	       "[virtio] queue_size must be a power of 2");
_Static_assert(CONFIG_VIRTIO_QUEUE_SIZE >= 2 &&
		   CONFIG_VIRTIO_QUEUE_SIZE <= VIRTQ_SIZE_MAX,
	       "[virtio] queue_size must be within 2..32768");
_Static_assert(CONFIG_VIRTIO_RX_BUFFERS >= 1 &&
		   CONFIG_VIRTIO_RX_BUFFERS <= CONFIG_VIRTIO_QUEUE_SIZE,
	       "[virtio] rx_buffers must be within 1..queue_size");
_Static_assert(CONFIG_VIRTIO_TX_BUFFERS >= 1 &&
		   CONFIG_VIRTIO_TX_BUFFERS <= CONFIG_VIRTIO_QUEUE_SIZE,
	       "[virtio] tx_buffers must be within 1..queue_size");

#define VNET_RXQ       0
#define VNET_TXQ       1
#define VNET_FRAME_MAX (CONFIG_NET_MTU + 14)
/* The device may send a full Ethernet frame whatever our MTU (§5.1.6.3.1). */
#define VNET_RX_FRAME_MAX (VNET_FRAME_MAX > 1514 ? VNET_FRAME_MAX : 1514)
#define VNET_RX_BUF	  (VIRTIO_NET_HDR_LEN + VNET_RX_FRAME_MAX)
#define VNET_TX_BUF	  (VIRTIO_NET_HDR_LEN + VNET_FRAME_MAX)
#define VNET_TX_MIN	  60 /* Ethernet's minimum frame, without FCS */

VIRTQ_STORAGE(virtio_net_rxq_mem, CONFIG_VIRTIO_QUEUE_SIZE);
VIRTQ_STORAGE(virtio_net_txq_mem, CONFIG_VIRTIO_QUEUE_SIZE);
static _Alignas(64) uint8_t
    virtio_net_rx_buf[CONFIG_VIRTIO_RX_BUFFERS][VNET_RX_BUF];
static _Alignas(64) uint8_t
    virtio_net_tx_buf[CONFIG_VIRTIO_TX_BUFFERS][VNET_TX_BUF];

struct virtio_net_state {
	bool up;
	bool broken_logged;
	struct virtio_dev dev;
	struct virtqueue rxq, txq;
	struct netdev netdev;
	uint16_t rx_lent;     /* buffer lent by rx_peek, or VIRTQ_TOKEN_NONE */
	uint16_t rx_lent_len; /* its frame's length */
	uint16_t tx_cur;      /* buffer lent by tx_acquire, or NONE */
	uint16_t tx_nfree;
	uint16_t tx_free[CONFIG_VIRTIO_TX_BUFFERS];
	struct virtio_net_stats stats;
};

static struct virtio_net_state vnet;

static const char virtio_net_who[] = "virtio-net";

/* Post receive buffer b; the device sees it at the next kick. */
static void virtio_net_rx_post(uint16_t b)
{
	/* Cannot fail: each buffer owns at most one descriptor at a time. */
	(void)virtq_add(&vnet.rxq, virtio_net_rx_buf[b], VNET_RX_BUF, true, b);
}

static int virtio_net_broken(void)
{
	if (!vnet.broken_logged) {
		vnet.broken_logged = true;
		log_printf(LOG_ERROR,
			   "%s: device broke the virtqueue rules; "
			   "no more frames",
			   virtio_net_who);
	}
	return NET_EIO;
}

static int virtio_net_rx_peek(struct netdev *nd, const uint8_t **frame)
{
	(void)nd;
	if (vnet.rx_lent != VIRTQ_TOKEN_NONE) {
		*frame = virtio_net_rx_buf[vnet.rx_lent] + VIRTIO_NET_HDR_LEN;
		return vnet.rx_lent_len;
	}
	for (;;) {
		uint16_t b;
		uint32_t len;
		int rc = virtq_next_used(&vnet.rxq, &b, &len);

		if (rc == 0)
			return 0;
		if (rc == NET_EIO)
			return virtio_net_broken();
		if (rc == 1 && len > VIRTIO_NET_HDR_LEN + VNET_FRAME_MAX) {
			vnet.stats.rx_too_long++;
			virtio_net_rx_post(b);
			virtio_dev_kick(&vnet.dev, &vnet.rxq);
			return NET_EMSGSIZE;
		}
		if (rc != 1 || len <= VIRTIO_NET_HDR_LEN) {
			/* Bad length (counted by the queue) or no frame. */
			vnet.stats.rx_empty += rc == 1;
			virtio_net_rx_post(b);
			virtio_dev_kick(&vnet.dev, &vnet.rxq);
			continue;
		}
		vnet.rx_lent = b;
		vnet.rx_lent_len = (uint16_t)(len - VIRTIO_NET_HDR_LEN);
		vnet.stats.rx_frames++;
		*frame = virtio_net_rx_buf[b] + VIRTIO_NET_HDR_LEN;
		return vnet.rx_lent_len;
	}
}

static void virtio_net_rx_done(struct netdev *nd)
{
	(void)nd;
	if (vnet.rx_lent == VIRTQ_TOKEN_NONE)
		return;
	virtio_net_rx_post(vnet.rx_lent);
	vnet.rx_lent = VIRTQ_TOKEN_NONE;
	virtio_dev_kick(&vnet.dev, &vnet.rxq);
}

/* Take back the transmit buffers the device has finished with. */
static int virtio_net_tx_reclaim(void)
{
	uint16_t b;
	uint32_t len;
	int rc;

	while ((rc = virtq_next_used(&vnet.txq, &b, &len)) != 0) {
		if (rc == NET_EIO)
			return rc;
		if (b < CONFIG_VIRTIO_TX_BUFFERS &&
		    vnet.tx_nfree < CONFIG_VIRTIO_TX_BUFFERS)
			vnet.tx_free[vnet.tx_nfree++] = b;
	}
	return NET_OK;
}

static uint8_t *virtio_net_tx_acquire(struct netdev *nd, size_t *cap)
{
	(void)nd;
	if (virtio_net_tx_reclaim() != NET_OK) {
		virtio_net_broken();
		return NULL;
	}
	if (vnet.tx_cur == VIRTQ_TOKEN_NONE) {
		if (vnet.tx_nfree == 0 || virtq_free_count(&vnet.txq) == 0) {
			vnet.stats.tx_ring_full++;
			return NULL;
		}
		vnet.tx_cur = vnet.tx_free[--vnet.tx_nfree];
	}
	*cap = VNET_FRAME_MAX;
	return virtio_net_tx_buf[vnet.tx_cur] + VIRTIO_NET_HDR_LEN;
}

static int virtio_net_tx_submit(struct netdev *nd, size_t len)
{
	uint8_t *buf;

	(void)nd;
	if (vnet.tx_cur == VIRTQ_TOKEN_NONE || len == 0)
		return NET_EINVAL;
	if (len > VNET_FRAME_MAX) {
		vnet.stats.tx_too_long++;
		return NET_EMSGSIZE;
	}
	buf = virtio_net_tx_buf[vnet.tx_cur];
	memset(buf, 0, VIRTIO_NET_HDR_LEN); /* no offload, no GSO */
	if (len < VNET_TX_MIN) {
		memset(buf + VIRTIO_NET_HDR_LEN + len, 0, VNET_TX_MIN - len);
		len = VNET_TX_MIN;
	}
	if (virtq_add(&vnet.txq, buf, (uint32_t)(VIRTIO_NET_HDR_LEN + len),
		      false, vnet.tx_cur) != NET_OK)
		return NET_EAGAIN; /* keep the buffer; not expected */
	vnet.tx_cur = VIRTQ_TOKEN_NONE;
	vnet.stats.tx_frames++;
	virtio_dev_kick(&vnet.dev, &vnet.txq);
	return NET_OK;
}

static bool virtio_net_is_link_up(struct netdev *nd)
{
	(void)nd;
	if (!(vnet.dev.features & VIRTIO_NET_F_STATUS))
		return true;
	return vnet.dev.ops->config_read16(&vnet.dev, VIRTIO_NET_CFG_STATUS) &
	       VIRTIO_NET_S_LINK_UP;
}

static const struct netdev_ops virtio_net_ops = {
    .rx_peek = virtio_net_rx_peek,
    .rx_done = virtio_net_rx_done,
    .tx_acquire = virtio_net_tx_acquire,
    .tx_submit = virtio_net_tx_submit,
    .is_link_up = virtio_net_is_link_up,
};

/* The features we ask for, those the configuration space can back. */
static uint64_t virtio_net_wanted(const struct virtio_dev *d)
{
	uint64_t f = VIRTIO_F_VERSION_1;

	if (d->config_len >= VIRTIO_NET_CFG_MAC + NETDEV_MAC_LEN)
		f |= VIRTIO_NET_F_MAC;
	if (d->config_len >= VIRTIO_NET_CFG_STATUS + 2)
		f |= VIRTIO_NET_F_STATUS;
	return f;
}

static int virtio_net_setup_queues(void)
{
	uint16_t n;

	virtq_init(&vnet.rxq, VNET_RXQ, VIRTQ_STORAGE_ARGS(virtio_net_rxq_mem));
	virtq_init(&vnet.txq, VNET_TXQ, VIRTQ_STORAGE_ARGS(virtio_net_txq_mem));
	if (virtio_dev_setup_queue(&vnet.dev, virtio_net_who, &vnet.rxq) !=
		NET_OK ||
	    virtio_dev_setup_queue(&vnet.dev, virtio_net_who, &vnet.txq) !=
		NET_OK)
		return NET_EIO;
	n = vnet.rxq.size < CONFIG_VIRTIO_RX_BUFFERS ? vnet.rxq.size
						     : CONFIG_VIRTIO_RX_BUFFERS;
	for (uint16_t b = 0; b < n; b++)
		virtio_net_rx_post(b);
	virtq_set_interrupts(&vnet.rxq, true);
	virtq_set_interrupts(&vnet.txq, false);
	vnet.tx_nfree = 0;
	for (uint16_t b = CONFIG_VIRTIO_TX_BUFFERS; b > 0; b--)
		vnet.tx_free[vnet.tx_nfree++] = (uint16_t)(b - 1);
	return NET_OK;
}

/* Bring up the device the transport found in vnet.dev. */
static struct netdev *virtio_net_start(void)
{
	struct netdev *nd = &vnet.netdev;

	if (virtio_dev_start(&vnet.dev, virtio_net_who,
			     virtio_net_wanted(&vnet.dev),
			     VIRTIO_F_VERSION_1) != NET_OK ||
	    virtio_net_setup_queues() != NET_OK)
		return NULL;
	*nd = (struct netdev){.ops = &virtio_net_ops,
			      .name = "virtio-net",
			      .mtu = CONFIG_NET_MTU,
			      .priv = &vnet};
	if ((vnet.dev.features & VIRTIO_NET_F_MAC) &&
	    virtio_dev_config_read(&vnet.dev, VIRTIO_NET_CFG_MAC, nd->mac,
				   NETDEV_MAC_LEN) != NET_OK) {
		virtio_dev_fail(&vnet.dev, virtio_net_who, "MAC kept changing");
		return NULL;
	}
	virtio_dev_ready(&vnet.dev);
	virtio_dev_kick(&vnet.dev, &vnet.rxq);
	vnet.up = true;
	log_printf(LOG_INFO,
		   "%s: %s, mac %s, %u rx / %u tx descriptors, "
		   "features 0x%llx",
		   virtio_net_who, vnet.dev.ops->name, FMT_MAC(nd->mac),
		   (unsigned)vnet.rxq.size, (unsigned)vnet.txq.size,
		   (unsigned long long)vnet.dev.features);
	return nd;
}

static void virtio_net_clear(void)
{
	memset(&vnet, 0, sizeof(vnet));
	vnet.rx_lent = VIRTQ_TOKEN_NONE;
	vnet.tx_cur = VIRTQ_TOKEN_NONE;
}

struct netdev *virtio_net_probe_pci(void)
{
	virtio_net_clear();
	if (virtio_pci_probe(&vnet.dev, VIRTIO_ID_NET) != NET_OK) {
		log_printf(LOG_INFO, "%s: no device on PCI bus 0",
			   virtio_net_who);
		return NULL;
	}
	return virtio_net_start();
}

struct netdev *virtio_net_probe_mmio(uintptr_t base, unsigned count,
				     unsigned stride)
{
	virtio_net_clear();
	if (virtio_mmio_probe(&vnet.dev, VIRTIO_ID_NET, base, count, stride) !=
	    NET_OK) {
		log_printf(LOG_INFO, "%s: no device in %u MMIO windows at %p",
			   virtio_net_who, count, (void *)base);
		return NULL;
	}
	return virtio_net_start();
}

uint32_t virtio_net_ack_interrupt(void)
{
	if (!vnet.up)
		return 0;
	return vnet.dev.ops->ack_interrupt(&vnet.dev);
}

const struct virtio_irq *virtio_net_irq(void)
{
	return vnet.up ? &vnet.dev.irq : NULL;
}

void virtio_net_get_stats(struct virtio_net_stats *out)
{
	*out = vnet.stats;
	out->dev_bad_used_idx =
	    vnet.rxq.stats.bad_used_idx + vnet.txq.stats.bad_used_idx;
	out->dev_bad_id = vnet.rxq.stats.bad_id + vnet.txq.stats.bad_id;
	out->dev_bad_len = vnet.rxq.stats.bad_len + vnet.txq.stats.bad_len;
}
