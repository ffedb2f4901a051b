/*
 * eth_regs.h - the STM32F7 Ethernet MAC and DMA as RM0410 (STM32F76xxx/
 * 77xxx reference manual) describes them, and the registers of the
 * LAN8742A PHY the NUCLEO-F767ZI carries (UM1974): offsets, bits and the
 * normal descriptor layout. Shared by the driver (eth.c) and the host model
 * of the peripheral (drivers/stm32/model/stm32_eth_model.c).
 *
 * Citations name RM0410's Ethernet chapter (§42, "Ethernet (ETH): media
 * access control (MAC) with DMA controller") and the register as the
 * manual spells it; only what the driver uses is defined.
 */
#ifndef DRIVERS_STM32_ETH_REGS_H
#define DRIVERS_STM32_ETH_REGS_H

#include <stddef.h>
#include <stdint.h>

/* RM0410 §2.2 memory map: ETH at 0x4002 8000 on AHB1. */
#define STM32_ETH_BASE 0x40028000u

/* MAC registers, RM0410 §42 "MAC register description" (offsets from
 * STM32_ETH_BASE). */
#define ETH_MACCR    0x0000u
#define ETH_MACFFR   0x0004u
#define ETH_MACMIIAR 0x0010u
#define ETH_MACMIIDR 0x0014u
#define ETH_MACFCR   0x0018u
#define ETH_MACA0HR  0x0040u
#define ETH_MACA0LR  0x0044u

/* DMA registers, RM0410 §42 "DMA register description". */
#define ETH_DMABMR    0x1000u
#define ETH_DMATPDR   0x1004u
#define ETH_DMARPDR   0x1008u
#define ETH_DMARDLAR  0x100cu
#define ETH_DMATDLAR  0x1010u
#define ETH_DMASR     0x1014u
#define ETH_DMAOMR    0x1018u
#define ETH_DMAIER    0x101cu
#define ETH_DMAMFBOCR 0x1020u
#define ETH_DMACHTDR  0x1048u
#define ETH_DMACHRDR  0x104cu
#define ETH_REG_END   0x1058u /* past the last register used */

/* ETH_MACCR: configuration. */
#define ETH_MACCR_RE   (1u << 2)  /* receiver enable */
#define ETH_MACCR_TE   (1u << 3)  /* transmitter enable */
#define ETH_MACCR_APCS (1u << 7)  /* automatic pad/CRC strip */
#define ETH_MACCR_IPCO (1u << 10) /* IPv4 checksum offload */
#define ETH_MACCR_DM   (1u << 11) /* duplex mode: full */
#define ETH_MACCR_FES  (1u << 14) /* fast Ethernet speed: 100 Mbit/s */
#define ETH_MACCR_CSTF (1u << 25) /* CRC stripping for type frames */

/* ETH_MACMIIAR: MII address. */
#define ETH_MACMIIAR_MB		(1u << 0) /* MII busy */
#define ETH_MACMIIAR_MW		(1u << 1) /* MII write */
#define ETH_MACMIIAR_CR_SHIFT	2	  /* clock range, bits 4:2 */
#define ETH_MACMIIAR_CR_150_216 (4u << 2) /* HCLK 150-216 MHz: HCLK/102 */
#define ETH_MACMIIAR_MR_SHIFT	6	  /* MII register, bits 10:6 */
#define ETH_MACMIIAR_PA_SHIFT	11	  /* PHY address, bits 15:11 */

/* ETH_DMABMR: bus mode. */
#define ETH_DMABMR_SR	     (1u << 0)	/* software reset, self-clearing */
#define ETH_DMABMR_DSL_SHIFT 2		/* descriptor skip length */
#define ETH_DMABMR_EDFE	     (1u << 7)	/* enhanced descriptor format */
#define ETH_DMABMR_PBL_SHIFT 8		/* programmable burst length */
#define ETH_DMABMR_FB	     (1u << 16) /* fixed burst */
#define ETH_DMABMR_USP	     (1u << 23) /* use separate PBL */
#define ETH_DMABMR_AAB	     (1u << 25) /* address-aligned beats */

/* ETH_DMASR: status; the flag bits are cleared by writing 1. */
#define ETH_DMASR_TS	    (1u << 0)	/* transmit status (frame sent) */
#define ETH_DMASR_TPSS	    (1u << 1)	/* transmit process stopped */
#define ETH_DMASR_TBUS	    (1u << 2)	/* transmit buffer unavailable */
#define ETH_DMASR_TJTS	    (1u << 3)	/* transmit jabber timeout */
#define ETH_DMASR_ROS	    (1u << 4)	/* receive overflow */
#define ETH_DMASR_TUS	    (1u << 5)	/* transmit underflow */
#define ETH_DMASR_RS	    (1u << 6)	/* receive status (frame received) */
#define ETH_DMASR_RBUS	    (1u << 7)	/* receive buffer unavailable */
#define ETH_DMASR_RPSS	    (1u << 8)	/* receive process stopped */
#define ETH_DMASR_RWTS	    (1u << 9)	/* receive watchdog timeout */
#define ETH_DMASR_ETS	    (1u << 10)	/* early transmit */
#define ETH_DMASR_FBES	    (1u << 13)	/* fatal bus error */
#define ETH_DMASR_ERS	    (1u << 14)	/* early receive */
#define ETH_DMASR_AIS	    (1u << 15)	/* abnormal interrupt summary */
#define ETH_DMASR_NIS	    (1u << 16)	/* normal interrupt summary */
#define ETH_DMASR_RPS_SHIFT 17		/* receive process state, bits 19:17 */
#define ETH_DMASR_TPS_SHIFT 20		/* transmit process state, bits 22:20 */
#define ETH_DMASR_EBS_SHIFT 23		/* error bits (bus error kind), 25:23 */
#define ETH_DMASR_FLAGS	    0x0001e7ffu /* every write-1-to-clear bit */
/* NIS summarises TS, TBUS, RS, ERS; AIS the other flags. */
#define ETH_DMASR_NIS_BITS                                                     \
	(ETH_DMASR_TS | ETH_DMASR_TBUS | ETH_DMASR_RS | ETH_DMASR_ERS)
#define ETH_DMASR_AIS_BITS                                                     \
	(ETH_DMASR_TPSS | ETH_DMASR_TJTS | ETH_DMASR_ROS | ETH_DMASR_TUS |     \
	 ETH_DMASR_RBUS | ETH_DMASR_RPSS | ETH_DMASR_RWTS | ETH_DMASR_ETS |    \
	 ETH_DMASR_FBES)

/* Process states in DMASR RPS / TPS. */
#define ETH_DMA_STOPPED	     0u
#define ETH_DMA_RUNNING	     3u /* RX: waiting for a frame; TX: reading data */
#define ETH_DMA_SUSPENDED    6u /* TX: descriptor unavailable or underflow */
#define ETH_DMA_RX_SUSPENDED 4u /* RX: descriptor unavailable */

/* ETH_DMAOMR: operation mode. */
#define ETH_DMAOMR_SR	(1u << 1)  /* start/stop receive */
#define ETH_DMAOMR_OSF	(1u << 2)  /* operate on second frame */
#define ETH_DMAOMR_FUGF (1u << 6)  /* forward undersized good frames */
#define ETH_DMAOMR_FEF	(1u << 7)  /* forward error frames */
#define ETH_DMAOMR_ST	(1u << 13) /* start/stop transmission */
#define ETH_DMAOMR_FTF	(1u << 20) /* flush transmit FIFO, self-clearing */
#define ETH_DMAOMR_TSF	(1u << 21) /* transmit store and forward */
#define ETH_DMAOMR_RSF	(1u << 25) /* receive store and forward */

/* ETH_DMAIER: interrupt enable, bit for bit as DMASR. */
#define ETH_DMAIER_RIE	 (1u << 6)
#define ETH_DMAIER_RBUIE (1u << 7)
#define ETH_DMAIER_FBEIE (1u << 13)
#define ETH_DMAIER_AISE	 (1u << 15)
#define ETH_DMAIER_NISE	 (1u << 16)

/* ETH_DMAMFBOCR: missed frames (bits 15:0, buffer unavailable) and FIFO
 * overflows (bits 27:17); cleared on read. */
#define ETH_DMAMFBOCR_MFC(v) ((v)&0xffffu)
#define ETH_DMAMFBOCR_MFA(v) (((v) >> 17) & 0x7ffu)

/*
 * Normal DMA descriptors, RM0410 §42 "Tx/Rx DMA descriptors": four
 * words, buffer 1 only, in ring mode (the DMA moves 16 bytes on, DSL = 0,
 * and back to the list base after the descriptor marked end of ring).
 */
struct stm32_eth_desc {
	volatile uint32_t des0; /* status and OWN */
	volatile uint32_t des1; /* control and buffer sizes */
	volatile uint32_t des2; /* buffer 1 address */
	volatile uint32_t des3; /* buffer 2 address (unused: 0) */
};
_Static_assert(sizeof(struct stm32_eth_desc) == 16, "normal descriptor");
_Static_assert(offsetof(struct stm32_eth_desc, des2) == 8, "TDES2/RDES2");

#define ETH_DES0_OWN (1u << 31) /* owned by the DMA */

/* TDES0 (control bits set by the driver, status by the DMA). */
#define ETH_TDES0_IC	    (1u << 30) /* interrupt on completion */
#define ETH_TDES0_LS	    (1u << 29) /* last segment */
#define ETH_TDES0_FS	    (1u << 28) /* first segment */
#define ETH_TDES0_DC	    (1u << 27) /* disable CRC */
#define ETH_TDES0_DP	    (1u << 26) /* disable pad */
#define ETH_TDES0_CIC_SHIFT 22	       /* checksum insertion control */
#define ETH_TDES0_TER	    (1u << 21) /* transmit end of ring */
#define ETH_TDES0_TCH	    (1u << 20) /* second address chained */
#define ETH_TDES0_ES	    (1u << 15) /* error summary */
#define ETH_TDES0_JT	    (1u << 14) /* jabber timeout */
#define ETH_TDES0_IHE	    (1u << 16) /* IP header error */
#define ETH_TDES0_LCA	    (1u << 11) /* loss of carrier */
#define ETH_TDES0_NC	    (1u << 10) /* no carrier */
#define ETH_TDES0_LCO	    (1u << 9)  /* late collision */
#define ETH_TDES0_EC	    (1u << 8)  /* excessive collision */
#define ETH_TDES0_UF	    (1u << 1)  /* underflow error */
/* TDES1 */
#define ETH_TDES1_TBS1_MASK 0x1fffu /* buffer 1 size, bits 12:0 */

/* RDES0 (written by the DMA). */
#define ETH_RDES0_AFM	   (1u << 30) /* destination filter fail */
#define ETH_RDES0_FL_SHIFT 16	      /* frame length incl. CRC, 29:16 */
#define ETH_RDES0_FL_MASK  0x3fffu
#define ETH_RDES0_ES	   (1u << 15) /* error summary */
#define ETH_RDES0_DE	   (1u << 14) /* descriptor error (truncated) */
#define ETH_RDES0_SAF	   (1u << 13) /* source filter fail */
#define ETH_RDES0_LE	   (1u << 12) /* length error */
#define ETH_RDES0_OE	   (1u << 11) /* overflow error */
#define ETH_RDES0_FS	   (1u << 9)  /* first descriptor of the frame */
#define ETH_RDES0_LS	   (1u << 8)  /* last descriptor of the frame */
#define ETH_RDES0_IPHCE	   (1u << 7)  /* (normal desc.) IP hdr csum err */
#define ETH_RDES0_LCO	   (1u << 6)  /* late collision */
#define ETH_RDES0_RWT	   (1u << 4)  /* receive watchdog timeout */
#define ETH_RDES0_RE	   (1u << 3)  /* receive (MII RX_ER) error */
#define ETH_RDES0_DBE	   (1u << 2)  /* dribble bit error */
#define ETH_RDES0_CE	   (1u << 1)  /* CRC error */
/* RDES1 */
#define ETH_RDES1_DIC	    (1u << 31) /* disable interrupt on completion */
#define ETH_RDES1_RER	    (1u << 15) /* receive end of ring */
#define ETH_RDES1_RCH	    (1u << 14) /* second address chained */
#define ETH_RDES1_RBS1_MASK 0x1fffu    /* buffer 1 size, bits 12:0 */

/*
 * LAN8742A registers (Microchip LAN8742A data sheet; the PHY of the
 * NUCLEO-144 boards, UM1974 "Ethernet" section): the IEEE 802.3 clause 22
 * basic set and the vendor's special control/status register 31.
 */
#define PHY_BCR	    0u /* basic control */
#define PHY_BSR	    1u /* basic status */
#define PHY_ID1	    2u
#define PHY_ID2	    3u
#define PHY_ANAR    4u	/* autonegotiation advertisement */
#define PHY_ANLPAR  5u	/* link partner ability */
#define PHY_PHYSCSR 31u /* PHY special control/status */

#define PHY_BCR_RESET	   (1u << 15) /* self-clearing */
#define PHY_BCR_LOOPBACK   (1u << 14)
#define PHY_BCR_SPEED100   (1u << 13)
#define PHY_BCR_ANEN	   (1u << 12) /* autonegotiation enable */
#define PHY_BCR_POWERDOWN  (1u << 11)
#define PHY_BCR_ANRESTART  (1u << 9) /* self-clearing */
#define PHY_BCR_FULLDUPLEX (1u << 8)

#define PHY_BSR_ANCOMPLETE (1u << 5)
#define PHY_BSR_ANABILITY  (1u << 3)
#define PHY_BSR_LINK	   (1u << 2) /* latches low until read */

#define PHY_ANAR_SELECTOR_8023 0x0001u
#define PHY_ANAR_10HD	       (1u << 5)
#define PHY_ANAR_10FD	       (1u << 6)
#define PHY_ANAR_100HD	       (1u << 7)
#define PHY_ANAR_100FD	       (1u << 8)

#define PHY_PHYSCSR_AUTODONE	(1u << 12)
#define PHY_PHYSCSR_SPEED_SHIFT 2 /* speed indication, bits 4:2 */
#define PHY_PHYSCSR_SPEED_MASK	7u
#define PHY_PHYSCSR_10HD	1u
#define PHY_PHYSCSR_100HD	2u
#define PHY_PHYSCSR_10FD	5u
#define PHY_PHYSCSR_100FD	6u

#define PHY_LAN8742A_ID1 0x0007u /* Microchip OUI, upper bits */

#endif /* DRIVERS_STM32_ETH_REGS_H */
