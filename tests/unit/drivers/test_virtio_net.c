/*
 * test_virtio_net.c - the virtio-net driver (drivers/virtio/virtio_net.c)
 * against the device model: receive ring kept full and wrapping, transmit
 * reclaim, frame sizes, link state, MAC, interrupts, and a device that
 * breaks the ring rules.
 *
 * Frames carry an id in bytes 14..17 and a pattern derived from it, so a
 * test can tell which frame came out and that its bytes are intact.
 */
#include "test.h"

#include <keel_config.h>
#include <net/net.h>

#include "virtio_model.h"
#include "virtio_net.h"
#include "test_frames.h"

#define T_FRAME_MAX (CONFIG_NET_MTU + 14)
#define T_RX_POSTED                                                            \
	(CONFIG_VIRTIO_RX_BUFFERS < CONFIG_VIRTIO_QUEUE_SIZE                   \
	     ? CONFIG_VIRTIO_RX_BUFFERS                                        \
	     : CONFIG_VIRTIO_QUEUE_SIZE)

static struct model_dev t_dev;
static const uint8_t t_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static bool t_is_frame(const uint8_t *buf, uint32_t id, size_t len)
{
	static uint8_t want[T_FRAME_MAX + 64];

	t_make_frame(want, id, len);
	return memcmp(buf, want, len) == 0;
}

/* A net device in MMIO window 2, behind an empty and a deviceless one. */
static struct netdev *t_up_with(uint64_t features, uint16_t num_max)
{
	model_reset();
	model_dev_init(&t_dev, 1, features, num_max);
	model_net_config(&t_dev, t_mac, 1);
	model_mmio_window(0, MODEL_WIN_ZERO, NULL);
	model_mmio_window(1, MODEL_WIN_NO_DEVICE, NULL);
	model_mmio_window(2, MODEL_WIN_DEVICE, &t_dev);
	return virtio_net_probe_mmio(MODEL_MMIO_BASE, MODEL_MMIO_WINDOWS,
				     MODEL_MMIO_STRIDE);
}

#define T_ALL_FEATURES                                                         \
	(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS |         \
	 VIRTIO_NET_F_CSUM | VIRTIO_NET_F_MRG_RXBUF | VIRTIO_F_EVENT_IDX)

static struct netdev *t_up(void)
{
	return t_up_with(T_ALL_FEATURES, 256);
}

static struct virtio_net_stats t_stats(void)
{
	struct virtio_net_stats s;

	virtio_net_get_stats(&s);
	return s;
}

/* Deliver frame `id` of `len` bytes; false when the device dropped it. */
static bool t_deliver(uint32_t id, size_t len)
{
	static uint8_t f[2048];

	t_make_frame(f, id, len);
	return model_net_deliver(&t_dev, f, len);
}

/* Send frame `id` of `len` bytes through tx_acquire/tx_submit. */
static int t_send(struct netdev *nd, uint32_t id, size_t len)
{
	size_t cap = 0;
	uint8_t *buf = nd->ops->tx_acquire(nd, &cap);

	if (!buf)
		return NET_ENOBUFS;
	if (cap < T_FRAME_MAX)
		return NET_EINVAL;
	t_make_frame(buf, id, len);
	return nd->ops->tx_submit(nd, len);
}

TEST(probe_negotiates_only_what_it_drives)
{
	struct netdev *nd = t_up();

	CHECK(nd != NULL);
	CHECK_EQ(t_dev.driver_features,
		 VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
	CHECK_EQ(t_dev.status, 1 | 2 | 8 | 4);
	CHECK_EQ(nd->mtu, CONFIG_NET_MTU);
	CHECK_MEM(nd->mac, t_mac, 6);
	CHECK(model_log_has("virtio-net: mmio, mac 52:54:00:12:34:56"));
	CHECK_EQ(model.bad_access, 0);
}

TEST(receive_ring_is_filled_at_start)
{
	CHECK(t_up() != NULL);
	CHECK_EQ(model_avail_pending(&t_dev, 0), T_RX_POSTED);
	CHECK_EQ(model_avail_pending(&t_dev, 1), 0);
	/* The receive queue was notified after DRIVER_OK, not before. */
	CHECK(t_dev.q[0].notifies >= 1);
	CHECK_EQ(model.bad_access, 0);
}

TEST(receive_lends_frames_in_order_and_refills)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;

	CHECK(nd != NULL);
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), 0);
	for (uint32_t i = 0; i < T_RX_POSTED; i++)
		CHECK(t_deliver(i, 60 + i));
	CHECK(!t_deliver(999, 60)); /* ring empty: the device drops */
	CHECK_EQ(model_avail_pending(&t_dev, 0), 0);
	for (uint32_t i = 0; i < T_RX_POSTED; i++) {
		CHECK_EQ(nd->ops->rx_peek(nd, &frame), 60 + i);
		/* Peeking again lends the same frame. */
		CHECK_EQ(nd->ops->rx_peek(nd, &frame), 60 + i);
		CHECK(t_is_frame(frame, i, 60 + i));
		nd->ops->rx_done(nd);
	}
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), 0);
	CHECK_EQ(model_avail_pending(&t_dev, 0), T_RX_POSTED);
	CHECK_EQ(t_stats().rx_frames, T_RX_POSTED);
	CHECK_EQ(model.bad_access, 0);
}

TEST(receive_wraps_the_ring_indices)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;
	uint32_t next = 0, sent = 0;

	CHECK(nd != NULL);
	/* 70000 frames in bursts of varied size: both u16 indices wrap. */
	while (sent < 70000) {
		uint32_t burst = 1 + sent % T_RX_POSTED;

		for (uint32_t k = 0; k < burst; k++, sent++)
			CHECK(t_deliver(sent, 14 + sent % (T_FRAME_MAX - 13)));
		for (int n; (n = nd->ops->rx_peek(nd, &frame)) > 0; next++) {
			CHECK_EQ(n, 14 + next % (T_FRAME_MAX - 13));
			CHECK(t_is_frame(frame, next, (size_t)n));
			nd->ops->rx_done(nd);
		}
	}
	CHECK_EQ(next, sent);
	CHECK_EQ(t_stats().rx_frames, sent);
	CHECK_EQ(model_avail_pending(&t_dev, 0), T_RX_POSTED);
	CHECK_EQ(t_dev.bad_desc, 0);
}

TEST(largest_frame_fits_and_longer_is_dropped_by_the_device)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;

	CHECK(nd != NULL);
	CHECK(t_deliver(1, T_FRAME_MAX));
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), T_FRAME_MAX);
	CHECK(t_is_frame(frame, 1, T_FRAME_MAX));
	nd->ops->rx_done(nd);
	/* Buffers hold 12 + max(1514, mtu + 14): nothing longer fits. */
	CHECK(!t_deliver(2, (T_FRAME_MAX > 1514 ? T_FRAME_MAX : 1514) + 1));
}

TEST(empty_frame_is_counted_and_recycled)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;

	CHECK(nd != NULL);
	CHECK(t_deliver(0, 0));
	CHECK(t_deliver(5, 64));
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), 64);
	CHECK(t_is_frame(frame, 5, 64));
	CHECK_EQ(t_stats().rx_empty, 1);
	nd->ops->rx_done(nd);
	CHECK_EQ(model_avail_pending(&t_dev, 0), T_RX_POSTED);
}

TEST(transmit_pads_short_frames_and_zeroes_the_header)
{
	struct netdev *nd = t_up();

	CHECK(nd != NULL);
	CHECK_EQ(t_send(nd, 1, 42), NET_OK);
	CHECK_EQ(t_send(nd, 2, T_FRAME_MAX), NET_OK);
	CHECK_EQ(t_dev.tx_count, 2);
	CHECK_EQ(t_dev.tx[0].len, 60);
	CHECK(t_is_frame(t_dev.tx[0].data, 1, 42));
	for (int i = 42; i < 60; i++)
		CHECK_EQ(t_dev.tx[0].data[i], 0);
	for (int i = 0; i < 12; i++)
		CHECK_EQ(t_dev.tx[0].hdr[i], 0);
	CHECK_EQ(t_dev.tx[1].len, T_FRAME_MAX);
	CHECK(t_is_frame(t_dev.tx[1].data, 2, T_FRAME_MAX));
	CHECK_EQ(t_stats().tx_frames, 2);
	CHECK_EQ(model.bad_access, 0);
}

TEST(transmit_acquire_twice_lends_the_same_buffer)
{
	struct netdev *nd = t_up();
	size_t cap;
	uint8_t *a, *b;

	CHECK(nd != NULL);
	a = nd->ops->tx_acquire(nd, &cap);
	b = nd->ops->tx_acquire(nd, &cap);
	CHECK(a != NULL && a == b);
	CHECK_EQ(cap, T_FRAME_MAX);
	CHECK_EQ(nd->ops->tx_submit(nd, cap + 1), NET_EMSGSIZE);
	CHECK_EQ(t_stats().tx_too_long, 1);
	CHECK_EQ(nd->ops->tx_submit(nd, 0), NET_EINVAL);
	CHECK_EQ(nd->ops->tx_submit(nd, 100), NET_OK);
	CHECK_EQ(nd->ops->tx_submit(nd, 100), NET_EINVAL); /* none acquired */
}

TEST(transmit_reclaims_buffers_when_the_ring_is_full)
{
	struct netdev *nd = t_up();

	CHECK(nd != NULL);
	t_dev.tx_stall = true;
	for (uint32_t i = 0; i < CONFIG_VIRTIO_TX_BUFFERS; i++)
		CHECK_EQ(t_send(nd, i, 100), NET_OK);
	CHECK_EQ(t_send(nd, 999, 100), NET_ENOBUFS);
	CHECK_EQ(t_stats().tx_ring_full, 1);
	CHECK_EQ(t_dev.tx_count, 0);
	/* The device catches up: every buffer comes back. */
	t_dev.tx_stall = false;
	model_process(&t_dev, 1);
	CHECK_EQ(t_dev.tx_count, CONFIG_VIRTIO_TX_BUFFERS);
	for (uint32_t i = 0; i < CONFIG_VIRTIO_TX_BUFFERS; i++)
		CHECK_EQ(t_send(nd, 1000 + i, 100), NET_OK);
	CHECK_EQ(t_dev.tx_count, 2 * CONFIG_VIRTIO_TX_BUFFERS);
	for (uint32_t i = 0; i < MODEL_TX_LOG && i < t_dev.tx_count; i++) {
		uint32_t id = i < CONFIG_VIRTIO_TX_BUFFERS
				  ? i
				  : 1000 + i - CONFIG_VIRTIO_TX_BUFFERS;
		CHECK(t_is_frame(t_dev.tx[i].data, id, 100));
	}
}

TEST(transmit_limited_by_a_small_device_queue)
{
	struct netdev *nd = t_up_with(T_ALL_FEATURES, 4);

	CHECK(nd != NULL);
	CHECK_EQ(t_dev.q[1].num, 4);
	t_dev.tx_stall = true;
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ(t_send(nd, i, 100), NET_OK);
	CHECK_EQ(t_send(nd, 4, 100), NET_ENOBUFS);
	t_dev.tx_stall = false;
	model_process(&t_dev, 1);
	CHECK_EQ(t_send(nd, 4, 100), NET_OK);
	CHECK_EQ(t_dev.tx_count, 5);
	/* Only four receive buffers fit too. */
	CHECK_EQ(model_avail_pending(&t_dev, 0), 4);
}

TEST(transmit_skips_notify_when_the_device_says_so)
{
	struct netdev *nd = t_up();
	uint32_t before;

	CHECK(nd != NULL);
	t_dev.no_notify = true; /* written with the next used entry */
	CHECK_EQ(t_send(nd, 1, 100), NET_OK);
	before = t_dev.q[1].notifies;
	CHECK_EQ(t_send(nd, 2, 100), NET_OK);
	CHECK_EQ(t_dev.q[1].notifies, before);
	CHECK_EQ(model_avail_pending(&t_dev, 1), 1); /* published anyway */
}

TEST(link_state_follows_the_config_status)
{
	struct netdev *nd = t_up();

	CHECK(nd != NULL);
	CHECK(nd->ops->is_link_up(nd));
	model_net_config(&t_dev, t_mac, 0);
	CHECK(!nd->ops->is_link_up(nd));
	model_net_config(&t_dev, t_mac, 1);
	CHECK(nd->ops->is_link_up(nd));
}

TEST(without_status_feature_the_link_is_always_up)
{
	struct netdev *nd =
	    t_up_with(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC, 256);

	CHECK(nd != NULL);
	model_net_config(&t_dev, t_mac, 0);
	CHECK(nd->ops->is_link_up(nd));
}

TEST(without_mac_feature_the_mac_is_zero)
{
	static const uint8_t zero[6];
	struct netdev *nd = t_up_with(VIRTIO_F_VERSION_1, 256);

	CHECK(nd != NULL);
	CHECK_MEM(nd->mac, zero, 6);
	CHECK_EQ(t_dev.driver_features, VIRTIO_F_VERSION_1);
}

TEST(interrupt_is_read_and_acknowledged)
{
	struct netdev *nd = t_up();
	const struct virtio_irq *irq = virtio_net_irq();

	CHECK(nd != NULL && irq != NULL);
	CHECK_EQ(irq->kind, VIRTIO_IRQ_MMIO);
	CHECK_EQ(irq->slot, 2);
	CHECK_EQ(irq->base, MODEL_MMIO_BASE + 2 * MODEL_MMIO_STRIDE);
	virtio_net_ack_interrupt();
	CHECK_EQ(virtio_net_ack_interrupt(), 0);
	CHECK(t_deliver(1, 60));
	CHECK_EQ(virtio_net_ack_interrupt(), VIRTIO_ISR_QUEUE);
	CHECK_EQ(t_dev.isr, 0);
	model_net_config(&t_dev, t_mac, 0);
	CHECK_EQ(virtio_net_ack_interrupt(), VIRTIO_ISR_CONFIG);
	CHECK_EQ(virtio_net_ack_interrupt(), 0);
	CHECK_EQ(model.bad_access, 0);
}

/* ---- a device that breaks the rules ------------------------------------ */

TEST(used_length_beyond_the_buffer_is_not_trusted)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;
	int id;

	CHECK(nd != NULL);
	id = model_take_avail(&t_dev, 0);
	CHECK(id >= 0);
	model_push_used_raw(&t_dev, 0, (uint32_t)id, 100000);
	CHECK(t_deliver(7, 80));
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), 80);
	CHECK(t_is_frame(frame, 7, 80));
	nd->ops->rx_done(nd);
	CHECK_EQ(t_stats().dev_bad_len, 1);
	CHECK_EQ(model_avail_pending(&t_dev, 0), T_RX_POSTED);
}

TEST(used_id_out_of_range_is_skipped)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;

	CHECK(nd != NULL);
	model_push_used_raw(&t_dev, 0, 0x7fffffffu, 60);
	model_push_used_raw(&t_dev, 0, CONFIG_VIRTIO_QUEUE_SIZE, 60);
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), 0);
	CHECK_EQ(t_stats().dev_bad_id, 2);
	CHECK(t_deliver(3, 70));
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), 70);
	CHECK(t_is_frame(frame, 3, 70));
}

TEST(transmit_completion_of_a_buffer_not_sent_is_skipped)
{
	struct netdev *nd = t_up();

	CHECK(nd != NULL);
	t_dev.tx_stall = true;
	CHECK_EQ(t_send(nd, 1, 100), NET_OK);
	CHECK_EQ(t_send(nd, 2, 100), NET_OK);
	/* Two outstanding; the device names a descriptor never posted. */
	model_push_used_raw(&t_dev, 1, CONFIG_VIRTIO_QUEUE_SIZE - 1, 0);
	CHECK_EQ(t_send(nd, 3, 100), NET_OK);
	CHECK_EQ(t_stats().dev_bad_id, 1);
}

TEST(used_index_jump_stops_the_device_cleanly)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;

	CHECK(nd != NULL);
	model_bump_used_idx(&t_dev, 0, 1000);
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), NET_EIO);
	CHECK_EQ(nd->ops->rx_peek(nd, &frame), NET_EIO);
	CHECK_EQ(t_stats().dev_bad_used_idx, 1);
	CHECK(model_log_has("broke the virtqueue rules"));
	/* Transmit fails the same way once its ring goes bad. */
	model_bump_used_idx(&t_dev, 1, 3);
	CHECK_EQ(t_send(nd, 1, 100), NET_ENOBUFS);
	CHECK_EQ(t_stats().dev_bad_used_idx, 2);
}

/*
 * A device that completes buffers with random lengths and sometimes names
 * random descriptors: the driver keeps working, counts, and never touches
 * memory outside its buffers (ASan watches).
 */
TEST(random_garbage_in_the_used_rings_stays_in_bounds)
{
	struct netdev *nd = t_up();
	const uint8_t *frame;
	struct virtio_net_stats st;
	uint32_t x = 12345;

	CHECK(nd != NULL);
	t_dev.tx_stall = true; /* transmit completes only below */
	for (int round = 0; round < 20000; round++) {
		uint16_t q;
		uint32_t r;
		int id, n;

		x ^= x << 13; /* xorshift32 */
		x ^= x >> 17;
		x ^= x << 5;
		q = (x >> 16) & 1;
		r = (x >> 7) & 511;
		if (r == 0) {
			/* A made-up id for a buffer taken: that one is lost. */
			if (model_take_avail(&t_dev, q) >= 0)
				model_push_used_raw(&t_dev, q, x >> 20, 60);
		} else if (r < 128) {
			/* A real buffer, any length. */
			id = model_take_avail(&t_dev, q);
			if (id >= 0)
				model_push_used_raw(&t_dev, q, (uint32_t)id,
						    (x >> 3) & 0x7ff);
		} else if (r < 320) {
			t_deliver((uint32_t)round, 14 + (x >> 5) % 1500);
		} else {
			t_send(nd, (uint32_t)round, 14 + (x >> 5) % 1500);
		}
		while ((n = nd->ops->rx_peek(nd, &frame)) > 0) {
			CHECK(n <= T_FRAME_MAX);
			nd->ops->rx_done(nd);
		}
		CHECK(n == 0);
	}
	st = t_stats();
	CHECK(st.rx_frames > 1000 && st.tx_frames > 100);
	CHECK(st.dev_bad_id > 0 && st.dev_bad_len > 0);
	CHECK_EQ(st.dev_bad_used_idx, 0);
	CHECK_EQ(model.bad_access, 0);
}
