/*
 * vectors.c - the STM32F767's vector table and the two stacks.
 *
 * The table (PM0253 "Vector table"; RM0410 "NVIC" for the device
 * interrupts) goes first in flash (linker.ld): entry 0 the initial MSP,
 * entry 1 the reset handler, then the system exceptions and one entry per
 * device interrupt. Every fault and every exception keel never expects
 * (NMI, SVCall, DebugMonitor, PendSV, a device interrupt nobody enabled)
 * goes to cm_fault_entry, which reports it by number and stops. SysTick
 * and the Ethernet interrupt are the only ones with handlers.
 *
 * The stacks are arrays here, in sections linker.ld puts at the start of
 * RAM (DTCM), so that the RAM figures of ./build.py size count them:
 *   0x20000000  the kernel's stack (PSP), [stm32] stack bytes. It grows
 *               down towards RAM's start; the 64 KiB below it
 *               (0x1FFF0000-0x1FFFFFFF) are an MPU no-access region
 *               (main.c), larger than any frame in the image (wolfSSL's
 *               biggest is about 8 KiB), so an overflow is a MemManage
 *               fault, taken on the MSP and reported, even when one
 *               large frame jumps past the stack's end;
 *   then        the handler stack (MSP), STM32_HANDLER_STACK bytes, the
 *               lowest 32 of them an MPU no-access guard. The handlers
 *               are short and never nest; if one overflowed, stacking
 *               the fault would fail too and the core would lock up (a
 *               debugger sees it) rather than run on over the kernel's
 *               stack.
 */
#include <stdint.h>

#include <arch/cortex_m.h>
#include <keel_config.h>

#include "board.h"
#include "stm32.h"

_Static_assert(CONFIG_STM32_STACK % 32 == 0,
	       "[stm32] stack must be a multiple of 32");

__attribute__((section(".bss.keel_stack.0"), aligned(32)))
uint8_t stm32_kernel_stack[CONFIG_STM32_STACK];
__attribute__((section(".bss.keel_stack.1"), aligned(32)))
uint8_t stm32_handler_stack[STM32_HANDLER_STACK];

void stm32_reset(void);			  /* entry.S */
extern uint8_t stm32_handler_stack_top[]; /* linker.ld */

#define V(fn) ((uintptr_t)(fn))

__attribute__((section(".rodata.keel_vectors"), used))
const uintptr_t stm32_vectors[16 + BOARD_IRQS] = {
    [0] = V(stm32_handler_stack_top),
    [1] = V(stm32_reset),
    [2] = V(cm_fault_entry),  /* NMI */
    [3] = V(cm_fault_entry),  /* HardFault */
    [4] = V(cm_fault_entry),  /* MemManage */
    [5] = V(cm_fault_entry),  /* BusFault */
    [6] = V(cm_fault_entry),  /* UsageFault */
    [11] = V(cm_fault_entry), /* SVCall */
    [12] = V(cm_fault_entry), /* DebugMonitor */
    [14] = V(cm_fault_entry), /* PendSV */
    [15] = V(cm_systick_handler),
    [16 ... 16 + BOARD_IRQ_ETH - 1] = V(cm_fault_entry),
    [16 + BOARD_IRQ_ETH] = V(stm32_eth_irq),
    [16 + BOARD_IRQ_ETH + 1 ... 16 + BOARD_IRQS - 1] = V(cm_fault_entry),
};
