/*
 * fault.S - the one entry of HardFault, MemManage, BusFault and
 * UsageFault: hand the report (fault.c) everything it prints.
 *
 * On entry the hardware has pushed r0-r3, r12, lr, pc and xPSR onto the
 * stack that was in use (PM0253 "Exception entry and return"): the MSP
 * or, for the kernel in Thread mode, the PSP; bit 2 of EXC_RETURN (now in
 * lr) says which. The handler itself always runs on the MSP. r4-r11 are
 * as the faulting code left them: they are pushed here so that C can
 * print them too.
 *
 *   cm_fault_report(frame, exc_return, saved r4-r11, exception number)
 */
	.syntax unified
	.thumb
	.text

	.global cm_fault_entry
	.type cm_fault_entry, %function
	.thumb_func
cm_fault_entry:
	tst	lr, #4
	ite	eq
	mrseq	r0, msp
	mrsne	r0, psp
	mov	r1, lr
	push	{r4-r11}
	mov	r2, sp
	mrs	r3, ipsr
	bl	cm_fault_report
	b	.		/* cm_fault_report does not return */
	.size cm_fault_entry, . - cm_fault_entry
