/*
 * platform.c - <kernel/platform.h> for the STM32 target (NUCLEO-F767ZI).
 *
 *   clock    SysTick at 1 kHz (kernel/arch/cortex-m/clock.c), counted from
 *            stm32_main()
 *   console  USART3, polled, 115200 8N1: the ST-LINK's virtual COM port
 *   entropy  the RNG peripheral (drivers/stm32/rng.c), its seed and clock
 *            errors checked on every word
 *   idle     WFI until the deadline's tick or the Ethernet interrupt; the
 *            PHY's link is polled over MDIO every STM32_LINK_POLL_MS
 *   exit     there is nothing to exit to: the code is printed and the core
 *            halts (interrupts masked, WFI) until reset
 *   netdev   the Ethernet MAC (drivers/stm32/eth.c) with the LAN8742A on
 *            RMII, its DMA interrupt (IRQ 61) waking the idle
 *   cmdline  none: a board has no boot loader handing one over; the image
 *            definition is the configuration
 *
 * The MAC address: the image's [net] mac when set, else one derived from
 * the chip's 96-bit unique ID (SipHash with a fixed key, locally
 * administered unicast), so a board keeps its address across resets.
 */
#include <kernel/platform.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/arch.h>
#include <arch/cortex_m.h>
#include <arch/entropy.h>
#include <eth.h>
#include <eth_pins.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <klib/siphash.h>
#include <net/net.h>
#include <rng.h>
#include <usart.h>

#include "board.h"
#include "stm32.h"
#include "stm32_hw.h"

#define STM32_LINK_POLL_MS 500u

const char *const platform_cmdline_keys[] = {NULL};

static bool platform_eth;
static uint64_t platform_next_link_poll;
static volatile uint64_t platform_eth_irqs;

/* ---- console ------------------------------------------------------------- */

static void platform_field(uintptr_t reg, unsigned pin, unsigned width,
			   uint32_t v)
{
	uint32_t shift = pin * width, mask = ((1u << width) - 1u) << shift;

	stm32_hw_write32(reg, (stm32_hw_read32(reg) & ~mask) | (v << shift));
}

void stm32_console_init(uint32_t clk_hz)
{
	stm32_hw_write32(RCC_AHB1ENR,
			 stm32_hw_read32(RCC_AHB1ENR) | RCC_AHB1_GPIOD);
	stm32_hw_write32(RCC_APB1ENR,
			 stm32_hw_read32(RCC_APB1ENR) | RCC_APB1_USART3);
	(void)stm32_hw_read32(RCC_APB1ENR);
	/* PD8 (TX), PD9 (RX): alternate function 7, no pull, high speed. */
	for (unsigned pin = 8; pin <= 9; pin++) {
		platform_field(GPIOD_BASE + GPIO_AFRH, pin - 8, 4,
			       GPIO_AF7_USART3);
		platform_field(GPIOD_BASE + GPIO_OSPEEDR, pin, 2, 2);
		platform_field(GPIOD_BASE + GPIO_PUPDR, pin, 2, 0);
		platform_field(GPIOD_BASE + GPIO_MODER, pin, 2, 2);
	}
	stm32_usart_init(STM32_USART3_BASE, clk_hz, BOARD_CONSOLE_BAUD);
}

void platform_console_write(const char *s, size_t len)
{
	stm32_usart_write(STM32_USART3_BASE, s, len);
}

/* The fault report's console (<arch/arch.h>): the same polled USART. */
void arch_console_write(const char *s, size_t len)
{
	stm32_usart_write(STM32_USART3_BASE, s, len);
}

/* ---- clock, entropy, exit, command line ---------------------------------- */

uint64_t platform_now_ms(void)
{
	return cm_now_ms();
}

/* The chain every kernel target shares (<arch/entropy.h>) with the RNG as
 * its source and no CPU instruction after it: on failure buf is zeroed. */
int platform_entropy(void *buf, size_t len)
{
	return entropy_chain(stm32_rng_read, NULL, 0, buf, len);
}

_Noreturn void platform_exit(int code)
{
	log_printf(code ? LOG_ERROR : LOG_INFO,
		   "stm32: stopped with code %d; reset the board to restart",
		   code);
	cm_halt();
}

_Noreturn void cm_fault_exit(void)
{
	platform_exit(CM_EXIT_FAULT);
}

const char *platform_cmdline(void)
{
	return "";
}

/* ---- network device ------------------------------------------------------ */

void stm32_eth_irq(void)
{
	if (stm32_eth_ack_interrupt())
		platform_eth_irqs = platform_eth_irqs + 1;
	cm_wake();
}

static void platform_stats(void)
{
	struct cm_idle_stats idle;
	struct stm32_rng_stats rng;
	struct stm32_eth_stats eth;

	cm_get_idle_stats(&idle);
	stm32_rng_get_stats(&rng);
	kernel_print_stat("stm32.idle_sleeps", idle.sleeps);
	kernel_print_stat("stm32.eth_irqs", platform_eth_irqs);
	kernel_print_stat("stm32.rng_seed_errors", rng.seed_errors);
	kernel_print_stat("stm32.rng_clock_errors", rng.clock_errors);
	if (!platform_eth)
		return;
	stm32_eth_get_stats(&eth);
	kernel_print_stat("stm32.eth_rx_crc", eth.rx_crc);
	kernel_print_stat("stm32.eth_rx_missed", eth.rx_missed);
	kernel_print_stat("stm32.eth_tx_errors", eth.tx_errors);
	kernel_print_stat("stm32.eth_dma_fatal", eth.dma_fatal);
}

/* The image's [net] mac, else one from the unique device ID. */
static void platform_mac(uint8_t mac[NETDEV_MAC_LEN])
{
	static const uint8_t key[SIPHASH_KEY_LEN] = "keel stm32 mac!";
	uint64_t v = (uint64_t)CONFIG_NET_MAC;
	uint8_t uid[12];

	if (v == 0) {
		for (unsigned i = 0; i < sizeof(uid); i += 4) {
			uint32_t w = stm32_hw_read32(BOARD_UID_BASE + i);

			for (unsigned b = 0; b < 4; b++)
				uid[i + b] = (uint8_t)(w >> (8 * b));
		}
		v = siphash24(key, uid, sizeof(uid));
		/* Locally administered (bit 1), unicast (bit 0 clear). */
		v = (v & 0x0000fcffffffffffull) | 0x0000020000000000ull;
	}
	for (unsigned i = 0; i < NETDEV_MAC_LEN; i++)
		mac[i] = (uint8_t)(v >> (8 * (NETDEV_MAC_LEN - 1 - i)));
}

struct netdev *platform_netdev(void)
{
	uint8_t mac[NETDEV_MAC_LEN];
	struct netdev *dev;

	kernel_set_stats_hook(platform_stats);
	/* RMII must be selected before the MAC's clocks run
	 * (eth_pins.h). */
	stm32_hw_write32(RCC_AHB1ENR, stm32_hw_read32(RCC_AHB1ENR) |
					  RCC_AHB1_GPIOA | RCC_AHB1_GPIOB |
					  RCC_AHB1_GPIOC | RCC_AHB1_GPIOG);
	stm32_hw_write32(RCC_APB2ENR,
			 stm32_hw_read32(RCC_APB2ENR) | RCC_APB2_SYSCFG);
	(void)stm32_hw_read32(RCC_APB2ENR);
	stm32_eth_pins_init();
	stm32_hw_write32(RCC_AHB1ENR, stm32_hw_read32(RCC_AHB1ENR) |
					  RCC_AHB1_ETHMAC | RCC_AHB1_ETHMACTX |
					  RCC_AHB1_ETHMACRX);
	(void)stm32_hw_read32(RCC_AHB1ENR);
	platform_mac(mac);
	dev = stm32_eth_start(mac);
	if (!dev)
		return NULL;
	platform_eth = true;
	cm_irq_enable(BOARD_IRQ_ETH);
	(void)stm32_eth_link_poll();
	platform_next_link_poll = cm_now_ms() + STM32_LINK_POLL_MS;
	return dev;
}

/* ---- idle ---------------------------------------------------------------- */

void platform_idle(uint64_t deadline_ms)
{
	if (platform_eth) {
		if (cm_now_ms() >= platform_next_link_poll) {
			(void)stm32_eth_link_poll();
			platform_next_link_poll =
			    cm_now_ms() + STM32_LINK_POLL_MS;
		}
		if (deadline_ms > platform_next_link_poll)
			deadline_ms = platform_next_link_poll;
	}
	cm_idle(deadline_ms);
}
