/*
 * eth.h - the STM32F7 Ethernet MAC/DMA driver (RM0410 §42) with a LAN8742A
 * PHY over MDIO, as a struct netdev (<net/netdev.h>).
 *
 * The driver touches the chip only through stm32_hw.h, so the same source
 * runs on the chip and against the host model in drivers/stm32/model.
 *
 * A target, once clocks and RMII pins are set up (stm32_eth_pins_init()
 * and the RCC enables, boot/stm32), calls:
 *
 *   dev = stm32_eth_start(mac);    reset, PHY autonegotiation, rings, go
 *   ...every few hundred ms:  stm32_eth_link_poll();
 *   ...from the ETH interrupt:  stm32_eth_ack_interrupt();
 *
 * Descriptors: the normal (four-word) format, in ring mode. The enhanced
 * format is needed only for time stamps and for the receive checksum
 * offload's status (RM0410 §42, "Rx DMA descriptors": IPCO = 1 requires
 * enhanced descriptors); the driver uses neither.
 *
 * Checksum offload: none. The stack computes and checks every IP, ICMP,
 * UDP and TCP checksum itself, as on every target; the MAC only generates
 * and checks the Ethernet FCS. Transmit insertion (TDES0 CIC) would need
 * the stack to leave checksum fields to the hardware on this target alone,
 * and it works only in transmit store-and-forward mode; receive offload
 * needs enhanced descriptors. Both are left out on purpose.
 *
 * Link: stm32_eth_link_poll() reads the PHY (MDIO, about 30 us a register
 * at 2.1 MHz), so it is not done on every is_link_up(): that returns the
 * state the last poll saw. On a change to up, the negotiated speed and
 * duplex (PHY register 31) are written to MACCR FES and DM.
 */
#ifndef DRIVERS_STM32_ETH_H
#define DRIVERS_STM32_ETH_H

#include <stdbool.h>
#include <stdint.h>

#include <net/netdev.h>

/* Counters of the driver (the stack keeps its own, <net/stats.h>). */
struct stm32_eth_stats {
	uint64_t rx_frames;	/* lent to the stack */
	uint64_t rx_crc;	/* FCS error (RDES0 CE) */
	uint64_t rx_runt;	/* shorter than 64 bytes with FCS */
	uint64_t rx_too_long;	/* over mtu + 14, or across descriptors */
	uint64_t rx_errors;	/* other error summary: OE, RWT, DE, ... */
	uint64_t rx_missed;	/* DMAMFBOCR: no descriptor, or FIFO full */
	uint64_t rx_resumes;	/* receive restarted after RBUS */
	uint64_t tx_frames;	/* handed to the DMA */
	uint64_t tx_errors;	/* completed with TDES0 ES */
	uint64_t tx_ring_full;	/* tx_acquire() found no free descriptor */
	uint64_t tx_too_long;	/* tx_submit() of more than mtu + 14 */
	uint64_t tx_lost;	/* queued frames dropped by a DMA reset */
	uint64_t tx_underflows; /* TUS: transmission resumed */
	uint64_t dma_fatal;	/* FBES: DMA and MAC reset and restarted */
	uint64_t link_changes;	/* up/down transitions seen by link_poll */
};

/* Link state as the last stm32_eth_link_poll() found it. */
struct stm32_eth_link {
	bool up;
	bool speed100; /* else 10 Mbit/s */
	bool full;     /* full duplex */
};

/*
 * Reset the MAC and DMA, reset the PHY and start autonegotiation, set up
 * the rings and start both DMA directions. Returns the netdev (link still
 * down until stm32_eth_link_poll() sees it up), or NULL when the DMA reset
 * does not complete (no RMII reference clock from the PHY) or the PHY
 * does not answer; a log line says which.
 */
struct netdev *stm32_eth_start(const uint8_t mac[NETDEV_MAC_LEN]);

/*
 * Read the PHY's link state; on a change, log it and apply the negotiated
 * speed and duplex to the MAC. Returns whether the link is up.
 */
bool stm32_eth_link_poll(void);

/* The link state of the last poll. */
void stm32_eth_get_link(struct stm32_eth_link *out);

/*
 * Read and clear the DMA's interrupt flags (DMASR); returns the flags that
 * were set, 0 when none. A fatal bus error is remembered for the poll
 * path, which resets the block. Register accesses only: interrupt-safe.
 */
uint32_t stm32_eth_ack_interrupt(void);

/* Clause 22 MDIO access (MACMIIAR/MACMIIDR): NET_OK or NET_ETIMEDOUT. */
int stm32_eth_mdio_read(uint8_t phy, uint8_t reg, uint16_t *out);
int stm32_eth_mdio_write(uint8_t phy, uint8_t reg, uint16_t v);

/* The counters so far. */
void stm32_eth_get_stats(struct stm32_eth_stats *out);

#endif /* DRIVERS_STM32_ETH_H */
