/*
 * usart.c - the STM32F7 USART, transmit only and polled (usart.h).
 *
 * RM0410 "Universal synchronous receiver transmitter (USART)": the
 * registers of the F7's USART (USART_CR1 at 0x00, BRR at 0x0C, ISR at
 * 0x1C, TDR at 0x28). With oversampling by 16 (CR1 OVER8 = 0) BRR is
 * the kernel clock divided by the baud rate, rounded (RM0410 "USART baud
 * rate generation"); 54 MHz / 115200 = 468.75 gives 469, so the line runs
 * at 115139 baud, 0.05 % slow.
 *
 * The console waits for TXE (the transmit data register empty) before
 * each byte; it never enables an interrupt. The wait is bounded: a USART
 * that never empties its register (no clock) loses bytes rather than
 * hanging the image.
 */
#include "usart.h"

#include "stm32_hw.h"

#define USART_CR1 0x00u
#define USART_CR2 0x04u
#define USART_CR3 0x08u
#define USART_BRR 0x0cu
#define USART_ISR 0x1cu
#define USART_TDR 0x28u

#define USART_CR1_UE  (1u << 0)
#define USART_CR1_RE  (1u << 2)
#define USART_CR1_TE  (1u << 3)
#define USART_ISR_TXE (1u << 7)

/* About 1 ms at 216 MHz: far more than one byte at 115200 (87 us). */
#define USART_POLLS 100000u

void stm32_usart_init(uintptr_t base, uint32_t clk_hz, uint32_t baud)
{
	/* UE off while the format is set (RM0410: M, PCE, OVER8 are
	 * written with UE = 0). CR1 0 also means 8 bits, no parity,
	 * oversampling by 16; CR2 0 one stop bit; CR3 0 no flow control. */
	stm32_hw_write32(base + USART_CR1, 0);
	stm32_hw_write32(base + USART_CR2, 0);
	stm32_hw_write32(base + USART_CR3, 0);
	stm32_hw_write32(base + USART_BRR, (clk_hz + baud / 2u) / baud);
	stm32_hw_write32(base + USART_CR1,
			 USART_CR1_UE | USART_CR1_TE | USART_CR1_RE);
}

static void stm32_usart_put(uintptr_t base, uint8_t c)
{
	for (uint32_t i = 0; i < USART_POLLS; i++) {
		if (stm32_hw_read32(base + USART_ISR) & USART_ISR_TXE) {
			stm32_hw_write32(base + USART_TDR, c);
			return;
		}
	}
}

void stm32_usart_write(uintptr_t base, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			stm32_usart_put(base, '\r');
		stm32_usart_put(base, (uint8_t)s[i]);
	}
}
