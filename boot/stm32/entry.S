/*
 * entry.S - stm32_reset, the reset vector of the STM32 target.
 *
 * The core comes out of reset in Thread mode, privileged, on the MSP that
 * vectors.c's entry 0 gives (the top of the handler stack), caches and MPU
 * off, the clock HSI at 16 MHz. Before any C runs:
 *   1. .data is copied from its load address in flash to RAM;
 *   2. .bss and the Ethernet DMA memory (.dma, SRAM2) are zeroed (the
 *      stacks are in neither: they need no zeroing);
 *   3. the kernel's stack becomes the PSP and Thread mode switches to it
 *      (CONTROL.SPSEL = 1, then an ISB as PM0253 "CONTROL register" asks),
 *      so exceptions alone use the MSP;
 * then stm32_main() (main.c), which never returns. No stack is touched
 * until the call, so nothing here depends on RAM contents.
 */
	.syntax unified
	.thumb
	.section .text.boot, "ax", %progbits

	.global stm32_reset
	.type stm32_reset, %function
	.thumb_func
stm32_reset:
	ldr	r0, =__data_load
	ldr	r1, =__data_start
	ldr	r2, =__data_end
1:	cmp	r1, r2
	bhs	2f
	ldr	r3, [r0], #4
	str	r3, [r1], #4
	b	1b
2:	ldr	r1, =__bss_start
	ldr	r2, =__bss_end
	movs	r3, #0
3:	cmp	r1, r2
	bhs	4f
	str	r3, [r1], #4
	b	3b
4:	ldr	r1, =__dma_start	/* the Ethernet rings (SRAM2) */
	ldr	r2, =__dma_end
5:	cmp	r1, r2
	bhs	6f
	str	r3, [r1], #4
	b	5b
6:	ldr	r0, =stm32_kernel_stack_top
	msr	psp, r0
	movs	r0, #2
	msr	control, r0
	isb
	movs	r7, #0		/* no caller frame: ends a backtrace */
	bl	stm32_main
	b	.
	.size stm32_reset, . - stm32_reset
	.ltorg
