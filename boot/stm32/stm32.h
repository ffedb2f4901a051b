/*
 * stm32.h - what the STM32 target's files tell each other (main.c,
 * platform.c, vectors.c). Internal to boot/stm32/.
 */
#ifndef BOOT_STM32_STM32_H
#define BOOT_STM32_STM32_H

#include <stdint.h>

/* Bytes of the handler stack (MSP): SysTick, the Ethernet interrupt and
 * the fault report, never nested. */
#define STM32_HANDLER_STACK 2048

/* Bytes at the bottom of the handler stack the MPU makes inaccessible. */
#define STM32_HANDLER_GUARD 32

/* Below RAM, under the kernel stack: 64 KiB the MPU makes inaccessible
 * (reserved addresses and the option bytes, which keel never reads). */
#define STM32_STACK_GUARD_BASE 0x1fff0000u
#define STM32_STACK_GUARD_LOG2 16

extern uint8_t stm32_handler_stack[];
extern uint8_t stm32_kernel_stack[];

/* The Ethernet interrupt's handler (platform.c). */
void stm32_eth_irq(void);

/* The console, up from stm32_main() on (platform.c). */
void stm32_console_init(uint32_t clk_hz);

/* Called once by entry.S. */
_Noreturn void stm32_main(void);

#endif /* BOOT_STM32_STM32_H */
