/*
 * rng.h - the STM32F7 true random number generator (rng.c).
 */
#ifndef DRIVERS_STM32_RNG_H
#define DRIVERS_STM32_RNG_H

#include <stddef.h>
#include <stdint.h>

/* RM0410 memory map: RNG at 0x5006 0800 on AHB2. */
#define STM32_RNG_BASE 0x50060800u

struct stm32_rng_stats {
	uint64_t words;	       /* 32-bit values delivered */
	uint64_t seed_errors;  /* SECS/SEIS: restarted, value discarded */
	uint64_t clock_errors; /* CECS/CEIS: the read failed */
	uint64_t timeouts;     /* no DRDY within the polls */
};

/*
 * Turn the generator on (RNG_CR RNGEN, no interrupt). Call with its
 * clock on: AHB2 RNGEN in RCC and a 48 MHz PLL48CLK.
 */
void stm32_rng_init(void);

/*
 * Fill buf with len random bytes: NET_OK, or NET_EIO after a clock error,
 * repeated seed errors, or no data ready in time (a log line says which).
 */
int stm32_rng_read(void *buf, size_t len);

void stm32_rng_get_stats(struct stm32_rng_stats *out);

#endif /* DRIVERS_STM32_RNG_H */
