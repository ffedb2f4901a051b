/*
 * eth.c - the STM32F7 Ethernet MAC/DMA driver (eth.h), RM0410 §42.
 *
 * Rings: CONFIG_STM32_ETH_RX_DESCS receive and CONFIG_STM32_ETH_TX_DESCS
 * transmit descriptors, normal format, ring mode (RDES1 RER / TDES0 TER on
 * the last one; RM0410 §42 "Tx/Rx DMA descriptors"), each with a buffer of
 * STM32_ETH_BUF bytes. A descriptor belongs to the DMA while its OWN bit is
 * set and to the driver otherwise; the driver writes the other words
 * first, then OWN, then a barrier, then the poll demand.
 *
 * Receive: every descriptor is given to the DMA at start. rx_peek() looks
 * at the next one in ring order; once the DMA has closed it (OWN clear)
 * the frame in its buffer is lent to the stack, and rx_done() gives the
 * descriptor back at once, so the ring stays full but for the one lent.
 * Frames the MAC flags (error summary), runts, and frames over mtu + 14 or
 * spread over more than one descriptor are given back unseen and counted.
 * The DMA is told to forward error and undersized frames (DMAOMR FEF,
 * FUGF) so that this driver is the one place that drops and counts them.
 *
 * Receive buffer unavailable (RM0410 §42 "Rx DMA descriptors", DMASR RBUS):
 * when the DMA reaches a descriptor the driver still owns it suspends receive;
 * frames arriving meanwhile are missed (DMAMFBOCR). After giving a descriptor
 * back the driver clears RBUS and writes DMARPDR, which restarts the fetch.
 *
 * Transmit: tx_acquire() first reclaims the descriptors the DMA has closed
 * (oldest first; an error summary is counted), then lends the buffer of
 * the next free one; tx_submit() pads the frame to 60 bytes, hands the
 * descriptor over with FS and LS (one buffer per frame) and writes DMATPDR.
 * The MAC appends the FCS. Transmit completion raises no interrupt:
 * descriptors are reclaimed lazily.
 *
 * Errors (DMASR, checked at each rx_peek()/tx_acquire()): transmit
 * underflow (TUS) suspends transmission, so it is cleared and DMATPDR
 * written; receive overflow and watchdog are counted and cleared; a fatal
 * bus error (FBES) stops both DMA engines, so the block is reset (DMABMR
 * SR) and the MAC, DMA and rings set up again as at start, frames queued
 * for sending being lost (counted). The reset waits until no buffer is
 * lent to the stack, since the rings are rebuilt from index 0.
 */
#include "eth.h"

#include <string.h>

#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>

#include "eth_regs.h"
#include "stm32_hw.h"

_Static_assert(CONFIG_STM32_ETH_RX_DESCS >= 2,
	       "[stm32] rx_descriptors must be at least 2");
_Static_assert(CONFIG_STM32_ETH_TX_DESCS >= 2,
	       "[stm32] tx_descriptors must be at least 2");
_Static_assert(CONFIG_STM32_ETH_PHY_ADDR <= 31,
	       "[stm32] phy_addr must be within 0..31");

#define ETH_FRAME_MAX (CONFIG_NET_MTU + 14)
#define ETH_FCS_LEN   4
#define ETH_MIN_FCS   64 /* shortest valid frame, FCS included */
#define ETH_TX_MIN    60 /* shortest frame the driver sends, without FCS */
/*
 * One buffer holds the largest frame we accept plus FCS, at least a full
 * 1518-byte frame so that a VLAN-tagged 1522 does not spill over. RBS1
 * must be a multiple of 4 on the 32-bit AHB (RM0410 RDES1); 32 keeps each
 * buffer on its own cache lines.
 */
#define ETH_BUF_WANT  (ETH_FRAME_MAX + ETH_FCS_LEN + 4)
#define STM32_ETH_BUF (((ETH_BUF_WANT > 1536 ? ETH_BUF_WANT : 1536) + 31) & ~31)
_Static_assert(STM32_ETH_BUF <= ETH_RDES1_RBS1_MASK,
	       "[net] mtu too large for one STM32 ETH buffer");

#define RXN CONFIG_STM32_ETH_RX_DESCS
#define TXN CONFIG_STM32_ETH_TX_DESCS

/*
 * Static DMA memory. On the chip the target places these in an MPU region
 * configured non-cacheable (docs/architecture.md, "STM32 Ethernet driver").
 */
static _Alignas(32) struct stm32_eth_desc stm32_eth_rx_desc[RXN];
static _Alignas(32) struct stm32_eth_desc stm32_eth_tx_desc[TXN];
static _Alignas(32) uint8_t stm32_eth_rx_buf[RXN][STM32_ETH_BUF];
static _Alignas(32) uint8_t stm32_eth_tx_buf[TXN][STM32_ETH_BUF];

struct stm32_eth_state {
	bool started;
	bool rx_lent;	     /* rx_peek lent rx_next's buffer */
	bool tx_lent;	     /* tx_acquire lent tx_head's buffer */
	volatile bool fatal; /* FBES seen, reset pending */
	uint16_t rx_next;    /* next receive descriptor in ring order */
	uint16_t rx_lent_len;
	uint16_t tx_head; /* next free transmit descriptor */
	uint16_t tx_tail; /* oldest one in flight */
	uint16_t tx_busy; /* in flight */
	uint8_t mac[NETDEV_MAC_LEN];
	struct stm32_eth_link link;
	struct netdev netdev;
	struct stm32_eth_stats stats;
};

static struct stm32_eth_state eth;

static const char stm32_eth_who[] = "stm32-eth";

static uint32_t stm32_eth_rd(uint32_t off)
{
	return stm32_hw_read32(STM32_ETH_BASE + off);
}

static void stm32_eth_wr(uint32_t off, uint32_t v)
{
	stm32_hw_write32(STM32_ETH_BASE + off, v);
}

/* Wait until the bits `mask` of register `off` read 0; false on timeout. */
static bool stm32_eth_wait_clear(uint32_t off, uint32_t mask)
{
	for (uint32_t i = 0; i < CONFIG_STM32_ETH_POLLS; i++) {
		if ((stm32_eth_rd(off) & mask) == 0)
			return true;
	}
	return false;
}

/* ---- MDIO, RM0410 §42 station management (MACMIIAR/MACMIIDR) ---- */

static uint32_t stm32_eth_mdio_cmd(uint8_t phy, uint8_t reg)
{
	return ((uint32_t)(phy & 31u) << ETH_MACMIIAR_PA_SHIFT) |
	       ((uint32_t)(reg & 31u) << ETH_MACMIIAR_MR_SHIFT) |
	       ETH_MACMIIAR_CR_150_216 | ETH_MACMIIAR_MB;
}

int stm32_eth_mdio_read(uint8_t phy, uint8_t reg, uint16_t *out)
{
	/* MB must read 0 before MACMIIAR or MACMIIDR is written. */
	if (!stm32_eth_wait_clear(ETH_MACMIIAR, ETH_MACMIIAR_MB))
		return NET_ETIMEDOUT;
	stm32_eth_wr(ETH_MACMIIAR, stm32_eth_mdio_cmd(phy, reg));
	if (!stm32_eth_wait_clear(ETH_MACMIIAR, ETH_MACMIIAR_MB))
		return NET_ETIMEDOUT;
	*out = (uint16_t)stm32_eth_rd(ETH_MACMIIDR);
	return NET_OK;
}

int stm32_eth_mdio_write(uint8_t phy, uint8_t reg, uint16_t v)
{
	if (!stm32_eth_wait_clear(ETH_MACMIIAR, ETH_MACMIIAR_MB))
		return NET_ETIMEDOUT;
	stm32_eth_wr(ETH_MACMIIDR, v);
	stm32_eth_wr(ETH_MACMIIAR,
		     stm32_eth_mdio_cmd(phy, reg) | ETH_MACMIIAR_MW);
	if (!stm32_eth_wait_clear(ETH_MACMIIAR, ETH_MACMIIAR_MB))
		return NET_ETIMEDOUT;
	return NET_OK;
}

static int stm32_eth_phy_read(uint8_t reg, uint16_t *out)
{
	return stm32_eth_mdio_read(CONFIG_STM32_ETH_PHY_ADDR, reg, out);
}

static int stm32_eth_phy_write(uint8_t reg, uint16_t v)
{
	return stm32_eth_mdio_write(CONFIG_STM32_ETH_PHY_ADDR, reg, v);
}

/*
 * Reset the PHY, advertise 10/100 half and full duplex and start
 * autonegotiation (IEEE 802.3 clause 22 registers 0 and 4).
 */
static int stm32_eth_phy_start(void)
{
	uint16_t id1 = 0, bcr = PHY_BCR_RESET;

	if (stm32_eth_phy_read(PHY_ID1, &id1) != NET_OK || id1 == 0xffff ||
	    id1 == 0)
		return NET_EIO;
	if (id1 != PHY_LAN8742A_ID1)
		log_printf(LOG_WARN, "%s: PHY id %04x is not a LAN8742A",
			   stm32_eth_who, id1);
	if (stm32_eth_phy_write(PHY_BCR, PHY_BCR_RESET) != NET_OK)
		return NET_EIO;
	for (uint32_t i = 0; i < CONFIG_STM32_ETH_POLLS; i++) {
		if (stm32_eth_phy_read(PHY_BCR, &bcr) != NET_OK)
			return NET_EIO;
		if (!(bcr & PHY_BCR_RESET))
			break;
	}
	if (bcr & PHY_BCR_RESET)
		return NET_EIO;
	if (stm32_eth_phy_write(PHY_ANAR, PHY_ANAR_SELECTOR_8023 |
					      PHY_ANAR_10HD | PHY_ANAR_10FD |
					      PHY_ANAR_100HD |
					      PHY_ANAR_100FD) != NET_OK ||
	    stm32_eth_phy_write(PHY_BCR, PHY_BCR_ANEN | PHY_BCR_ANRESTART) !=
		NET_OK)
		return NET_EIO;
	return NET_OK;
}

/* ---- rings ---- */

static void stm32_eth_rx_give(uint16_t i)
{
	struct stm32_eth_desc *d = &stm32_eth_rx_desc[i];

	d->des1 = STM32_ETH_BUF | (i == RXN - 1 ? ETH_RDES1_RER : 0);
	d->des2 = stm32_hw_dma_addr(stm32_eth_rx_buf[i]);
	d->des3 = 0;
	stm32_hw_barrier(); /* the words above before OWN */
	d->des0 = ETH_DES0_OWN;
}

static void stm32_eth_rings_init(void)
{
	for (uint16_t i = 0; i < RXN; i++)
		stm32_eth_rx_give(i);
	for (uint16_t i = 0; i < TXN; i++) {
		struct stm32_eth_desc *d = &stm32_eth_tx_desc[i];

		d->des1 = 0;
		d->des2 = stm32_hw_dma_addr(stm32_eth_tx_buf[i]);
		d->des3 = 0;
		d->des0 = i == TXN - 1 ? ETH_TDES0_TER : 0;
	}
	stm32_hw_barrier();
	eth.rx_next = 0;
	eth.tx_head = eth.tx_tail = eth.tx_busy = 0;
}

/* ---- MAC and DMA set-up ---- */

static uint32_t stm32_eth_maccr_link(uint32_t cr)
{
	cr &= ~(ETH_MACCR_FES | ETH_MACCR_DM);
	if (eth.link.speed100)
		cr |= ETH_MACCR_FES;
	if (eth.link.full)
		cr |= ETH_MACCR_DM;
	return cr;
}

/*
 * Software reset of the whole block (RM0410 DMABMR SR: MAC and DMA
 * registers return to their reset values). It completes only with the
 * RMII reference clock running, so it is bounded.
 */
static int stm32_eth_block_reset(void)
{
	stm32_eth_wr(ETH_DMABMR, ETH_DMABMR_SR);
	if (!stm32_eth_wait_clear(ETH_DMABMR, ETH_DMABMR_SR))
		return NET_EIO;
	return NET_OK;
}

/* The DMA initialisation order of RM0410 §42 ("DMA initialization"). */
static void stm32_eth_configure(void)
{
	const uint8_t *m = eth.mac;
	uint32_t cr;

	/* Normal descriptors (EDFE 0), contiguous ring (DSL 0), 32 beats. */
	stm32_eth_wr(ETH_DMABMR, ETH_DMABMR_AAB | ETH_DMABMR_FB |
				     (32u << ETH_DMABMR_PBL_SHIFT));
	stm32_eth_wr(ETH_DMAIER, ETH_DMAIER_NISE | ETH_DMAIER_AISE |
				     ETH_DMAIER_RIE | ETH_DMAIER_RBUIE |
				     ETH_DMAIER_FBEIE);
	stm32_eth_rings_init();
	stm32_eth_wr(ETH_DMARDLAR, stm32_hw_dma_addr(stm32_eth_rx_desc));
	stm32_eth_wr(ETH_DMATDLAR, stm32_hw_dma_addr(stm32_eth_tx_desc));
	/* MACA0HR bit 31 (MO) reads 1 always; address byte 0 is LR's low. */
	stm32_eth_wr(ETH_MACA0HR, (1u << 31) | (uint32_t)m[5] << 8 | m[4]);
	stm32_eth_wr(ETH_MACA0LR, (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 |
				      (uint32_t)m[1] << 8 | m[0]);
	stm32_eth_wr(ETH_MACFFR, 0); /* own address and broadcast */
	stm32_eth_wr(ETH_DMAOMR, ETH_DMAOMR_FTF);
	(void)stm32_eth_wait_clear(ETH_DMAOMR, ETH_DMAOMR_FTF);
	stm32_eth_wr(ETH_DMAOMR, ETH_DMAOMR_RSF | ETH_DMAOMR_TSF |
				     ETH_DMAOMR_OSF | ETH_DMAOMR_FEF |
				     ETH_DMAOMR_FUGF | ETH_DMAOMR_ST |
				     ETH_DMAOMR_SR);
	/* No pad/CRC stripping: the driver removes the FCS itself. */
	cr = stm32_eth_rd(ETH_MACCR) &
	     ~(ETH_MACCR_APCS | ETH_MACCR_CSTF | ETH_MACCR_IPCO);
	stm32_eth_wr(ETH_MACCR,
		     stm32_eth_maccr_link(cr) | ETH_MACCR_TE | ETH_MACCR_RE);
}

/* ---- error recovery ---- */

static void stm32_eth_count_missed(void)
{
	uint32_t v = stm32_eth_rd(ETH_DMAMFBOCR); /* cleared by the read */

	eth.stats.rx_missed += ETH_DMAMFBOCR_MFC(v) + ETH_DMAMFBOCR_MFA(v);
}

static void stm32_eth_fatal_reset(void)
{
	eth.stats.dma_fatal++;
	eth.stats.tx_lost += eth.tx_busy;
	log_printf(LOG_ERROR, "%s: DMA fatal bus error (DMASR %08x); reset",
		   stm32_eth_who, (unsigned)stm32_eth_rd(ETH_DMASR));
	eth.fatal = false;
	if (stm32_eth_block_reset() != NET_OK) {
		log_printf(LOG_ERROR, "%s: reset did not complete",
			   stm32_eth_who);
		eth.fatal = true; /* try again at the next poll */
		return;
	}
	stm32_eth_configure();
}

/*
 * Look at DMASR once per poll: restart what stopped, count what was lost.
 * The fatal reset waits until no buffer is lent (the rings are rebuilt).
 */
static void stm32_eth_check_dma(void)
{
	uint32_t sr = stm32_eth_rd(ETH_DMASR);
	uint32_t clear = sr & (ETH_DMASR_TUS | ETH_DMASR_ROS | ETH_DMASR_RWTS |
			       ETH_DMASR_TJTS);

	if (sr & ETH_DMASR_FBES)
		eth.fatal = true;
	if (eth.fatal) {
		if (!eth.rx_lent && !eth.tx_lent)
			stm32_eth_fatal_reset();
		return;
	}
	if (clear == 0)
		return;
	stm32_eth_wr(ETH_DMASR, clear | ETH_DMASR_AIS);
	if (sr & ETH_DMASR_ROS)
		stm32_eth_count_missed();
	if (sr & ETH_DMASR_TUS) {
		eth.stats.tx_underflows++;
		stm32_eth_wr(ETH_DMATPDR, 0);
	}
}

/* After a descriptor went back: restart receive if it was suspended. */
static void stm32_eth_rx_resume(void)
{
	uint32_t sr = stm32_eth_rd(ETH_DMASR);
	uint32_t rps = (sr >> ETH_DMASR_RPS_SHIFT) & 7u;

	if (!(sr & ETH_DMASR_RBUS) && rps != ETH_DMA_RX_SUSPENDED)
		return;
	stm32_eth_wr(ETH_DMASR, ETH_DMASR_RBUS | ETH_DMASR_AIS);
	stm32_eth_count_missed();
	stm32_hw_barrier(); /* OWN visible before the poll demand */
	stm32_eth_wr(ETH_DMARPDR, 0);
	eth.stats.rx_resumes++;
}

/* ---- netdev operations ---- */

static void stm32_eth_rx_next_back(void)
{
	stm32_eth_rx_give(eth.rx_next);
	eth.rx_next = (uint16_t)((eth.rx_next + 1) % RXN);
}

/* Classify a closed descriptor: its frame's length, or a NET_E* drop. */
static int stm32_eth_rx_check(uint32_t s)
{
	uint32_t fl = (s >> ETH_RDES0_FL_SHIFT) & ETH_RDES0_FL_MASK;
	bool first = s & ETH_RDES0_FS, last = s & ETH_RDES0_LS;

	if (!first || !last) {
		/*
		 * One buffer holds any frame we take, so a frame over several
		 * descriptors is too long: each part goes back, and the frame
		 * is counted once, at its last descriptor.
		 */
		if (first || !last)
			return NET_EAGAIN;
		eth.stats.rx_too_long++;
		return NET_EMSGSIZE;
	}
	if (s & ETH_RDES0_ES) {
		if (s & ETH_RDES0_CE)
			eth.stats.rx_crc++;
		else
			eth.stats.rx_errors++;
		return NET_EBADMSG;
	}
	if (fl < ETH_MIN_FCS) {
		eth.stats.rx_runt++;
		return NET_EBADMSG;
	}
	if (fl - ETH_FCS_LEN > ETH_FRAME_MAX) {
		eth.stats.rx_too_long++;
		return NET_EMSGSIZE;
	}
	return (int)(fl - ETH_FCS_LEN);
}

static int stm32_eth_rx_peek(struct netdev *nd, const uint8_t **frame)
{
	(void)nd;
	if (eth.rx_lent) {
		*frame = stm32_eth_rx_buf[eth.rx_next];
		return eth.rx_lent_len;
	}
	stm32_eth_check_dma();
	for (;;) {
		uint32_t s = stm32_eth_rx_desc[eth.rx_next].des0;
		int rc;

		if (s & ETH_DES0_OWN)
			return 0;
		stm32_hw_barrier(); /* read the buffer only after OWN */
		rc = stm32_eth_rx_check(s);
		if (rc > 0) {
			eth.rx_lent = true;
			eth.rx_lent_len = (uint16_t)rc;
			eth.stats.rx_frames++;
			*frame = stm32_eth_rx_buf[eth.rx_next];
			return rc;
		}
		stm32_eth_rx_next_back();
		stm32_eth_rx_resume();
		if (rc == NET_EMSGSIZE)
			return rc;
	}
}

static void stm32_eth_rx_done(struct netdev *nd)
{
	(void)nd;
	if (!eth.rx_lent)
		return;
	eth.rx_lent = false;
	stm32_eth_rx_next_back();
	stm32_eth_rx_resume();
}

/* Take back the descriptors the DMA has closed, oldest first. */
static void stm32_eth_tx_reclaim(void)
{
	while (eth.tx_busy > 0) {
		uint32_t s = stm32_eth_tx_desc[eth.tx_tail].des0;

		if (s & ETH_DES0_OWN)
			break;
		if (s & ETH_TDES0_ES)
			eth.stats.tx_errors++;
		eth.tx_tail = (uint16_t)((eth.tx_tail + 1) % TXN);
		eth.tx_busy--;
	}
}

static uint8_t *stm32_eth_tx_acquire(struct netdev *nd, size_t *cap)
{
	(void)nd;
	stm32_eth_check_dma();
	if (!eth.tx_lent) {
		stm32_eth_tx_reclaim();
		if (eth.tx_busy == TXN) {
			eth.stats.tx_ring_full++;
			return NULL;
		}
		eth.tx_lent = true;
	}
	*cap = ETH_FRAME_MAX;
	return stm32_eth_tx_buf[eth.tx_head];
}

static int stm32_eth_tx_submit(struct netdev *nd, size_t len)
{
	struct stm32_eth_desc *d = &stm32_eth_tx_desc[eth.tx_head];
	uint32_t ctl = ETH_DES0_OWN | ETH_TDES0_FS | ETH_TDES0_LS;

	(void)nd;
	if (!eth.tx_lent)
		return NET_EINVAL;
	if (len > ETH_FRAME_MAX) {
		eth.stats.tx_too_long++;
		return NET_EMSGSIZE;
	}
	if (len < ETH_TX_MIN) {
		memset(stm32_eth_tx_buf[eth.tx_head] + len, 0,
		       ETH_TX_MIN - len);
		len = ETH_TX_MIN;
	}
	eth.tx_lent = false;
	d->des1 = (uint32_t)len & ETH_TDES1_TBS1_MASK;
	if (eth.tx_head == TXN - 1)
		ctl |= ETH_TDES0_TER;
	stm32_hw_barrier(); /* buffer and TDES1 before OWN */
	d->des0 = ctl;
	stm32_hw_barrier(); /* OWN before the poll demand */
	eth.tx_head = (uint16_t)((eth.tx_head + 1) % TXN);
	eth.tx_busy++;
	eth.stats.tx_frames++;
	stm32_eth_wr(ETH_DMASR, ETH_DMASR_TBUS | ETH_DMASR_TS | ETH_DMASR_NIS);
	stm32_eth_wr(ETH_DMATPDR, 0);
	return NET_OK;
}

static bool stm32_eth_is_link_up(struct netdev *nd)
{
	(void)nd;
	return eth.link.up;
}

static const struct netdev_ops stm32_eth_ops = {
    .rx_peek = stm32_eth_rx_peek,
    .rx_done = stm32_eth_rx_done,
    .tx_acquire = stm32_eth_tx_acquire,
    .tx_submit = stm32_eth_tx_submit,
    .is_link_up = stm32_eth_is_link_up,
};

/* ---- link ---- */

/* Speed and duplex from LAN8742A register 31's speed indication. */
static void stm32_eth_link_mode(void)
{
	uint16_t scsr = 0;
	uint16_t ind;

	(void)stm32_eth_phy_read(PHY_PHYSCSR, &scsr);
	ind = (scsr >> PHY_PHYSCSR_SPEED_SHIFT) & PHY_PHYSCSR_SPEED_MASK;
	eth.link.speed100 =
	    ind == PHY_PHYSCSR_100HD || ind == PHY_PHYSCSR_100FD;
	eth.link.full = ind == PHY_PHYSCSR_10FD || ind == PHY_PHYSCSR_100FD;
}

bool stm32_eth_link_poll(void)
{
	uint16_t latched = 0, bsr = 0;
	bool up, bounced;

	if (!eth.started)
		return false;
	/* BSR link status latches low (IEEE 802.3 22.2.4.2.13): the first
	 * read says whether the link went down since the last poll, the
	 * second is the present. */
	if (stm32_eth_phy_read(PHY_BSR, &latched) != NET_OK)
		latched = 0;
	if (stm32_eth_phy_read(PHY_BSR, &bsr) != NET_OK)
		bsr = 0;
	up = (bsr & PHY_BSR_LINK) && (bsr & PHY_BSR_ANCOMPLETE);
	/* Down and up again between two polls: the partner may have
	 * renegotiated another speed or duplex, so the MAC follows again. */
	bounced = up && eth.link.up && !(latched & PHY_BSR_LINK);
	if (up == eth.link.up && !bounced)
		return up;
	eth.link.up = up;
	eth.stats.link_changes += bounced ? 2 : 1;
	if (!up) {
		log_printf(LOG_INFO, "%s: link down", stm32_eth_who);
		return false;
	}
	if (bounced)
		log_printf(LOG_INFO, "%s: link went down and up between polls",
			   stm32_eth_who);
	stm32_eth_link_mode();
	/* FES and DM take effect on the next frame (RM0410 ETH_MACCR). */
	stm32_eth_wr(ETH_MACCR, stm32_eth_maccr_link(stm32_eth_rd(ETH_MACCR)));
	log_printf(LOG_INFO, "%s: link up, %s Mbit/s %s duplex", stm32_eth_who,
		   eth.link.speed100 ? "100" : "10",
		   eth.link.full ? "full" : "half");
	return true;
}

void stm32_eth_get_link(struct stm32_eth_link *out)
{
	*out = eth.link;
}

/* ---- start, interrupt, counters ---- */

struct netdev *stm32_eth_start(const uint8_t mac[NETDEV_MAC_LEN])
{
	memset(&eth, 0, sizeof(eth));
	memcpy(eth.mac, mac, NETDEV_MAC_LEN);
	if (stm32_eth_block_reset() != NET_OK) {
		log_printf(LOG_ERROR,
			   "%s: DMA reset did not complete (no RMII "
			   "reference clock from the PHY?)",
			   stm32_eth_who);
		return NULL;
	}
	if (stm32_eth_phy_start() != NET_OK) {
		log_printf(LOG_ERROR, "%s: no PHY answers at MDIO address %u",
			   stm32_eth_who, (unsigned)CONFIG_STM32_ETH_PHY_ADDR);
		return NULL;
	}
	stm32_eth_configure();
	eth.netdev.ops = &stm32_eth_ops;
	eth.netdev.name = "eth0";
	eth.netdev.mtu = CONFIG_NET_MTU;
	eth.netdev.priv = &eth;
	memcpy(eth.netdev.mac, mac, NETDEV_MAC_LEN);
	eth.started = true;
	return &eth.netdev;
}

uint32_t stm32_eth_ack_interrupt(void)
{
	uint32_t sr = stm32_eth_rd(ETH_DMASR) & ETH_DMASR_FLAGS;

	if (sr & ETH_DMASR_FBES)
		eth.fatal = true;
	if (sr)
		stm32_eth_wr(ETH_DMASR, sr);
	return sr;
}

void stm32_eth_get_stats(struct stm32_eth_stats *out)
{
	if (eth.started)
		stm32_eth_count_missed();
	*out = eth.stats;
}
