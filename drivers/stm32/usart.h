/*
 * usart.h - a polled STM32F7 USART for the console (usart.c).
 */
#ifndef DRIVERS_STM32_USART_H
#define DRIVERS_STM32_USART_H

#include <stddef.h>
#include <stdint.h>

/* USART3, the NUCLEO-144's ST-LINK virtual COM port (PD8 TX, PD9 RX). */
#define STM32_USART3_BASE 0x40004800u

/*
 * 8 data bits, no parity, 1 stop bit, oversampling by 16, transmitter and
 * receiver on, at `baud` from a kernel clock of `clk_hz`. Call with the
 * USART's clock on and its pins on their alternate function.
 */
void stm32_usart_init(uintptr_t base, uint32_t clk_hz, uint32_t baud);

/* Write len bytes, '\n' as "\r\n", waiting for TXE before each. */
void stm32_usart_write(uintptr_t base, const char *s, size_t len);

#endif /* DRIVERS_STM32_USART_H */
