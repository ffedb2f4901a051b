/*
 * trap.S - entry stubs for all 256 vectors and the common path to
 * x86_trap() (trap.c).
 *
 * Stub n (at x86_trap_stubs + 16 * n) pushes a zero error code when the
 * CPU pushes none for vector n, then n, and jumps to x86_trap_common,
 * which saves the general registers in the order of struct trap_frame
 * (trap.h), calls x86_trap(frame) and returns with iretq. The CPU aligns
 * RSP to 16 bytes before pushing its frame (SDM Vol. 3A §6.14.2); 22
 * quadwords keep that alignment for the call.
 *
 * Vectors with an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
 * #PF 14, #AC 17, #CP 21, #VC 29, #SX 30 (SDM Vol. 3A Table 6-1).
 */
	.section .text, "ax", @progbits
	.code64

	.balign 16
	.globl x86_trap_stubs
x86_trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || \
	    (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || \
	    (vec == 29) || (vec == 30)
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp x86_trap_common
	.set vec, vec + 1
	.endr
	.balign 16
	/* linker.ld checks that this is x86_trap_stubs + 256 * 16. */
	.globl x86_trap_stubs_end
x86_trap_stubs_end:

x86_trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call x86_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	/* No executable stack. */
	.section .note.GNU-stack, "", @progbits
