/*
 * rng.c - the STM32F7 RNG as the platform's entropy (rng.h).
 *
 * RM0410 "True random number generator (RNG)": RNG_CR (RNGEN bit 2, IE
 * bit 3), RNG_SR (DRDY bit 0, CECS bit 1, SECS bit 2, CEIS bit 5, SEIS
 * bit 6; CEIS and SEIS are cleared by writing 0), RNG_DR the 32-bit
 * value, valid while DRDY is set. A new value takes 40-odd RNG clocks
 * (under 1 us at 48 MHz).
 *
 * Error management, as the F4/F7 RNG's "Error management" section
 * describes it (checked against RM0090 and RM0401 text, which describe
 * the same block; RM0410's own page was not at hand):
 *   - seed error (SECS, SEIS: the noise source gave more than 64 equal
 *     bits or more than 32 alternations in a row): the value in RNG_DR
 *     must not be used. Recovery is to clear SEIS, then clear and set
 *     RNGEN; the read then starts over. After STM32_RNG_SEED_TRIES such
 *     errors in one read it fails.
 *   - clock error (CECS, CEIS: the RNG clock is below HCLK / 16): the
 *     clock set-up is wrong, which no retry fixes; CEIS is cleared and
 *     the read fails.
 * Every word is also checked against DRDY and SR's error bits after it
 * is read, so a word that raced with an error is dropped.
 */
#include "rng.h"

#include <string.h>

#include <kernel/log.h>
#include <net/net.h>

#include "stm32_hw.h"

#define RNG_CR 0x00u
#define RNG_SR 0x04u
#define RNG_DR 0x08u

#define RNG_CR_RNGEN (1u << 2)
#define RNG_SR_DRDY  (1u << 0)
#define RNG_SR_CECS  (1u << 1)
#define RNG_SR_SECS  (1u << 2)
#define RNG_SR_CEIS  (1u << 5)
#define RNG_SR_SEIS  (1u << 6)

#define STM32_RNG_POLLS	     100000u
#define STM32_RNG_SEED_TRIES 4

static struct stm32_rng_stats stm32_rng_stats;

static uint32_t stm32_rng_sr(void)
{
	return stm32_hw_read32(STM32_RNG_BASE + RNG_SR);
}

void stm32_rng_init(void)
{
	stm32_hw_write32(STM32_RNG_BASE + RNG_CR, RNG_CR_RNGEN);
}

static void stm32_rng_restart(void)
{
	/* SEIS written 0, CEIS 1 (writing 1 leaves it as it is). */
	stm32_hw_write32(STM32_RNG_BASE + RNG_SR, RNG_SR_CEIS);
	stm32_hw_write32(STM32_RNG_BASE + RNG_CR, 0);
	stm32_hw_write32(STM32_RNG_BASE + RNG_CR, RNG_CR_RNGEN);
}

/* One word: NET_OK, NET_EAGAIN after a seed error (restarted), NET_EIO
 * after a clock error, NET_ETIMEDOUT when no value became ready. */
static int stm32_rng_word(uint32_t *out)
{
	for (uint32_t i = 0; i < STM32_RNG_POLLS; i++) {
		uint32_t sr = stm32_rng_sr();

		if (sr & (RNG_SR_CECS | RNG_SR_CEIS)) {
			stm32_rng_stats.clock_errors++;
			stm32_hw_write32(STM32_RNG_BASE + RNG_SR, RNG_SR_SEIS);
			return NET_EIO;
		}
		if (sr & (RNG_SR_SECS | RNG_SR_SEIS)) {
			stm32_rng_stats.seed_errors++;
			stm32_rng_restart();
			return NET_EAGAIN;
		}
		if (!(sr & RNG_SR_DRDY))
			continue;
		*out = stm32_hw_read32(STM32_RNG_BASE + RNG_DR);
		/* An error raised with this value makes it unusable too. */
		if (stm32_rng_sr() &
		    (RNG_SR_SECS | RNG_SR_SEIS | RNG_SR_CECS | RNG_SR_CEIS))
			continue;
		stm32_rng_stats.words++;
		return NET_OK;
	}
	stm32_rng_stats.timeouts++;
	return NET_ETIMEDOUT;
}

int stm32_rng_read(void *buf, size_t len)
{
	uint8_t *p = buf;
	int seed_errors = 0;

	while (len) {
		uint32_t w;
		size_t n = len < 4 ? len : 4;
		int rc = stm32_rng_word(&w);

		if (rc == NET_EAGAIN && ++seed_errors < STM32_RNG_SEED_TRIES)
			continue;
		if (rc != NET_OK) {
			log_printf(LOG_ERROR, "stm32-rng: %s",
				   rc == NET_EAGAIN ? "repeated seed errors"
				   : rc == NET_ETIMEDOUT
				       ? "no data ready (clock off?)"
				       : "clock error (RNG clock below "
					 "HCLK/16)");
			return NET_EIO;
		}
		memcpy(p, &w, n);
		p += n;
		len -= n;
	}
	return NET_OK;
}

void stm32_rng_get_stats(struct stm32_rng_stats *out)
{
	*out = stm32_rng_stats;
}
