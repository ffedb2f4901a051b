/*
 * test_stm32_eth.c - the STM32F7 Ethernet driver (drivers/stm32/eth.c)
 * against the model of the ETH block and its PHY (stm32_eth_model.c):
 * start-up sequence, receive ring wrap-around, receive buffer unavailable
 * and its recovery, dropped frames, transmit ring full and reclaim, MDIO,
 * link changes applied to MACCR, fatal bus error reset.
 *
 * Frames carry an id in bytes 14..17 and a pattern derived from it, so a
 * test can tell which frame came out and that its bytes are intact.
 */
#include "test.h"

#include <keel_config.h>
#include <net/net.h>

#include "stm32/eth.h"
#include "stm32/eth_pins.h"
#include "stm32/stm32_hw.h"
#include "stm32/model/stm32_eth_model.h"
#include "virtio_model.h"
#include "test_frames.h"

#define T_RXN	    CONFIG_STM32_ETH_RX_DESCS
#define T_TXN	    CONFIG_STM32_ETH_TX_DESCS
#define T_FRAME_MAX (CONFIG_NET_MTU + 14)

static const uint8_t t_mac[6] = {0x02, 0x80, 0xe1, 0x12, 0x34, 0x56};

static bool t_is_frame(const uint8_t *buf, uint32_t id, size_t len)
{
	static uint8_t want[SM_FRAME_MAX];

	t_make_frame(want, id, len);
	return memcmp(buf, want, len) == 0;
}

static enum sm_rx_result t_deliver(uint32_t id, size_t len, uint32_t err)
{
	static uint8_t f[SM_FRAME_MAX];

	t_make_frame(f, id, len);
	return sm_rx_frame(f, len, err);
}

static struct netdev *t_start(void)
{
	model_reset(); /* the log kernel/log.c writes into */
	sm_power_on();
	return stm32_eth_start(t_mac);
}

static struct stm32_eth_stats t_stats(void)
{
	struct stm32_eth_stats s;

	stm32_eth_get_stats(&s);
	return s;
}

/* Peek the next frame, check it is `id` of `len` bytes, give it back. */
static bool t_take(struct netdev *nd, uint32_t id, size_t len)
{
	const uint8_t *f = NULL;
	int n = nd->ops->rx_peek(nd, &f);

	if (n != (int)len || !t_is_frame(f, id, len)) {
		printf("# wanted frame %u of %zu bytes, got %d\n", (unsigned)id,
		       len, n);
		return false;
	}
	nd->ops->rx_done(nd);
	return true;
}

static bool t_send(struct netdev *nd, uint32_t id, size_t len)
{
	size_t cap = 0;
	uint8_t *b = nd->ops->tx_acquire(nd, &cap);

	if (!b || cap < T_FRAME_MAX)
		return false;
	t_make_frame(b, id, len);
	return nd->ops->tx_submit(nd, len) == NET_OK;
}

static uint32_t t_reg(uint32_t off)
{
	return sm.reg[off / 4];
}

TEST(stm32_eth_start_sequence)
{
	struct netdev *nd = t_start();
	uint32_t omr = t_reg(ETH_DMAOMR), cr = t_reg(ETH_MACCR);

	CHECK(nd != NULL);
	CHECK_EQ(sm.resets, 1); /* DMABMR SR, waited for */
	CHECK_EQ(nd->mtu, CONFIG_NET_MTU);
	CHECK_MEM(nd->mac, t_mac, 6);
	CHECK(!nd->ops->is_link_up(nd));
	/* Receive list: every descriptor the DMA's, end of ring on the last. */
	for (uint32_t i = 0; i < T_RXN; i++) {
		struct stm32_eth_desc *d =
		    sm_host(t_reg(ETH_DMARDLAR) + 16 * i);

		CHECK(d != NULL);
		CHECK(d->des0 & ETH_DES0_OWN);
		CHECK_EQ((d->des1 & ETH_RDES1_RER) != 0, i == T_RXN - 1);
		CHECK((d->des1 & ETH_RDES1_RBS1_MASK) >= 1518);
		CHECK_EQ(d->des1 & ETH_RDES1_RBS1_MASK & 3u, 0);
		CHECK(sm_host(d->des2) != NULL);
	}
	for (uint32_t i = 0; i < T_TXN; i++) {
		struct stm32_eth_desc *d =
		    sm_host(t_reg(ETH_DMATDLAR) + 16 * i);

		CHECK(!(d->des0 & ETH_DES0_OWN));
		CHECK_EQ((d->des0 & ETH_TDES0_TER) != 0, i == T_TXN - 1);
	}
	CHECK(!(t_reg(ETH_DMABMR) & ETH_DMABMR_EDFE)); /* normal format */
	CHECK_EQ((t_reg(ETH_DMABMR) >> ETH_DMABMR_DSL_SHIFT) & 31u, 0);
	CHECK(omr & ETH_DMAOMR_SR);
	CHECK(omr & ETH_DMAOMR_ST);
	CHECK(omr & ETH_DMAOMR_FEF);
	CHECK(omr & ETH_DMAOMR_FUGF);
	CHECK(cr & ETH_MACCR_TE);
	CHECK(cr & ETH_MACCR_RE);
	CHECK(!(cr & ETH_MACCR_IPCO));
	CHECK(!(cr & (ETH_MACCR_APCS | ETH_MACCR_CSTF)));
	CHECK_EQ(t_reg(ETH_MACA0HR), 0x80005634u);
	CHECK_EQ(t_reg(ETH_MACA0LR), 0x12e18002u);
	CHECK_EQ(sm.rx, SM_RUNNING);
	/* PHY: reset, then all four modes advertised and autoneg on. */
	CHECK_EQ(sm.phy[PHY_ANAR], 0x01e1);
	CHECK(sm.phy[PHY_BCR] & PHY_BCR_ANEN);
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_start_fails_without_clock_or_phy)
{
	model_reset();
	sm_power_on();
	sm.reset_stuck = true;
	CHECK(stm32_eth_start(t_mac) == NULL);
	CHECK(model_log_has("DMA reset did not complete"));
	sm_power_on();
	sm.phy_present = false;
	CHECK(stm32_eth_start(t_mac) == NULL);
	CHECK(model_log_has("no PHY answers"));
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_rx_wraps_many_times)
{
	struct netdev *nd = t_start();
	uint32_t id = 0;
	const uint8_t *f;

	CHECK(nd != NULL);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 0);
	/* One at a time, then a full ring at a time, over many laps. */
	for (; id < 5 * T_RXN + 3; id++) {
		size_t len = 60 + (id * 97u) % (T_FRAME_MAX - 59);

		CHECK_EQ(t_deliver(id, len, 0), SM_RX_DELIVERED);
		CHECK(t_take(nd, id, len));
	}
	for (int lap = 0; lap < 4; lap++) {
		for (uint32_t i = 0; i < T_RXN - 1; i++)
			CHECK_EQ(t_deliver(id + i, 100 + i, 0),
				 SM_RX_DELIVERED);
		for (uint32_t i = 0; i < T_RXN - 1; i++)
			CHECK(t_take(nd, id + i, 100 + i));
		id += T_RXN - 1;
	}
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 0);
	CHECK_EQ(t_stats().rx_frames, id);
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_rx_peek_twice_lends_same_frame)
{
	struct netdev *nd = t_start();
	const uint8_t *a, *b;

	CHECK_EQ(t_deliver(7, 200, 0), SM_RX_DELIVERED);
	CHECK_EQ(t_deliver(8, 300, 0), SM_RX_DELIVERED);
	CHECK_EQ(nd->ops->rx_peek(nd, &a), 200);
	CHECK_EQ(nd->ops->rx_peek(nd, &b), 200);
	CHECK(a == b);
	nd->ops->rx_done(nd);
	CHECK(t_take(nd, 8, 300));
}

TEST(stm32_eth_rx_buffer_unavailable_and_recovery)
{
	struct netdev *nd = t_start();
	struct stm32_eth_stats s;

	/* Fill every descriptor; the DMA then finds none and suspends. */
	for (uint32_t i = 0; i < T_RXN; i++)
		CHECK_EQ(t_deliver(i, 64 + i, 0), SM_RX_DELIVERED);
	CHECK(sm_dmasr() & ETH_DMASR_RBUS);
	CHECK(sm_dmasr() & ETH_DMASR_AIS);
	CHECK_EQ(sm.rx, SM_SUSPENDED);
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(t_deliver(1000 + i, 80, 0), SM_RX_MISSED);
	/* One frame back: RBUS cleared and a poll demand restarts the DMA. */
	CHECK(t_take(nd, 0, 64));
	CHECK(!(sm_dmasr() & ETH_DMASR_RBUS));
	CHECK(sm.rx_polls >= 1);
	CHECK_EQ(sm.rx, SM_RUNNING);
	CHECK_EQ(t_deliver(T_RXN, 90, 0), SM_RX_DELIVERED);
	for (uint32_t i = 1; i < T_RXN; i++)
		CHECK(t_take(nd, i, 64 + i));
	CHECK(t_take(nd, T_RXN, 90));
	s = t_stats();
	CHECK_EQ(s.rx_missed, 3);
	CHECK(s.rx_resumes >= 1);
	CHECK_EQ(s.rx_frames, T_RXN + 1);
	/* And the ring keeps working. */
	for (uint32_t i = 0; i < 3 * T_RXN; i++) {
		CHECK_EQ(t_deliver(2000 + i, 150, 0), SM_RX_DELIVERED);
		CHECK(t_take(nd, 2000 + i, 150));
	}
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_rx_drops_bad_frames)
{
	struct netdev *nd = t_start();
	const uint8_t *f;
	struct stm32_eth_stats s;

	CHECK_EQ(t_deliver(1, 100, ETH_RDES0_CE), SM_RX_DELIVERED);
	CHECK_EQ(t_deliver(2, 100, ETH_RDES0_OE), SM_RX_DELIVERED);
	CHECK_EQ(t_deliver(3, 100, ETH_RDES0_RWT), SM_RX_DELIVERED);
	CHECK_EQ(t_deliver(4, 40, 0), SM_RX_DELIVERED); /* runt, FUGF on */
	CHECK_EQ(t_deliver(5, 100, 0), SM_RX_DELIVERED);
	CHECK(t_take(nd, 5, 100));
	/* Over mtu + 14 but within one buffer; then over two buffers. */
	CHECK_EQ(t_deliver(6, T_FRAME_MAX + 1, 0), SM_RX_DELIVERED);
	CHECK_EQ(t_deliver(7, 2000, 0), SM_RX_DELIVERED);
	CHECK_EQ(t_deliver(8, T_FRAME_MAX, 0), SM_RX_DELIVERED);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), NET_EMSGSIZE);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), NET_EMSGSIZE);
	CHECK(t_take(nd, 8, T_FRAME_MAX));
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 0);
	s = t_stats();
	CHECK_EQ(s.rx_crc, 1);
	CHECK_EQ(s.rx_errors, 2);
	CHECK_EQ(s.rx_runt, 1);
	CHECK_EQ(s.rx_too_long, 2);
	CHECK_EQ(s.rx_frames, 2);
	/* Every descriptor went back: a full ring still fits. */
	for (uint32_t i = 0; i < T_RXN; i++)
		CHECK_EQ(t_deliver(100 + i, 70, 0), SM_RX_DELIVERED);
	for (uint32_t i = 0; i < T_RXN; i++)
		CHECK(t_take(nd, 100 + i, 70));
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_model_fifo_drops_without_fef)
{
	/* What the driver avoids by setting FEF/FUGF: the FIFO drops. */
	CHECK(t_start() != NULL);
	sm.reg[ETH_DMAOMR / 4] &= ~(ETH_DMAOMR_FEF | ETH_DMAOMR_FUGF);
	CHECK_EQ(t_deliver(1, 100, ETH_RDES0_CE), SM_RX_FILTERED);
	CHECK_EQ(t_deliver(2, 40, 0), SM_RX_FILTERED);
	CHECK_EQ(t_deliver(3, 60, 0), SM_RX_DELIVERED);
}

TEST(stm32_eth_tx_frames_and_padding)
{
	struct netdev *nd = t_start();
	size_t cap;
	uint8_t *a, *b;
	static const uint8_t zero[60];

	a = nd->ops->tx_acquire(nd, &cap);
	b = nd->ops->tx_acquire(nd, &cap);
	CHECK(a != NULL && a == b); /* abandoned frame: same buffer */
	CHECK(cap >= T_FRAME_MAX);
	memset(a, 0xff, cap);
	t_make_frame(a, 1, 42);
	CHECK_EQ(nd->ops->tx_submit(nd, 42), NET_OK);
	CHECK_EQ(sm.tx_count, 1);
	CHECK_EQ(sm.tx_log[0].len, 60);
	CHECK(t_is_frame(sm.tx_log[0].data, 1, 42));
	CHECK_MEM(sm.tx_log[0].data + 42, zero, 18);
	CHECK(t_send(nd, 2, T_FRAME_MAX));
	CHECK_EQ(sm.tx_log[1].len, T_FRAME_MAX);
	CHECK(t_is_frame(sm.tx_log[1].data, 2, T_FRAME_MAX));
	CHECK(nd->ops->tx_acquire(nd, &cap) != NULL);
	CHECK_EQ(nd->ops->tx_submit(nd, T_FRAME_MAX + 1), NET_EMSGSIZE);
	CHECK_EQ(t_stats().tx_too_long, 1);
	CHECK(sm.tx_polls >= 2);
	CHECK_EQ(t_stats().tx_frames, 2);
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_tx_ring_full_and_reclaim)
{
	struct netdev *nd = t_start();
	size_t cap;
	uint32_t id = 0;

	sm.tx_stall = true;
	for (; id < T_TXN; id++)
		CHECK(t_send(nd, id, 100));
	CHECK(nd->ops->tx_acquire(nd, &cap) == NULL);
	CHECK_EQ(t_stats().tx_ring_full, 1);
	CHECK_EQ(sm.tx_count, 0);
	sm.tx_stall = false;
	sm_tx_run();
	CHECK_EQ(sm.tx_count, T_TXN);
	CHECK(sm_dmasr() & ETH_DMASR_TBUS); /* ran dry: suspended */
	/* Many laps of the ring, each frame in order. */
	for (; id < 5 * T_TXN + 1; id++)
		CHECK(t_send(nd, id, 60 + id));
	CHECK_EQ(sm.tx_count, id);
	for (uint32_t i = 0; i < id && i < SM_TX_LOG; i++)
		CHECK(
		    t_is_frame(sm.tx_log[i].data, i, i < T_TXN ? 100 : 60 + i));
	CHECK_EQ(t_stats().tx_errors, 0);
	sm.tx_err_bits = ETH_TDES0_LCA;
	CHECK(t_send(nd, 99, 80));
	CHECK(nd->ops->tx_acquire(nd, &cap) != NULL);
	CHECK_EQ(t_stats().tx_errors, 1);
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_mdio)
{
	uint16_t v = 0;

	CHECK(t_start() != NULL);
	CHECK_EQ(stm32_eth_mdio_read(0, PHY_ID1, &v), NET_OK);
	CHECK_EQ(v, 0x0007);
	CHECK_EQ(stm32_eth_mdio_read(0, PHY_ID2, &v), NET_OK);
	CHECK_EQ(v, 0xc131);
	CHECK_EQ(stm32_eth_mdio_write(0, PHY_ANAR, 0x0061), NET_OK);
	CHECK_EQ(stm32_eth_mdio_read(0, PHY_ANAR, &v), NET_OK);
	CHECK_EQ(v, 0x0061);
	CHECK_EQ(stm32_eth_mdio_read(5, PHY_ID1, &v), NET_OK);
	CHECK_EQ(v, 0xffff); /* nobody at address 5 */
	CHECK_EQ(sm.bad_access, 0);
	sm.mdio_reads = CONFIG_STM32_ETH_POLLS + 5;
	CHECK_EQ(stm32_eth_mdio_read(0, PHY_BSR, &v), NET_ETIMEDOUT);
	CHECK_EQ(stm32_eth_mdio_write(0, PHY_ANAR, 1), NET_ETIMEDOUT);
	CHECK_EQ(sm.bad_access, 0); /* never wrote while busy */
}

TEST(stm32_eth_link_down_up_speed_change)
{
	struct netdev *nd = t_start();
	struct stm32_eth_link l;

	CHECK(!stm32_eth_link_poll());
	sm_set_link(true, true, true);
	CHECK(stm32_eth_link_poll());
	CHECK(nd->ops->is_link_up(nd));
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_FES);
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_DM);
	CHECK(model_log_has("link up, 100 Mbit/s full duplex"));
	sm_set_link(false, false, false);
	CHECK(!stm32_eth_link_poll());
	CHECK(!nd->ops->is_link_up(nd));
	CHECK(model_log_has("link down"));
	sm_set_link(true, false, false);
	CHECK(stm32_eth_link_poll());
	stm32_eth_get_link(&l);
	CHECK(l.up && !l.speed100 && !l.full);
	CHECK(!(t_reg(ETH_MACCR) & (ETH_MACCR_FES | ETH_MACCR_DM)));
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_TE);
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_RE);
	/* A flap between polls, back at another speed: the latched-low bit
	 * tells, and the MAC takes the new speed. */
	sm_set_link(false, false, false);
	sm_set_link(true, true, false);
	CHECK(stm32_eth_link_poll());
	CHECK_EQ(t_stats().link_changes, 5);
	CHECK(model_log_has("link went down and up between polls"));
	stm32_eth_get_link(&l);
	CHECK(l.up && l.speed100 && !l.full);
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_FES);
	CHECK(!(t_reg(ETH_MACCR) & ETH_MACCR_DM));
	/* A steady link: nothing changes. */
	CHECK(stm32_eth_link_poll());
	CHECK_EQ(t_stats().link_changes, 5);
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_fatal_bus_error_resets)
{
	struct netdev *nd = t_start();
	const uint8_t *f;
	struct stm32_eth_stats s;

	sm_set_link(true, true, true);
	CHECK(stm32_eth_link_poll());
	sm.tx_stall = true;
	CHECK(t_send(nd, 1, 100));
	CHECK_EQ(t_deliver(2, 100, 0), SM_RX_DELIVERED);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 100);
	sm_fatal_bus_error();
	CHECK_EQ(t_deliver(3, 100, 0), SM_RX_STOPPED);
	/* Not while a buffer is lent: the rings are rebuilt from 0. */
	CHECK(nd->ops->tx_acquire(nd, &(size_t){0}) != NULL);
	CHECK_EQ(sm.resets, 1);
	nd->ops->rx_done(nd);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 0); /* the tx buffer is lent */
	CHECK_EQ(sm.resets, 1);
	CHECK_EQ(nd->ops->tx_submit(nd, 60), NET_OK);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 0);
	CHECK_EQ(sm.resets, 2);
	s = t_stats();
	CHECK_EQ(s.dma_fatal, 1);
	CHECK_EQ(s.tx_lost, 2);
	CHECK(model_log_has("fatal bus error"));
	/* Running again, with the link's mode kept in MACCR. */
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_FES);
	CHECK(t_reg(ETH_MACCR) & ETH_MACCR_DM);
	sm.tx_stall = false;
	for (uint32_t i = 0; i < 2 * T_RXN; i++) {
		CHECK_EQ(t_deliver(10 + i, 120, 0), SM_RX_DELIVERED);
		CHECK(t_take(nd, 10 + i, 120));
		CHECK(t_send(nd, 10 + i, 120));
	}
	CHECK_EQ(sm.tx_count, 2 * T_RXN);
	CHECK_EQ(sm.bad_access, 0);
}

TEST(stm32_eth_interrupt_ack)
{
	struct netdev *nd = t_start();
	uint32_t sr;

	(void)stm32_eth_ack_interrupt();
	CHECK_EQ(t_deliver(1, 100, 0), SM_RX_DELIVERED);
	sr = stm32_eth_ack_interrupt();
	CHECK(sr & ETH_DMASR_RS);
	CHECK(sr & ETH_DMASR_NIS);
	CHECK_EQ(stm32_eth_ack_interrupt(), 0);
	CHECK(t_take(nd, 1, 100));
	sm_fatal_bus_error();
	CHECK(stm32_eth_ack_interrupt() & ETH_DMASR_FBES);
	/* Flag cleared by the handler, the reset still happens. */
	CHECK_EQ(nd->ops->rx_peek(nd, &(const uint8_t *){NULL}), 0);
	CHECK_EQ(sm.resets, 2);
	CHECK_EQ(sm.bad_access, 0);
}

static size_t t_wire_len;
static uint8_t t_wire_buf[SM_FRAME_MAX];
static uint32_t t_wire_count;

static void t_wire_tx(const uint8_t *frame, size_t len)
{
	t_wire_count++;
	t_wire_len = len;
	memcpy(t_wire_buf, frame, len);
}

/* A frame from the wire to `da`, id in bytes 14..17. */
static enum sm_rx_result t_wire(const uint8_t da[6], uint32_t id, size_t len)
{
	static uint8_t f[SM_FRAME_MAX];

	t_make_frame(f, id, len);
	memcpy(f, da, 6);
	return sm_wire_rx(f, len);
}

/*
 * The model's wire side: what the MAC passes to the DMA and what it puts
 * on the wire depends on the link, MACCR mode and the address filter.
 */
TEST(stm32_eth_model_wire_filter_and_mode)
{
	struct netdev *nd = t_start();
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t other[6] = {0x02, 0x80, 0xe1, 0x12, 0x34, 0x57};
	static const uint8_t mcast[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
	const uint8_t *f;

	CHECK(nd != NULL);
	sm.wire_tx = t_wire_tx;
	t_wire_count = 0;
	CHECK_EQ(t_wire(t_mac, 1, 100), SM_RX_NO_LINK);
	sm_set_link(true, true, true);
	/* The PHY is up at 100 full, MACCR not yet: nothing passes. */
	CHECK_EQ(t_wire(t_mac, 2, 100), SM_RX_MODE_MISMATCH);
	CHECK(stm32_eth_link_poll());
	CHECK_EQ(t_wire(t_mac, 3, 100), SM_RX_DELIVERED);
	CHECK_EQ(t_wire(bcast, 4, 100), SM_RX_DELIVERED);
	CHECK_EQ(t_wire(other, 5, 100), SM_RX_ADDR_FILTERED);
	CHECK_EQ(t_wire(mcast, 6, 100), SM_RX_ADDR_FILTERED);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 100);
	CHECK_MEM(f, t_mac, 6);
	CHECK_EQ(f[17], 3);
	nd->ops->rx_done(nd);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 100);
	CHECK_EQ(f[17], 4);
	nd->ops->rx_done(nd);
	CHECK_EQ(nd->ops->rx_peek(nd, &f), 0);
	CHECK_EQ(sm.rx_addr_filtered, 2);
	CHECK_EQ(sm.wire_rx_lost, 1);
	CHECK_EQ(sm.wire_mode_lost, 1);
	/* Transmit reaches the wire only with the link up. */
	CHECK(t_send(nd, 7, 200));
	CHECK_EQ(t_wire_count, 1);
	CHECK_EQ(t_wire_len, 200);
	CHECK(t_is_frame(t_wire_buf, 7, 200));
	sm_set_link(false, false, false);
	CHECK(!stm32_eth_link_poll());
	sm_set_link(true, false, true); /* back, negotiated at 10 full */
	/* Sent before the driver saw it: MACCR still says 100. */
	CHECK_EQ(nd->ops->tx_submit(nd, 100), NET_EINVAL);
	CHECK(nd->ops->tx_acquire(nd, &(size_t){0}) != NULL);
	CHECK_EQ(nd->ops->tx_submit(nd, 200), NET_OK);
	CHECK_EQ(t_wire_count, 1);
	CHECK_EQ(sm.wire_mode_lost, 2);
	CHECK(stm32_eth_link_poll());
	CHECK(t_send(nd, 9, 200));
	CHECK_EQ(t_wire_count, 2);
	CHECK_EQ(t_wire(t_mac, 10, 100), SM_RX_DELIVERED);
	CHECK_EQ(sm.wire_tx_frames, 2);
	CHECK_EQ(sm.bad_access, 0);
}

/*
 * The ETH interrupt line: RS raises it (RIE), a frame sent without TDES0
 * IC does not, RBUS does (RBUIE, abnormal); the driver's handler call
 * lowers it.
 */
TEST(stm32_eth_model_interrupt_line)
{
	struct netdev *nd = t_start();

	CHECK(nd != NULL);
	CHECK(!sm_irq_pending());
	CHECK(t_send(nd, 1, 100));
	CHECK(!(sm_dmasr() & ETH_DMASR_TS));
	CHECK(!sm_irq_pending());
	CHECK_EQ(t_deliver(2, 100, 0), SM_RX_DELIVERED);
	CHECK(sm_irq_pending());
	CHECK(stm32_eth_ack_interrupt() & ETH_DMASR_RS);
	CHECK(!sm_irq_pending());
	CHECK(t_take(nd, 2, 100));
	for (uint32_t i = 0; i < T_RXN; i++)
		CHECK_EQ(t_deliver(10 + i, 100, 0), SM_RX_DELIVERED);
	CHECK(sm_dmasr() & ETH_DMASR_AIS);
	CHECK(sm_irq_pending());
	CHECK(!sm_rx_ready());
	CHECK_EQ(sm.rx_suspends, 1);
	CHECK_EQ(t_deliver(99, 100, 0), SM_RX_MISSED);
	CHECK_EQ(sm.missed_total, 1);
	CHECK(stm32_eth_ack_interrupt() & ETH_DMASR_RBUS);
	CHECK(!sm_irq_pending());
	CHECK(t_take(nd, 10, 100));
	CHECK(sm_rx_ready());
	CHECK_EQ(sm.bad_access, 0);
}

/* A suspended transmit DMA moves on only after a DMATPDR write. */
TEST(stm32_eth_model_tx_leaves_suspend_on_poll_demand)
{
	struct netdev *nd = t_start();

	CHECK(nd != NULL);
	CHECK_EQ(sm.tx, SM_SUSPENDED); /* ran dry at start */
	sm.tx_stall = true;
	CHECK(t_send(nd, 1, 100)); /* OWN, then DMATPDR */
	sm.tx_stall = false;
	sm_tx_run();
	CHECK_EQ(sm.tx_count, 1);
	CHECK_EQ(sm.tx, SM_SUSPENDED);
	sm.tx_stall = true;
	CHECK(t_send(nd, 2, 100));
	sm.tx_demand = false; /* as if the driver had not written DMATPDR */
	sm.tx_stall = false;
	sm_tx_run();
	CHECK_EQ(sm.tx_count, 1);
	stm32_hw_write32(STM32_ETH_BASE + ETH_DMATPDR, 0);
	CHECK_EQ(sm.tx_count, 2);
	CHECK(t_is_frame(sm.tx_log[1].data, 2, 100));
	CHECK_EQ(sm.bad_access, 0);
}

/*
 * A random mix of arrivals (good, CRC errors, runts, oversize), reads,
 * sends with the transmit DMA stalling and resuming, link flaps and the
 * odd fatal bus error: good frames come out in order and intact, none
 * twice, and the driver never does what RM0410 forbids.
 */
TEST(stm32_eth_random_traffic)
{
	struct netdev *nd = t_start();
	static uint32_t want[4 * T_RXN + 8];
	uint32_t head = 0, tail = 0, id = 0, seed = 12345, sent = 0;
	uint32_t resets = sm.resets;

	CHECK(nd != NULL);
	for (int step = 0; step < 20000; step++) {
		uint32_t r;
		const uint8_t *f;
		int n;

		seed = seed * 1103515245u + 12345u;
		r = (seed >> 8) % 100;
		if (r < 35) {
			uint32_t kind = (seed >> 20) % 10;
			size_t len = 60 + (seed >> 4) % (T_FRAME_MAX - 59);
			uint32_t err = kind == 0 ? ETH_RDES0_CE : 0;

			if (kind == 1)
				len = 20 + (seed >> 4) % 40; /* runt */
			if (kind == 2)
				len = T_FRAME_MAX + 1 + (seed >> 4) % 600;
			if (t_deliver(id, len, err) == SM_RX_DELIVERED &&
			    kind > 2)
				want[head++ % (4 * T_RXN + 8)] = id;
			id++;
		} else if (r < 70) {
			n = nd->ops->rx_peek(nd, &f);
			if (sm.resets != resets) { /* rings rebuilt: lost */
				resets = sm.resets;
				tail = head;
			}
			if (n > 0) {
				uint32_t got = (uint32_t)f[14] << 24 |
					       (uint32_t)f[15] << 16 |
					       (uint32_t)f[16] << 8 | f[17];

				CHECK(tail != head);
				CHECK_EQ(got, want[tail++ % (4 * T_RXN + 8)]);
				CHECK(t_is_frame(f, got, (size_t)n));
				nd->ops->rx_done(nd);
			} else {
				CHECK(n == 0 || n == NET_EMSGSIZE);
			}
		} else if (r < 90) {
			if (t_send(nd, sent, 60 + sent % 200))
				sent++;
			if (sm.resets != resets) { /* rings rebuilt: lost */
				resets = sm.resets;
				tail = head;
			}
		} else if (r < 95) {
			sm.tx_stall = !sm.tx_stall;
			sm_tx_run();
		} else if (r < 99) {
			sm_set_link((seed >> 12) & 1, (seed >> 13) & 1,
				    (seed >> 14) & 1);
			(void)stm32_eth_link_poll();
		} else if (((seed >> 12) & 7) == 0) {
			sm_fatal_bus_error();
		}
		CHECK(head - tail <= T_RXN);
		CHECK_EQ(sm.bad_access, 0);
	}
	CHECK(t_stats().rx_frames > 1000);
	CHECK(sm.tx_count > 1000);
	CHECK(t_stats().dma_fatal > 0);
	CHECK(t_stats().rx_resumes > 0);
	CHECK(t_stats().rx_missed > 0);
	CHECK(t_stats().rx_too_long > 0);
	CHECK(t_stats().tx_ring_full > 0);
}

TEST(stm32_eth_rmii_pins)
{
	static const struct {
		enum sm_port port;
		unsigned pin;
	} pins[] = {{SM_GPIOA, 1},  {SM_GPIOA, 2},  {SM_GPIOA, 7},
		    {SM_GPIOC, 1},  {SM_GPIOC, 4},  {SM_GPIOC, 5},
		    {SM_GPIOG, 11}, {SM_GPIOG, 13}, {SM_GPIOB, 13}};
	uint32_t moder_a;

	sm_power_on();
	moder_a = sm.gpio[SM_GPIOA][0];
	stm32_eth_pins_init();
	CHECK(sm.syscfg[1] & (1u << 23)); /* SYSCFG_PMC MII_RMII_SEL */
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		const uint32_t *g = sm.gpio[pins[i].port];
		unsigned p = pins[i].pin;
		uint32_t afr = g[p < 8 ? 8 : 9];

		CHECK_EQ((g[0] >> (2 * p)) & 3u, 2); /* MODER: AF */
		CHECK_EQ((g[1] >> p) & 1u, 0);	     /* push-pull */
		CHECK_EQ((g[2] >> (2 * p)) & 3u, 3); /* very high speed */
		CHECK_EQ((g[3] >> (2 * p)) & 3u, 0); /* no pull */
		CHECK_EQ((afr >> (4 * (p % 8))) & 15u, 11); /* AF11 ETH */
	}
	/* The SWD pins PA13/PA14 (and PA15) keep their debug function. */
	CHECK_EQ(sm.gpio[SM_GPIOA][0] >> 26, moder_a >> 26);
	CHECK_EQ(sm.bad_access, 0);
}
