/*
 * clock.c - the STM32F767's clock tree to 216 MHz (board.h).
 *
 * Out of reset the core runs at 16 MHz from HSI with 0 flash wait states.
 * The NUCLEO-144 has no crystal on HSE by default: the ST-LINK's MCO, an
 * 8 MHz clock, drives PH0/OSC_IN (UM1974 "HSE clock (high-speed external
 * clock)", MCO from ST-LINK, the default solder bridges), so HSE runs in
 * bypass mode (RCC_CR HSEBYP before HSEON).
 *
 * PLL (RCC_PLLCFGR): VCO input 8 MHz / M 4 = 2 MHz (RM0410 asks for
 * 1-2 MHz, 2 MHz to limit jitter), VCO 2 MHz * N 216 = 432 MHz, SYSCLK =
 * VCO / P 2 = 216 MHz, PLL48CLK = VCO / Q 9 = 48 MHz (the RNG's clock;
 * also USB's and SDMMC's), R 2 (DSI only, unused). AHB /1 216 MHz, APB1
 * /4 54 MHz (at most 54), APB2 /2 108 MHz (at most 108).
 *
 * 216 MHz needs voltage scale 1 with over-drive (RM0410 PWR "Voltage
 * regulator" and "Entering Over-drive mode"); that manual's sequence is
 * followed: PLL configured and on, ODEN then wait ODRDY, ODSWEN then wait
 * ODSWRDY, flash latency and prescalers, wait for the PLL lock, switch.
 * The flash needs 7 wait states at 210-216 MHz with VDD 2.7-3.6 V (RM0410
 * "Read access latency"; the NUCLEO runs at 3.3 V); the latency is raised
 * before the clock is, and read back, as the manual asks. Prefetch and
 * the ART accelerator are turned on with it (ART reset first while
 * disabled). Every wait is bounded; a timeout leaves the core on HSI and
 * says which step failed.
 */
#include <stdint.h>

#include "board.h"
#include "stm32_hw.h"

#define CLOCK_POLLS 1000000u /* >= 60 ms at 16 MHz: HSE and PLL lock in < 1 */

enum clock_step {
	CLOCK_OK,
	CLOCK_HSE,
	CLOCK_OVERDRIVE,
	CLOCK_OVERDRIVE_SWITCH,
	CLOCK_FLASH,
	CLOCK_PLL,
	CLOCK_SWITCH,
};

static const char *const clock_steps[] = {
    "ok",
    "HSE (bypass, ST-LINK MCO) not ready",
    "over-drive not ready (ODRDY)",
    "over-drive switch not ready (ODSWRDY)",
    "flash latency not taken",
    "PLL not locked",
    "system clock not switched to the PLL",
};

const char *stm32_clock_step(int code)
{
	if (code < 0 ||
	    code >= (int)(sizeof(clock_steps) / sizeof(clock_steps[0])))
		return "?";
	return clock_steps[code];
}

static void clock_set(uintptr_t reg, uint32_t bits)
{
	stm32_hw_write32(reg, stm32_hw_read32(reg) | bits);
}

static int clock_wait(uintptr_t reg, uint32_t mask, uint32_t want)
{
	for (uint32_t i = 0; i < CLOCK_POLLS; i++) {
		if ((stm32_hw_read32(reg) & mask) == want)
			return 1;
	}
	return 0;
}

static int clock_pll(void)
{
	clock_set(RCC_CR, RCC_CR_HSEBYP);
	clock_set(RCC_CR, RCC_CR_HSEON);
	if (!clock_wait(RCC_CR, RCC_CR_HSERDY, RCC_CR_HSERDY))
		return CLOCK_HSE;
	/* PLLCFGR is written with the PLL off (it is, out of reset). */
	stm32_hw_write32(RCC_PLLCFGR, RCC_PLLCFGR_M(4) | RCC_PLLCFGR_N(216) |
					  RCC_PLLCFGR_P2 | RCC_PLLCFGR_SRC_HSE |
					  RCC_PLLCFGR_Q(9) | RCC_PLLCFGR_R(2));
	clock_set(RCC_CR, RCC_CR_PLLON);
	return CLOCK_OK;
}

static int clock_overdrive(void)
{
	clock_set(PWR_CR1, PWR_CR1_ODEN);
	if (!clock_wait(PWR_CSR1, PWR_CSR1_ODRDY, PWR_CSR1_ODRDY))
		return CLOCK_OVERDRIVE;
	clock_set(PWR_CR1, PWR_CR1_ODSWEN);
	if (!clock_wait(PWR_CSR1, PWR_CSR1_ODSWRDY, PWR_CSR1_ODSWRDY))
		return CLOCK_OVERDRIVE_SWITCH;
	return CLOCK_OK;
}

static int clock_flash(void)
{
	uint32_t acr = stm32_hw_read32(FLASH_ACR);

	/* The ART is reset only while disabled. */
	acr &= ~(FLASH_ACR_ARTEN | FLASH_ACR_LATENCY_MASK);
	stm32_hw_write32(FLASH_ACR, acr | FLASH_ACR_ARTRST);
	stm32_hw_write32(FLASH_ACR, acr | BOARD_FLASH_WS);
	if ((stm32_hw_read32(FLASH_ACR) & FLASH_ACR_LATENCY_MASK) !=
	    BOARD_FLASH_WS)
		return CLOCK_FLASH;
	stm32_hw_write32(FLASH_ACR, acr | BOARD_FLASH_WS | FLASH_ACR_PRFTEN |
					FLASH_ACR_ARTEN);
	return CLOCK_OK;
}

static int clock_switch(void)
{
	uint32_t cfgr = stm32_hw_read32(RCC_CFGR);

	cfgr &=
	    ~(RCC_CFGR_HPRE_MASK | RCC_CFGR_PPRE1_MASK | RCC_CFGR_PPRE2_MASK);
	stm32_hw_write32(RCC_CFGR,
			 cfgr | RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2);
	if (!clock_wait(RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY))
		return CLOCK_PLL;
	cfgr = stm32_hw_read32(RCC_CFGR) & ~RCC_CFGR_SW_MASK;
	stm32_hw_write32(RCC_CFGR, cfgr | RCC_CFGR_SW_PLL);
	if (!clock_wait(RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL))
		return CLOCK_SWITCH;
	return CLOCK_OK;
}

int stm32_clock_init(void)
{
	uint32_t v;
	int rc;

	/* PWR's registers need its clock; the read back lets the enable
	 * take effect before the first access. */
	clock_set(RCC_APB1ENR, RCC_APB1_PWR);
	(void)stm32_hw_read32(RCC_APB1ENR);
	v = stm32_hw_read32(PWR_CR1) & ~PWR_CR1_VOS_MASK;
	stm32_hw_write32(PWR_CR1, v | PWR_CR1_VOS_SCALE1);
	rc = clock_pll();
	if (rc == CLOCK_OK)
		rc = clock_overdrive();
	if (rc == CLOCK_OK)
		rc = clock_flash();
	if (rc == CLOCK_OK)
		rc = clock_switch();
	if (rc != CLOCK_OK)
		return rc;
	v = stm32_hw_read32(RCC_DCKCFGR2);
	stm32_hw_write32(RCC_DCKCFGR2,
			 v & ~(RCC_DCKCFGR2_CK48MSEL | RCC_DCKCFGR2_USART3SEL));
	return CLOCK_OK;
}
