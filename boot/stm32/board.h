/*
 * board.h - the STM32F767ZI on a NUCLEO-F767ZI: the registers and clock
 * figures the target's bring-up (boot/stm32/) uses. Internal to the
 * target. Addresses: RM0410 "Memory map" (register boundary addresses);
 * bits: the RCC, PWR and FLASH register descriptions of RM0410, cited by
 * register name where they are used.
 */
#ifndef BOOT_STM32_BOARD_H
#define BOOT_STM32_BOARD_H

#include <stdint.h>

/* Clocks after stm32_clock_init() (clock.c). */
#define BOARD_HSE_HZ	8000000u   /* ST-LINK MCO into PH0 (UM1974) */
#define BOARD_SYSCLK_HZ 216000000u /* = HCLK */
#define BOARD_APB1_HZ	54000000u  /* HCLK / 4: USART3's kernel clock */
#define BOARD_APB2_HZ	108000000u /* HCLK / 2 */
#define BOARD_PLL48_HZ	48000000u  /* PLLQ: the RNG's clock */

#define BOARD_CONSOLE_BAUD 115200u

/* RCC, RM0410 "RCC register map". */
#define RCC_BASE     0x40023800u
#define RCC_CR	     (RCC_BASE + 0x00u)
#define RCC_PLLCFGR  (RCC_BASE + 0x04u)
#define RCC_CFGR     (RCC_BASE + 0x08u)
#define RCC_AHB1RSTR (RCC_BASE + 0x10u)
#define RCC_AHB1ENR  (RCC_BASE + 0x30u)
#define RCC_AHB2ENR  (RCC_BASE + 0x34u)
#define RCC_APB1ENR  (RCC_BASE + 0x40u)
#define RCC_APB2ENR  (RCC_BASE + 0x44u)
#define RCC_DCKCFGR2 (RCC_BASE + 0x90u)

#define RCC_CR_HSION  (1u << 0)
#define RCC_CR_HSEON  (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_HSEBYP (1u << 18)
#define RCC_CR_PLLON  (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)

#define RCC_PLLCFGR_M(m)    ((uint32_t)(m) << 0) /* 2..63 */
#define RCC_PLLCFGR_N(n)    ((uint32_t)(n) << 6) /* 50..432 */
#define RCC_PLLCFGR_P2	    (0u << 16)		 /* PLLP = 2 */
#define RCC_PLLCFGR_SRC_HSE (1u << 22)
#define RCC_PLLCFGR_Q(q)    ((uint32_t)(q) << 24) /* 2..15 */
#define RCC_PLLCFGR_R(r)    ((uint32_t)(r) << 28) /* 2..7 */

#define RCC_CFGR_SW_MASK    (3u << 0)
#define RCC_CFGR_SW_PLL	    (2u << 0)
#define RCC_CFGR_SWS_MASK   (3u << 2)
#define RCC_CFGR_SWS_PLL    (2u << 2)
#define RCC_CFGR_HPRE_MASK  (15u << 4) /* 0xxx: HCLK = SYSCLK */
#define RCC_CFGR_PPRE1_MASK (7u << 10)
#define RCC_CFGR_PPRE1_DIV4 (5u << 10)
#define RCC_CFGR_PPRE2_MASK (7u << 13)
#define RCC_CFGR_PPRE2_DIV2 (4u << 13)

#define RCC_AHB1_GPIOA	  (1u << 0)
#define RCC_AHB1_GPIOB	  (1u << 1)
#define RCC_AHB1_GPIOC	  (1u << 2)
#define RCC_AHB1_GPIOD	  (1u << 3)
#define RCC_AHB1_GPIOG	  (1u << 6)
#define RCC_AHB1_ETHMAC	  (1u << 25)
#define RCC_AHB1_ETHMACTX (1u << 26)
#define RCC_AHB1_ETHMACRX (1u << 27)
#define RCC_AHB2_RNG	  (1u << 6)
#define RCC_APB1_USART3	  (1u << 18)
#define RCC_APB1_PWR	  (1u << 28)
#define RCC_APB2_SYSCFG	  (1u << 14)
/* DCKCFGR2 CK48MSEL (bit 27) 0: the 48 MHz clock is PLLQ; USART3SEL
 * (bits 5:4) 00: USART3 runs on PCLK1. Both are the reset values and
 * are written so all the same. */
#define RCC_DCKCFGR2_CK48MSEL  (1u << 27)
#define RCC_DCKCFGR2_USART3SEL (3u << 4)

/* PWR, RM0410 "PWR register map". */
#define PWR_BASE	   0x40007000u
#define PWR_CR1		   (PWR_BASE + 0x00u)
#define PWR_CSR1	   (PWR_BASE + 0x04u)
#define PWR_CR1_VOS_MASK   (3u << 14)
#define PWR_CR1_VOS_SCALE1 (3u << 14)
#define PWR_CR1_ODEN	   (1u << 16)
#define PWR_CR1_ODSWEN	   (1u << 17)
#define PWR_CSR1_ODRDY	   (1u << 16)
#define PWR_CSR1_ODSWRDY   (1u << 17)

/* FLASH interface, RM0410 "Embedded flash memory" FLASH_ACR. */
#define FLASH_ACR	       0x40023c00u
#define FLASH_ACR_LATENCY_MASK 15u
#define FLASH_ACR_PRFTEN       (1u << 8)
#define FLASH_ACR_ARTEN	       (1u << 9)
#define FLASH_ACR_ARTRST       (1u << 11)
/* RM0410 "Read access latency" table: 2.7-3.6 V, 210 < HCLK <= 216 MHz. */
#define BOARD_FLASH_WS 7u

/* GPIOD (USART3 on PD8/PD9), RM0410 "GPIO registers". */
#define GPIOD_BASE	0x40020c00u
#define GPIO_MODER	0x00u
#define GPIO_OSPEEDR	0x08u
#define GPIO_PUPDR	0x0cu
#define GPIO_AFRH	0x24u
#define GPIO_AF7_USART3 7u

/* RM0410 "NVIC" vector table: ETH global interrupt is IRQ 61. */
#define BOARD_IRQ_ETH 61u
/* Interrupts the STM32F76x's NVIC has (IRQ 0..109). */
#define BOARD_IRQS 110u

/* RM0410 §45.1 "Unique device ID register (96 bits)": base 0x1FF0F420,
 * three read-only words at offsets 0x00, 0x04, 0x08. */
#define BOARD_UID_BASE 0x1ff0f420u

/* ---- clock.c ------------------------------------------------------------- */

/*
 * HSE in bypass from the ST-LINK's 8 MHz MCO, PLL to 216 MHz with
 * over-drive and 7 wait states, AHB 216, APB1 54, APB2 108, PLLQ 48 MHz.
 * Returns 0, or the step that timed out (a nonzero code for the log: the
 * console is not up yet, the clock still HSI at 16 MHz).
 */
int stm32_clock_init(void);

/* Each step's name for a nonzero stm32_clock_init(). */
const char *stm32_clock_step(int code);

#endif /* BOOT_STM32_BOARD_H */
