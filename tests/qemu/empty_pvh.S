/*
 * empty_pvh.S - the smallest kernel QEMU boots through PVH: its entry
 * writes one byte, 0, to isa-debug-exit, and QEMU exits with status 1.
 * ./build.py bench boot links it with boot/x86_64/linker.ld and times
 * QEMU starting and stopping it, the baseline beside keel's boot.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4			/* namesz */
	.long 8			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_entry
	.balign 4

	.section .text.boot, "ax", @progbits
	.code32
	.globl pvh_entry
pvh_entry:
	xorl %eax, %eax
	outb %al, $0xf4
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
