/*
 * eth_pins.h - RMII pin multiplexing and RMII mode selection for the
 * STM32 Ethernet MAC on NUCLEO-144 boards (eth_pins.c has the pin list).
 */
#ifndef DRIVERS_STM32_ETH_PINS_H
#define DRIVERS_STM32_ETH_PINS_H

#include <stddef.h>

/*
 * Set SYSCFG_PMC MII_RMII_SEL and put the nine RMII pins on alternate
 * function 11. Call with the GPIO and SYSCFG clocks on and the ETHMAC
 * clocks still off.
 */
void stm32_eth_pins_init(void);

#endif /* DRIVERS_STM32_ETH_PINS_H */
