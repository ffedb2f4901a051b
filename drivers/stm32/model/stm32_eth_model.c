/*
 * stm32_eth_model.c - the STM32F7 ETH block and LAN8742A model
 * (stm32_eth_model.h). Behaviour follows RM0410 §42 (Ethernet): the
 * DMA's descriptor handling and its register descriptions.
 */
#include "stm32_eth_model.h"

#include <stdio.h>
#include <string.h>

#include "../stm32_hw.h"

struct stm32_eth_model sm;

#define SM_R(off) sm.reg[(off) / 4]

static void sm_bad(const char *what, uint32_t v)
{
	sm.bad_access++;
	if (sm.complain)
		sm.complain(what, v);
	else
		printf("# stm32 model: %s (0x%08x)\n", what, (unsigned)v);
}

/*
 * Set DMASR flags. NIS and AIS are sticky summaries of the flags DMAIER
 * enables (RM0410 ETH_DMASR: "only unmasked bits affect the normal
 * interrupt summary bit"); they stay set until written 1.
 */
static void sm_raise(uint32_t bits)
{
	uint32_t ier = SM_R(ETH_DMAIER);

	SM_R(ETH_DMASR) |= bits;
	if (bits & ETH_DMASR_NIS_BITS & ier)
		SM_R(ETH_DMASR) |= ETH_DMASR_NIS;
	if (bits & ETH_DMASR_AIS_BITS & ier)
		SM_R(ETH_DMASR) |= ETH_DMASR_AIS;
}

/* ---- bus address translation ---- */

uint32_t stm32_hw_dma_addr(const void *p)
{
	for (uint32_t i = 0; i < sm.nwin; i++) {
		if (sm.win[i] == (uintptr_t)p)
			return SM_BUS_BASE + i * SM_BUS_WINDOW;
	}
	if (sm.nwin == SM_WINDOWS) {
		sm_bad("out of bus windows", 0);
		return 0;
	}
	sm.win[sm.nwin] = (uintptr_t)p;
	return SM_BUS_BASE + sm.nwin++ * SM_BUS_WINDOW;
}

void *sm_host(uint32_t bus)
{
	uint32_t i = (bus - SM_BUS_BASE) / SM_BUS_WINDOW;

	if (bus < SM_BUS_BASE || i >= sm.nwin) {
		sm_bad("bus address maps nothing", bus);
		return NULL;
	}
	return (void *)(sm.win[i] + (bus - SM_BUS_BASE) % SM_BUS_WINDOW);
}

void stm32_hw_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- PHY ---- */

static void sm_phy_defaults(void)
{
	memset(sm.phy, 0, sizeof(sm.phy));
	sm.phy[PHY_BCR] = PHY_BCR_ANEN | PHY_BCR_SPEED100 | PHY_BCR_FULLDUPLEX;
	/* 100/10 full/half capable, extended capabilities, AN able. */
	sm.phy[PHY_BSR] = 0x7809u | PHY_BSR_ANABILITY;
	sm.phy[PHY_ID1] = PHY_LAN8742A_ID1;
	sm.phy[PHY_ID2] = 0xc131u;
	sm.phy[PHY_ANAR] = 0x01e1u;
}

static uint16_t sm_phy_read(uint8_t reg)
{
	uint16_t v = sm.phy[reg];
	bool an = sm.phy[PHY_BCR] & PHY_BCR_ANEN;

	switch (reg) {
	case PHY_BCR:
		if (sm.phy_reset_reads > 0 && --sm.phy_reset_reads > 0)
			v |= PHY_BCR_RESET;
		return v;
	case PHY_BSR:
		v &= (uint16_t) ~(PHY_BSR_LINK | PHY_BSR_ANCOMPLETE);
		if (sm.link && !sm.bsr_latched_low)
			v |= PHY_BSR_LINK;
		if (sm.link && an)
			v |= PHY_BSR_ANCOMPLETE;
		sm.bsr_latched_low = false; /* a read releases the latch */
		return v;
	case PHY_PHYSCSR: {
		uint16_t ind =
		    sm.speed100
			? (sm.full ? PHY_PHYSCSR_100FD : PHY_PHYSCSR_100HD)
			: (sm.full ? PHY_PHYSCSR_10FD : PHY_PHYSCSR_10HD);
		v = (uint16_t)(ind << PHY_PHYSCSR_SPEED_SHIFT);
		if (sm.link && an)
			v |= PHY_PHYSCSR_AUTODONE;
		return v;
	}
	default:
		return v;
	}
}

static void sm_phy_write(uint8_t reg, uint16_t v)
{
	if (reg == PHY_BCR && (v & PHY_BCR_RESET)) {
		sm_phy_defaults();
		sm.phy_reset_reads = 3;
		return;
	}
	if (reg == PHY_BCR)
		v &= (uint16_t)~PHY_BCR_ANRESTART; /* self-clearing */
	if (reg == PHY_BSR || reg == PHY_ID1 || reg == PHY_ID2 ||
	    reg == PHY_PHYSCSR)
		return; /* read-only here */
	sm.phy[reg] = v;
}

void sm_set_link(bool up, bool speed100, bool full)
{
	if (sm.link && !up)
		sm.bsr_latched_low = true;
	sm.link = up;
	sm.speed100 = speed100;
	sm.full = full;
}

/* ---- MDIO ---- */

static void sm_mdio_finish(void)
{
	uint32_t ar = SM_R(ETH_MACMIIAR);
	uint8_t pa = (uint8_t)((ar >> ETH_MACMIIAR_PA_SHIFT) & 31u);
	uint8_t mr = (uint8_t)((ar >> ETH_MACMIIAR_MR_SHIFT) & 31u);
	bool here = sm.phy_present && pa == sm.phy_addr;

	sm.mdio_ops++;
	if (ar & ETH_MACMIIAR_MW) {
		if (here)
			sm_phy_write(mr, (uint16_t)SM_R(ETH_MACMIIDR));
	} else {
		/* Nobody drives MDIO: the pull-up reads all ones. */
		SM_R(ETH_MACMIIDR) = here ? sm_phy_read(mr) : 0xffffu;
	}
	SM_R(ETH_MACMIIAR) = ar & ~ETH_MACMIIAR_MB;
}

static void sm_mdio_start(uint32_t v)
{
	if (SM_R(ETH_MACMIIAR) & ETH_MACMIIAR_MB) {
		sm_bad("MACMIIAR written while busy", v);
		return;
	}
	SM_R(ETH_MACMIIAR) = v;
	if (!(v & ETH_MACMIIAR_MB))
		return;
	if (((v >> ETH_MACMIIAR_CR_SHIFT) & 7u) > 4u)
		sm_bad("MACMIIAR CR reserved value", v);
	sm.mdio_left = sm.mdio_reads;
	if (sm.mdio_left == 0)
		sm_mdio_finish();
}

/* ---- reset ---- */

static void sm_block_reset(void)
{
	memset(sm.reg, 0, sizeof(sm.reg));
	SM_R(ETH_MACCR) = 0x00008000u; /* reserved bit 15 reads 1 */
	SM_R(ETH_MACA0HR) = 0x8000ffffu;
	SM_R(ETH_MACA0LR) = 0xffffffffu;
	SM_R(ETH_DMABMR) = 0x00020100u; /* SR read 0: done */
	sm.rx = sm.tx = SM_STOPPED;
	sm.rx_cur = sm.tx_cur = 0;
	sm.missed = 0;
	sm.resets++;
}

void sm_power_on(void)
{
	memset(&sm, 0, sizeof(sm));
	sm.reset_reads = 3;
	sm.mdio_reads = 2;
	sm.phy_present = true;
	sm_phy_defaults();
	sm_block_reset();
	sm.resets = 0;
	/* RM0410 GPIO reset values: PA13-15 and PB3, PB4 start in debug. */
	sm.gpio[SM_GPIOA][0] = 0xa8000000u;
	sm.gpio[SM_GPIOA][2] = 0x0c000000u;
	sm.gpio[SM_GPIOA][3] = 0x64000000u;
	sm.gpio[SM_GPIOB][0] = 0x00000280u;
	sm.gpio[SM_GPIOB][2] = 0x000000c0u;
	sm.gpio[SM_GPIOB][3] = 0x00000100u;
}

/* ---- descriptors ---- */

static struct stm32_eth_desc *sm_desc(uint32_t bus)
{
	struct stm32_eth_desc *d = sm_host(bus);

	if (d && ((uintptr_t)d & 3u))
		sm_bad("descriptor not word-aligned", bus);
	return d;
}

static uint32_t sm_next_rx(uint32_t cur, const struct stm32_eth_desc *d)
{
	if (d->des1 & ETH_RDES1_RER)
		return SM_R(ETH_DMARDLAR);
	return cur + 16; /* DSL 0 */
}

static uint32_t sm_next_tx(uint32_t cur, const struct stm32_eth_desc *d)
{
	if (d->des0 & ETH_TDES0_TER)
		return SM_R(ETH_DMATDLAR);
	return cur + 16;
}

/* The receive DMA fetches the current descriptor: ours, or suspend. */
static bool sm_rx_fetch(void)
{
	struct stm32_eth_desc *d = sm_desc(sm.rx_cur);

	if (d && (d->des0 & ETH_DES0_OWN)) {
		sm.rx = SM_RUNNING;
		return true;
	}
	if (sm.rx != SM_SUSPENDED)
		sm.rx_suspends++;
	sm.rx = SM_SUSPENDED;
	sm_raise(ETH_DMASR_RBUS);
	return false;
}

/* Close descriptor d holding `n` bytes; `st` the status bits. */
static void sm_rx_close(struct stm32_eth_desc *d, uint32_t st, uint32_t fl)
{
	d->des0 = st | (fl & ETH_RDES0_FL_MASK) << ETH_RDES0_FL_SHIFT;
}

static bool sm_rx_filtered(size_t flen, uint32_t err)
{
	uint32_t omr = SM_R(ETH_DMAOMR);

	if (err && !(omr & ETH_DMAOMR_FEF))
		return true;
	return !err && flen < 64 && !(omr & ETH_DMAOMR_FUGF);
}

enum sm_rx_result sm_rx_frame(const uint8_t *frame, size_t len, uint32_t err)
{
	static uint8_t buf[SM_FRAME_MAX + 4];
	size_t flen = len + 4, done = 0;
	struct stm32_eth_desc *prev = NULL;

	if (sm.rx == SM_STOPPED || !(SM_R(ETH_DMAOMR) & ETH_DMAOMR_SR))
		return SM_RX_STOPPED;
	if (sm_rx_filtered(flen, err)) {
		sm.rx_filtered++;
		return SM_RX_FILTERED;
	}
	memcpy(buf, frame, len);
	memcpy(buf + len, "\xde\xad\xbe\xef", 4); /* the FCS */
	if (!sm_rx_fetch()) {
		sm.missed++;
		sm.missed_total++;
		return SM_RX_MISSED;
	}
	while (done < flen) {
		struct stm32_eth_desc *d = sm_desc(sm.rx_cur);
		uint32_t st = done == 0 ? ETH_RDES0_FS : 0;
		size_t n;

		if (!d || !(d->des0 & ETH_DES0_OWN)) {
			/* Out of descriptors mid-frame: RDES0 DE, truncated. */
			prev->des0 |=
			    ETH_RDES0_DE | ETH_RDES0_ES | ETH_RDES0_LS;
			sm_raise(ETH_DMASR_RBUS | ETH_DMASR_RS);
			sm.rx_suspends++;
			sm.rx = SM_SUSPENDED;
			sm.rx_delivered++;
			return SM_RX_DELIVERED;
		}
		n = d->des1 & ETH_RDES1_RBS1_MASK;
		if (n > flen - done)
			n = flen - done;
		memcpy(sm_host(d->des2), buf + done, n);
		done += n;
		if (done == flen) {
			st |= ETH_RDES0_LS | err;
			if (err)
				st |= ETH_RDES0_ES;
		}
		sm_rx_close(d, st, (uint32_t)done);
		prev = d;
		sm.rx_cur = sm_next_rx(sm.rx_cur, d);
	}
	sm_raise(ETH_DMASR_RS);
	sm.rx_delivered++;
	(void)sm_rx_fetch(); /* the DMA looks ahead for the next frame */
	return SM_RX_DELIVERED;
}

/* ---- the wire ---- */

/* MACCR FES and DM agree with the mode the PHY negotiated. */
static bool sm_mode_ok(void)
{
	uint32_t cr = SM_R(ETH_MACCR);

	return ((cr & ETH_MACCR_FES) != 0) == sm.speed100 &&
	       ((cr & ETH_MACCR_DM) != 0) == sm.full;
}

/*
 * The destination address filter, RM0410 §42 "Destination address
 * filtering": perfect filtering against MACA0 (MACA1-3 are left
 * disabled by the driver and not modelled); broadcast passes unless BFD;
 * multicast passes with PAM, else only on a perfect match; DAIF inverts
 * the unicast and multicast match; PM (and RA, receive all) pass every
 * frame. Hash filtering (HU, HM) is not modelled and counted as a bad
 * access so that a driver starting to use it is noticed.
 */
static bool sm_addr_pass(const uint8_t *da)
{
	uint32_t ffr = SM_R(ETH_MACFFR);
	uint32_t hr = SM_R(ETH_MACA0HR), lr = SM_R(ETH_MACA0LR);
	uint8_t a0[6] = {(uint8_t)lr,	      (uint8_t)(lr >> 8),
			 (uint8_t)(lr >> 16), (uint8_t)(lr >> 24),
			 (uint8_t)hr,	      (uint8_t)(hr >> 8)};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	bool match;

	if (ffr & (SM_MACFFR_HU | SM_MACFFR_HM))
		sm_bad("MACFFR hash filtering (not modelled)", ffr);
	if (ffr & (SM_MACFFR_PM | SM_MACFFR_RA))
		return true;
	if (memcmp(da, bcast, 6) == 0)
		return !(ffr & SM_MACFFR_BFD);
	if ((da[0] & 1u) && (ffr & SM_MACFFR_PAM))
		return true;
	match = memcmp(da, a0, 6) == 0;
	return (ffr & SM_MACFFR_DAIF) ? !match : match;
}

enum sm_rx_result sm_wire_rx(const uint8_t *frame, size_t len)
{
	sm.wire_rx_frames++;
	if (!sm.link || !(SM_R(ETH_MACCR) & ETH_MACCR_RE)) {
		sm.wire_rx_lost++;
		return SM_RX_NO_LINK;
	}
	if (!sm_mode_ok()) {
		/* 10 vs 100 Mbit/s or half vs full: not a frame to the MAC. */
		sm.wire_mode_lost++;
		return SM_RX_MODE_MISMATCH;
	}
	if (len < 14 || !sm_addr_pass(frame)) {
		sm.rx_addr_filtered++;
		return SM_RX_ADDR_FILTERED;
	}
	return sm_rx_frame(frame, len, 0);
}

/* A frame the transmit DMA took goes on the wire, or is lost. */
static void sm_wire_out(const uint8_t *frame, size_t len)
{
	if (!sm.link || !(SM_R(ETH_MACCR) & ETH_MACCR_TE)) {
		sm.wire_tx_lost++;
		return;
	}
	if (!sm_mode_ok()) {
		sm.wire_mode_lost++;
		return;
	}
	sm.wire_tx_frames++;
	if (sm.wire_tx)
		sm.wire_tx(frame, len);
}

bool sm_rx_ready(void)
{
	const struct stm32_eth_desc *d;

	if (sm.rx == SM_STOPPED || !(SM_R(ETH_DMAOMR) & ETH_DMAOMR_SR))
		return false;
	/* Suspended or not, the DMA fetches the descriptor on arrival. */
	d = sm_host(sm.rx_cur);
	return d && (d->des0 & ETH_DES0_OWN);
}

bool sm_irq_pending(void)
{
	uint32_t sr = SM_R(ETH_DMASR), ier = SM_R(ETH_DMAIER);

	return ((sr & ETH_DMASR_NIS) && (ier & ETH_DMAIER_NISE)) ||
	       ((sr & ETH_DMASR_AIS) && (ier & ETH_DMAIER_AISE));
}

/* ---- transmit ---- */

static void sm_tx_one(struct stm32_eth_desc *d, struct sm_tx_frame *f)
{
	uint32_t s = d->des0;
	size_t n = d->des1 & ETH_TDES1_TBS1_MASK;
	const uint8_t *p = sm_host(d->des2);

	if (!(s & ETH_TDES0_FS) || !(s & ETH_TDES0_LS))
		sm_bad("TX descriptor without FS and LS", s);
	if (((s >> ETH_TDES0_CIC_SHIFT) & 3u) != 0 ||
	    (s & (ETH_TDES0_DC | ETH_TDES0_DP)))
		sm_bad("TX descriptor asks for CIC/DC/DP", s);
	if (f && p && n <= SM_FRAME_MAX) {
		f->len = n;
		memcpy(f->data, p, n);
	}
	if (p && n <= SM_FRAME_MAX)
		sm_wire_out(p, n);
	sm.tx_count++;
	d->des0 = (s & ~(uint32_t)ETH_DES0_OWN & ~0x1ffffu) | sm.tx_err_bits |
		  (sm.tx_err_bits ? ETH_TDES0_ES : 0);
}

void sm_tx_run(void)
{
	if (sm.tx == SM_STOPPED || sm.tx_stall ||
	    !(SM_R(ETH_DMAOMR) & ETH_DMAOMR_ST))
		return;
	/* Suspended, it leaves only on a poll demand (RM0410 DMATPDR). */
	if (sm.tx == SM_SUSPENDED && !sm.tx_demand)
		return;
	sm.tx_demand = false;
	for (;;) {
		struct stm32_eth_desc *d = sm_desc(sm.tx_cur);

		if (!d || !(d->des0 & ETH_DES0_OWN)) {
			sm.tx = SM_SUSPENDED;
			sm_raise(ETH_DMASR_TBUS);
			return;
		}
		sm.tx = SM_RUNNING;
		sm_tx_one(d, sm.tx_count < SM_TX_LOG ? &sm.tx_log[sm.tx_count]
						     : NULL);
		/* TS only for a frame whose descriptor asked (TDES0 IC). */
		if (d->des0 & ETH_TDES0_IC)
			sm_raise(ETH_DMASR_TS);
		sm.tx_cur = sm_next_tx(sm.tx_cur, d);
	}
}

void sm_fatal_bus_error(void)
{
	sm_raise(ETH_DMASR_FBES);
	sm.rx = sm.tx = SM_STOPPED;
}

/* ---- registers ---- */

uint32_t sm_dmasr(void)
{
	uint32_t v = SM_R(ETH_DMASR) & ETH_DMASR_FLAGS;
	uint32_t rps = sm.rx == SM_RUNNING     ? ETH_DMA_RUNNING
		       : sm.rx == SM_SUSPENDED ? ETH_DMA_RX_SUSPENDED
					       : ETH_DMA_STOPPED;
	uint32_t tps = sm.tx == SM_SUSPENDED ? ETH_DMA_SUSPENDED
		       : sm.tx == SM_RUNNING ? ETH_DMA_RUNNING
					     : ETH_DMA_STOPPED;

	return v | rps << ETH_DMASR_RPS_SHIFT | tps << ETH_DMASR_TPS_SHIFT;
}

/* GPIO or SYSCFG storage behind addr, or NULL. */
static uint32_t *sm_other(uintptr_t addr)
{
	static const uintptr_t port[4] = {0x40020000u, 0x40020400u, 0x40020800u,
					  0x40021800u};

	if (addr & 3u)
		return NULL;
	for (int i = 0; i < 4; i++) {
		if (addr >= port[i] && addr < port[i] + 0x28u)
			return &sm.gpio[i][(addr - port[i]) / 4];
	}
	if (addr >= 0x40013800u && addr < 0x40013830u)
		return &sm.syscfg[(addr - 0x40013800u) / 4];
	return NULL;
}

static bool sm_reg_ok(uintptr_t addr, uint32_t *off)
{
	if (addr < STM32_ETH_BASE || addr >= STM32_ETH_BASE + ETH_REG_END ||
	    (addr & 3u)) {
		sm_bad("access outside the ETH registers", (uint32_t)addr);
		return false;
	}
	*off = (uint32_t)(addr - STM32_ETH_BASE);
	return true;
}

uint32_t stm32_hw_read32(uintptr_t addr)
{
	uint32_t off, v;

	if (sm_other(addr))
		return *sm_other(addr);
	if (!sm_reg_ok(addr, &off))
		return 0;
	switch (off) {
	case ETH_DMABMR:
		if (sm.reset_left > 0 && !sm.reset_stuck &&
		    --sm.reset_left == 0)
			sm_block_reset();
		return SM_R(off) | (sm.reset_left ? ETH_DMABMR_SR : 0);
	case ETH_MACMIIAR:
		if ((SM_R(off) & ETH_MACMIIAR_MB) && sm.mdio_left > 0 &&
		    --sm.mdio_left == 0)
			sm_mdio_finish();
		return SM_R(off);
	case ETH_DMASR:
		return sm_dmasr();
	case ETH_DMAMFBOCR:
		v = sm.missed > 0xffffu ? 0xffffu | 1u << 16 : sm.missed;
		sm.missed = 0; /* cleared on read */
		return v;
	default:
		return SM_R(off);
	}
}

static void sm_write_omr(uint32_t v)
{
	uint32_t old = SM_R(ETH_DMAOMR);

	SM_R(ETH_DMAOMR) = v & ~ETH_DMAOMR_FTF; /* the flush is immediate */
	if ((v & ETH_DMAOMR_SR) && !(old & ETH_DMAOMR_SR)) {
		if (sm.rx_cur == 0)
			sm.rx_cur = SM_R(ETH_DMARDLAR);
		(void)sm_rx_fetch();
	} else if (!(v & ETH_DMAOMR_SR)) {
		sm.rx = SM_STOPPED;
	}
	if ((v & ETH_DMAOMR_ST) && !(old & ETH_DMAOMR_ST)) {
		if (sm.tx_cur == 0)
			sm.tx_cur = SM_R(ETH_DMATDLAR);
		sm.tx = SM_RUNNING;
		sm_tx_run();
	} else if (!(v & ETH_DMAOMR_ST)) {
		sm.tx = SM_STOPPED;
	}
}

static void sm_write_dlar(uint32_t off, uint32_t v)
{
	bool running =
	    off == ETH_DMARDLAR ? sm.rx != SM_STOPPED : sm.tx != SM_STOPPED;

	if (running)
		sm_bad("descriptor list address written while running", v);
	if (v & 3u)
		sm_bad("descriptor list not word-aligned", v);
	SM_R(off) = v;
	if (off == ETH_DMARDLAR)
		sm.rx_cur = v;
	else
		sm.tx_cur = v;
}

void stm32_hw_write32(uintptr_t addr, uint32_t v)
{
	uint32_t off;

	if (sm_other(addr)) {
		*sm_other(addr) = v;
		return;
	}
	if (!sm_reg_ok(addr, &off))
		return;
	switch (off) {
	case ETH_DMABMR:
		if (v & ETH_DMABMR_SR) {
			sm.reset_left = sm.reset_reads ? sm.reset_reads : 1;
			return;
		}
		SM_R(off) = v;
		return;
	case ETH_DMASR:
		SM_R(off) &= ~(v & ETH_DMASR_FLAGS);
		return;
	case ETH_DMAOMR:
		sm_write_omr(v);
		return;
	case ETH_DMARDLAR:
	case ETH_DMATDLAR:
		sm_write_dlar(off, v);
		return;
	case ETH_DMARPDR:
		sm.rx_polls++;
		if (sm.rx == SM_SUSPENDED)
			(void)sm_rx_fetch();
		return;
	case ETH_DMATPDR:
		sm.tx_polls++;
		sm.tx_demand = true;
		if (sm.tx != SM_STOPPED)
			sm_tx_run();
		return;
	case ETH_MACMIIAR:
		sm_mdio_start(v);
		return;
	case ETH_MACMIIDR:
		if (SM_R(ETH_MACMIIAR) & ETH_MACMIIAR_MB)
			sm_bad("MACMIIDR written while busy", v);
		SM_R(off) = v & 0xffffu;
		return;
	case ETH_DMAMFBOCR:
	case ETH_DMACHTDR:
	case ETH_DMACHRDR:
		sm_bad("write to a read-only register", off);
		return;
	default:
		SM_R(off) = v;
		return;
	}
}
