/*
 * stm32_eth_model.h - a model of the STM32F7 Ethernet MAC/DMA block and
 * its LAN8742A PHY in the test process, behind the register-access layer
 * of drivers/stm32/stm32_hw.h.
 *
 * The model implements stm32_hw_read32/write32 over the ETH register
 * window (RM0410 §42), stm32_hw_barrier() and stm32_hw_dma_addr() (a
 * table of 64 KiB bus windows, one per static object the driver names),
 * and acts as the hardware as RM0410 describes it:
 *
 *   - DMABMR SR resets every register; SR reads 1 for `reset_reads` reads;
 *   - DMAOMR SR/ST start the receive/transmit processes at DMARDLAR /
 *     DMATDLAR; DMARPDR/DMATPDR are poll demands;
 *   - the descriptor engine: normal descriptors in ring mode, the OWN bit
 *     hand-off, RDES0 FS/LS/FL/ES and error bits, frames spread over
 *     descriptors, RBUS and suspension when a descriptor is the driver's
 *     (a suspended receive re-fetches at the next frame or poll demand),
 *     missed-frame counting in DMAMFBOCR, TBUS when transmit runs dry;
 *   - the receive FIFO's drops in store-and-forward mode: error frames
 *     unless DMAOMR FEF, undersized good frames unless FUGF;
 *   - DMASR write-1-to-clear flags, NIS/AIS summaries, RPS/TPS states;
 *   - MDIO: MACMIIAR MB stays set for `mdio_reads` reads, then the PHY
 *     register is read into MACMIIDR or written from it;
 *   - the PHY: BCR (reset and autonegotiation restart self-clear), BSR
 *     with a latching-low link bit and autonegotiation complete, ID1/ID2,
 *     ANAR, PHYSCSR with the speed indication.
 *
 * GPIO ports A, B, C, G and SYSCFG are plain registers at their reset
 * values (RM0410 GPIO and SYSCFG chapters), for the RMII pin set-up.
 *
 * The wire side, for a hosted target that bridges the model to a real
 * network (boot/stm32-model): sm_wire_rx() is a frame arriving at the PHY
 * and goes through what the MAC does before the DMA sees it (link up,
 * MACCR RE, speed and duplex in MACCR matching what the PHY negotiated,
 * the destination address filter of MACFFR and MACA0); `wire_tx` is
 * called with each frame the MAC puts on the wire (link up, MACCR TE,
 * the same mode check). sm_rx_ready() says whether the receive DMA holds
 * a descriptor a frame could go to now, and sm_irq_pending() whether the
 * ETH interrupt line is raised: DMASR NIS or AIS, each sticky until
 * written 1 and set only by the sources DMAIER enables, with NISE or AISE.
 *
 * Anything the driver does that the manual forbids (a register outside
 * the window, MACMIIAR/MACMIIDR written while busy, a descriptor list
 * address written while its process runs, a transmit descriptor without
 * FS/LS, an untranslatable bus address) is counted in sm.bad_access and
 * printed; tests check it stays 0.
 */
#ifndef DRIVERS_STM32_ETH_MODEL_H
#define DRIVERS_STM32_ETH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../eth_regs.h"

#define SM_BUS_BASE   0x20000000u
#define SM_BUS_WINDOW 0x10000u
#define SM_WINDOWS    1024
#define SM_TX_LOG     64
#define SM_FRAME_MAX  4096

enum sm_proc { SM_STOPPED, SM_RUNNING, SM_SUSPENDED };

enum sm_rx_result {
	SM_RX_DELIVERED, /* written into descriptors */
	SM_RX_MISSED,	 /* no descriptor: counted in DMAMFBOCR */
	SM_RX_FILTERED,	 /* dropped by the FIFO (FEF/FUGF clear) */
	SM_RX_STOPPED,	 /* receive process not running */
	/* sm_wire_rx() only: */
	SM_RX_NO_LINK,	     /* PHY link down or MACCR RE clear */
	SM_RX_MODE_MISMATCH, /* MACCR FES/DM differ from the PHY's mode */
	SM_RX_ADDR_FILTERED, /* failed the destination address filter */
};

/* ETH_MACFFR (RM0410 §42 "Ethernet MAC frame filter register"); the
 * driver leaves it 0: perfect filter on MACA0, broadcast passes. */
#define SM_MACFFR_PM   (1u << 0)  /* promiscuous */
#define SM_MACFFR_HU   (1u << 1)  /* hash unicast (not modelled) */
#define SM_MACFFR_HM   (1u << 2)  /* hash multicast (not modelled) */
#define SM_MACFFR_DAIF (1u << 3)  /* destination address inverse */
#define SM_MACFFR_PAM  (1u << 4)  /* pass all multicast */
#define SM_MACFFR_BFD  (1u << 5)  /* broadcast frames disable */
#define SM_MACFFR_RA   (1u << 31) /* receive all */

struct sm_tx_frame {
	size_t len;
	uint8_t data[SM_FRAME_MAX];
};

struct stm32_eth_model {
	uint32_t reg[ETH_REG_END / 4];
	/* behaviour knobs */
	uint32_t reset_reads; /* DMABMR reads with SR still 1 after a reset */
	bool reset_stuck;     /* SR never clears (no REF_CLK) */
	uint32_t mdio_reads;  /* MACMIIAR reads with MB still 1 */
	bool tx_stall;	      /* the transmit DMA does not run */
	bool tx_demand;	      /* DMATPDR written, not yet acted on */
	uint32_t tx_err_bits; /* TDES0 bits written back on completion */
	/* PHY */
	bool phy_present;
	uint8_t phy_addr;
	uint16_t phy[32];
	bool link, speed100, full;
	bool bsr_latched_low;
	uint32_t phy_reset_reads; /* BCR reads with RESET still set */
	/* DMA engine */
	enum sm_proc rx, tx;
	uint32_t rx_cur, tx_cur; /* bus address of the current descriptor */
	uint32_t reset_left;
	uint32_t mdio_left;
	uint32_t missed; /* DMAMFBOCR MFC */
	/* the wire side (set by a hosted target after sm_power_on()) */
	void (*wire_tx)(const uint8_t *frame, size_t len);
	void (*complain)(const char *what, uint32_t v); /* else printf */
	/* what happened */
	uint32_t resets, rx_polls, tx_polls, mdio_ops, rx_filtered;
	uint32_t bad_access;
	uint64_t wire_rx_frames; /* frames that reached the MAC from the PHY */
	uint64_t wire_rx_lost;	 /* ... with no link, RE off, wrong mode */
	uint64_t rx_addr_filtered; /* ... failing the address filter */
	uint64_t wire_tx_frames;   /* frames the MAC put on the wire */
	uint64_t wire_tx_lost;	   /* taken by the DMA, no link or TE */
	uint64_t wire_mode_lost;   /* either way, MACCR FES/DM wrong */
	uint64_t missed_total;	   /* every missed frame (DMAMFBOCR clears) */
	uint64_t rx_suspends;	   /* times receive suspended on RBUS */
	uint64_t rx_delivered;	   /* frames the receive DMA wrote */
	uint32_t tx_count; /* frames sent (the first SM_TX_LOG are kept) */
	struct sm_tx_frame tx_log[SM_TX_LOG];
	/* GPIOA, B, C, G (registers 0x00..0x24) and SYSCFG (0x00..0x2c),
	 * plain storage at their reset values, for eth_pins.c */
	uint32_t gpio[4][10];
	uint32_t syscfg[12];
	/* translation table of stm32_hw_dma_addr() */
	uintptr_t win[SM_WINDOWS];
	uint32_t nwin;
};

extern struct stm32_eth_model sm;

/* Ports of sm.gpio[]. */
enum sm_port { SM_GPIOA, SM_GPIOB, SM_GPIOC, SM_GPIOG };

/* Power-on: registers at reset values, PHY present at address 0, link
 * down, no windows, nothing logged. */
void sm_power_on(void);

/*
 * A frame of `len` bytes (without FCS; the model appends 4) arrives with
 * RDES0 error bits `err` (ETH_RDES0_CE, ...; 0 for a good frame).
 */
enum sm_rx_result sm_rx_frame(const uint8_t *frame, size_t len, uint32_t err);

/*
 * Run the transmit DMA (after tx_stall): a suspended one only if a poll
 * demand came meanwhile.
 */
void sm_tx_run(void);

/* Cable in or out; on a link up, autonegotiation result speed/duplex. */
void sm_set_link(bool up, bool speed100, bool full);

/* A bus error: both processes stop, DMASR FBES. */
void sm_fatal_bus_error(void);

/*
 * A frame of `len` bytes (no FCS) arrives from the wire: link, RE, mode
 * and address filter, then as sm_rx_frame() with no error.
 */
enum sm_rx_result sm_wire_rx(const uint8_t *frame, size_t len);

/* Whether the receive DMA would place a frame arriving now. */
bool sm_rx_ready(void);

/* Whether the ETH interrupt line is raised (DMASR NIS/AIS with DMAIER). */
bool sm_irq_pending(void);

/* DMASR as the driver would read it. */
uint32_t sm_dmasr(void);

/* The host pointer behind a bus address, or NULL. */
void *sm_host(uint32_t bus);

#endif /* DRIVERS_STM32_ETH_MODEL_H */
