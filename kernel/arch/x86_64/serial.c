/*
 * serial.c - the console: COM1, a 16550-compatible UART at port 0x3f8.
 *
 * Polled output only. x86_serial_init() sets 115200 baud 8N1 with the
 * FIFOs on and the UART's interrupts off (QEMU needs none of it; a real
 * UART does). x86_serial_write() waits for the transmit holding register
 * to empty (LSR bit 5) before each byte and turns "\n" into "\r\n" for
 * terminals. A UART that never becomes ready (none fitted) costs a bounded
 * wait per byte, not a hang. It is also arch_console_write() (and
 * arch_name the first word of the console lines) for kernel/arch/common.
 */
#include <arch/x86.h>

#include <arch/arch.h>
#include <arch/x86_io.h>

#define COM1	      0x3f8
#define UART_THR      0 /* transmit holding (DLAB 0) */
#define UART_DLL      0 /* divisor low (DLAB 1) */
#define UART_IER      1 /* interrupt enable (DLAB 0) */
#define UART_DLM      1 /* divisor high (DLAB 1) */
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_LSR_THRE 0x20
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1  0x03
/* 115200 baud from the 1.8432 MHz clock: 115200 / 115200. */
#define UART_DIVISOR 1
/* LSR polls before giving up on a byte. */
#define UART_SPIN_MAX 100000

void x86_serial_init(void)
{
	x86_outb(COM1 + UART_IER, 0x00);
	x86_outb(COM1 + UART_LCR, UART_LCR_DLAB);
	x86_outb(COM1 + UART_DLL, UART_DIVISOR & 0xff);
	x86_outb(COM1 + UART_DLM, UART_DIVISOR >> 8);
	x86_outb(COM1 + UART_LCR, UART_LCR_8N1);
	x86_outb(COM1 + UART_FCR, 0x07); /* enable and clear both FIFOs */
	x86_outb(COM1 + UART_MCR, 0x03); /* DTR, RTS; OUT2 off: no IRQ */
}

static void serial_putc(char c)
{
	for (int i = 0; i < UART_SPIN_MAX; i++) {
		if (x86_inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
		x86_pause();
	}
	x86_outb(COM1 + UART_THR, (uint8_t)c);
}

void x86_serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

const char arch_name[] = "x86";

void arch_console_write(const char *s, size_t len)
{
	x86_serial_write(s, len);
}
