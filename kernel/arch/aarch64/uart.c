/*
 * uart.c - the console: the PL011 UART of QEMU's virt machine at
 * 0x09000000 (PrimeCell UART (PL011) TRM, DDI 0183).
 *
 * Polled output only. arm64_uart_init() leaves the baud rate alone (QEMU
 * needs none; on hardware firmware sets it), masks the UART's interrupts
 * and enables it with the transmitter on, 8 bits and the FIFOs.
 * arm64_uart_write() waits while the transmit FIFO is full (FR.TXFF)
 * before each byte and turns "\n" into "\r\n". A UART that never drains
 * costs a bounded wait per byte, not a hang. It is also
 * arch_console_write() (and arch_name the first word of the console lines)
 * for kernel/arch/common.
 */
#include <arch/arm64.h>

#include <stdint.h>

#include <arch/arch.h>

#define UART_DR	       0x000
#define UART_FR	       0x018
#define UART_LCR_H     0x02c
#define UART_CR	       0x030
#define UART_IMSC      0x038
#define UART_FR_TXFF   (1u << 5)
#define UART_LCR_WLEN8 (3u << 5)
#define UART_LCR_FEN   (1u << 4)
#define UART_CR_UARTEN 1u
#define UART_CR_TXE    (1u << 8)
#define UART_CR_RXE    (1u << 9)
#define UART_SPIN_MAX  100000

static volatile uint32_t *uart_reg(uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(ARM64_UART_BASE + off);
}

void arm64_uart_init(void)
{
	*uart_reg(UART_IMSC) = 0;
	*uart_reg(UART_LCR_H) = UART_LCR_WLEN8 | UART_LCR_FEN;
	*uart_reg(UART_CR) = UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE;
}

static void uart_putc(char c)
{
	for (int i = 0; i < UART_SPIN_MAX; i++) {
		if (!(*uart_reg(UART_FR) & UART_FR_TXFF))
			break;
	}
	*uart_reg(UART_DR) = (uint8_t)c;
}

void arm64_uart_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

const char arch_name[] = "aarch64";

void arch_console_write(const char *s, size_t len)
{
	arm64_uart_write(s, len);
}
