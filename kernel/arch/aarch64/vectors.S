/*
 * vectors.S - the EL1 exception vector table (VBAR_EL1) and the common
 * path to arm64_trap() (trap.c).
 *
 * Sixteen entries of 0x80 bytes, the table 2 KiB-aligned (Arm ARM
 * D1.10.2): for each of current EL with SP_EL0, current EL with SP_ELx,
 * lower EL AArch64 and lower EL AArch32, the synchronous, IRQ, FIQ and
 * SError entries. Each makes room for struct trap_frame (trap.h), saves
 * x0 and x1, puts its number in x1 and branches to the common path,
 * which saves the other registers, SP, ELR, SPSR, ESR and FAR, calls
 * arm64_trap(frame, entry) and returns with ERET (only an IRQ returns).
 * The kernel runs on SP_EL0 (entry.S), so its exceptions arrive at the
 * "current EL with SP_EL0" entries (0-3) and run on SP_EL1, the
 * exception stack: a boot stack overflowing into its guard page still
 * gets its report.
 */
#define FRAME_SIZE (36 * 8)

	.macro VECTOR n
	.balign 0x80
	sub sp, sp, #FRAME_SIZE
	stp x0, x1, [sp, #0]
	mov x1, #\n
	b arm64_trap_common
	.endm

	.section .text, "ax", @progbits
	.balign 2048
	.globl arm64_vectors
arm64_vectors:
	VECTOR 0
	VECTOR 1
	VECTOR 2
	VECTOR 3
	VECTOR 4
	VECTOR 5
	VECTOR 6
	VECTOR 7
	VECTOR 8
	VECTOR 9
	VECTOR 10
	VECTOR 11
	VECTOR 12
	VECTOR 13
	VECTOR 14
	VECTOR 15

arm64_trap_common:
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	/* The interrupted SP: SP_EL0 for entries 0-3 (the kernel runs on
	 * it), else this stack above the frame. */
	cmp x1, #4
	b.hs 1f
	mrs x2, sp_el0
	b 2f
1:	add x2, sp, #FRAME_SIZE
2:	stp x30, x2, [sp, #240]		/* x30, sp before the exception */
	mrs x2, elr_el1
	mrs x3, spsr_el1
	stp x2, x3, [sp, #256]
	mrs x2, esr_el1
	mrs x3, far_el1
	stp x2, x3, [sp, #272]
	mov x0, sp
	bl arm64_trap
	ldp x2, x3, [sp, #256]
	msr elr_el1, x2
	msr spsr_el1, x3
	ldp x2, x3, [sp, #16]
	ldp x4, x5, [sp, #32]
	ldp x6, x7, [sp, #48]
	ldp x8, x9, [sp, #64]
	ldp x10, x11, [sp, #80]
	ldp x12, x13, [sp, #96]
	ldp x14, x15, [sp, #112]
	ldp x16, x17, [sp, #128]
	ldp x18, x19, [sp, #144]
	ldp x20, x21, [sp, #160]
	ldp x22, x23, [sp, #176]
	ldp x24, x25, [sp, #192]
	ldp x26, x27, [sp, #208]
	ldp x28, x29, [sp, #224]
	ldr x30, [sp, #240]
	ldp x0, x1, [sp, #0]
	add sp, sp, #FRAME_SIZE
	eret

	.section .note.GNU-stack, "", @progbits
