/*
 * empty_virt.S - the smallest kernel qemu-system-aarch64 -M virt boots:
 * its entry asks semihosting for SYS_EXIT_EXTENDED with code 0 (QEMU,
 * started with -semihosting, exits with status 0). ./build.py bench boot
 * links it with boot/aarch64/linker.ld and times QEMU starting and
 * stopping it, the baseline beside the aarch64 image's boot.
 */
	.section .text.boot, "ax", @progbits
	.globl _start
_start:
	mov x0, #0x20			/* SYS_EXIT_EXTENDED */
	adr x1, 2f
	hlt #0xf000
1:	wfe
	b 1b
	.balign 8
2:	.quad 0x20026			/* ADP_Stopped_ApplicationExit */
	.quad 0				/* exit code */

	.section .note.GNU-stack, "", @progbits
