/*
 * eth_pins.c - the RMII pins of the NUCLEO-144 boards (NUCLEO-F767ZI,
 * -F746ZG; UM1974, "Ethernet" and the solder-bridge tables) and the MAC's
 * RMII mode, for boot/stm32 to call before stm32_eth_start().
 *
 *   PA1 REF_CLK   PA2 MDIO    PA7 CRS_DV  PC1 MDC    PC4 RXD0
 *   PC5 RXD1      PG11 TX_EN  PG13 TXD0   PB13 TXD1
 *
 * Each pin: alternate function 11 (ETH), push-pull, very high speed, no
 * pull (RM0410 §6 GPIO registers MODER, OTYPER, OSPEEDR, PUPDR,
 * AFRL/AFRH). RM0410 §42.3 "Ethernet pins" (Table 309) maps every MAC
 * signal onto AF11 and refers to §6.3.2 and the datasheet for which pins
 * carry them; the pins themselves are the board's (UM1974).
 * Other pins of the ports keep their configuration (PA13/PA14 are the
 * SWD pins).
 *
 * SYSCFG_PMC MII_RMII_SEL selects RMII; RM0410 asks for it to be set while
 * the MAC is in reset or before its clocks are enabled. Precondition: the
 * target has enabled the GPIOA/B/C/G and SYSCFG clocks (RCC), and not yet
 * the ETHMAC clocks.
 */
#include "eth_pins.h"

#include "stm32_hw.h"

#define GPIOA_BASE 0x40020000u
#define GPIOB_BASE 0x40020400u
#define GPIOC_BASE 0x40020800u
#define GPIOG_BASE 0x40021800u

#define GPIO_MODER   0x00u
#define GPIO_OTYPER  0x04u
#define GPIO_OSPEEDR 0x08u
#define GPIO_PUPDR   0x0cu
#define GPIO_AFRL    0x20u
#define GPIO_AFRH    0x24u

#define GPIO_MODE_AF	2u
#define GPIO_SPEED_VERY 3u
#define GPIO_AF_ETH	11u

#define SYSCFG_BASE	    0x40013800u
#define SYSCFG_PMC	    0x04u
#define SYSCFG_PMC_RMII_SEL (1u << 23)

struct stm32_eth_pin {
	uint32_t port;
	uint8_t pin;
};

static const struct stm32_eth_pin stm32_eth_pins[] = {
    {GPIOA_BASE, 1},  {GPIOA_BASE, 2},	{GPIOA_BASE, 7},
    {GPIOC_BASE, 1},  {GPIOC_BASE, 4},	{GPIOC_BASE, 5},
    {GPIOG_BASE, 11}, {GPIOG_BASE, 13}, {GPIOB_BASE, 13},
};

/* Replace the `width`-bit field of pin `pin` in register `reg`. */
static void stm32_eth_pins_field(uint32_t reg, uint8_t pin, uint32_t width,
				 uint32_t v)
{
	uint32_t shift = pin * width, mask = ((1u << width) - 1u) << shift;
	uint32_t old = stm32_hw_read32(reg);

	stm32_hw_write32(reg, (old & ~mask) | (v << shift));
}

static void stm32_eth_pins_one(const struct stm32_eth_pin *p)
{
	uint32_t afr = p->pin < 8 ? GPIO_AFRL : GPIO_AFRH;

	/* The function first, so the pin never drives another one. */
	stm32_eth_pins_field(p->port + afr, p->pin % 8, 4, GPIO_AF_ETH);
	stm32_eth_pins_field(p->port + GPIO_OTYPER, p->pin, 1, 0);
	stm32_eth_pins_field(p->port + GPIO_OSPEEDR, p->pin, 2,
			     GPIO_SPEED_VERY);
	stm32_eth_pins_field(p->port + GPIO_PUPDR, p->pin, 2, 0);
	stm32_eth_pins_field(p->port + GPIO_MODER, p->pin, 2, GPIO_MODE_AF);
}

void stm32_eth_pins_init(void)
{
	uint32_t pmc = stm32_hw_read32(SYSCFG_BASE + SYSCFG_PMC);

	stm32_hw_write32(SYSCFG_BASE + SYSCFG_PMC, pmc | SYSCFG_PMC_RMII_SEL);
	for (size_t i = 0;
	     i < sizeof(stm32_eth_pins) / sizeof(stm32_eth_pins[0]); i++)
		stm32_eth_pins_one(&stm32_eth_pins[i]);
}
