/*
 * entry.S - from QEMU's PVH entry to x86_main() in 64-bit long mode.
 *
 * QEMU (-kernel with an ELF64 file) reads the XEN_ELFNOTE_PHYS32_ENTRY note
 * below and jumps to pvh_entry in 32-bit protected mode (Xen's PVH boot
 * ABI, docs/misc/pvh.pandoc in Xen): CS and DS/ES/SS flat 4 GiB segments,
 * CR0.PE set, paging off, interrupts off, ebx the physical address of the
 * hvm_start_info structure, and no stack. From there:
 *
 *   1. zero .bss (the loader zero-fills it too; this makes no assumption);
 *   2. build identity-mapped page tables for the low 4 GiB with 2 MiB
 *      pages: the first 2 MiB (real-mode memory, BIOS data, the VGA window)
 *      and 3-4 GiB (the PCI hole: virtio-pci BARs near 0xfe000000,
 *      microvm's virtio-mmio at 0xfeb00000, IOAPIC 0xfec00000, LAPIC
 *      0xfee00000) uncached with PCD|PWT, the rest write-back. The image
 *      sits at 2 MiB (linker.ld), so it is never in an uncached page;
 *      2-4 MiB is mapped with 4 KiB pages so that the image's text is
 *      read-only, nothing but text is executable (when the CPU has NX)
 *      and the page below the boot stack is left out as a guard;
 *   3. CR4.PAE, CR3, EFER.LME (and NXE), CR0.PG|WP: long mode,
 *      compatibility submode; load our GDT and far-jump to its 64-bit
 *      code segment;
 *   4. load the data segments, set the boot stack and call
 *      x86_main(start_info) with the start info's address in rdi.
 *
 * Nothing here reads the start info: x86_main() checks its magic. The
 * TSS and IDT come later, in C (kernel/arch/x86_64/cpu.c), which also
 * writes the TSS descriptor into this GDT.
 */

/* Page-table entry bits (Intel SDM Vol. 3A §4.5, Table 4-15..4-20). */
#define PTE_P   0x001 /* present */
#define PTE_RW  0x002 /* writable */
#define PTE_PWT 0x008 /* write-through */
#define PTE_PCD 0x010 /* cache disable */
#define PTE_PS  0x080 /* 2 MiB page (in a page directory) */
#define PTE_NX_HIGH 0x80000000 /* bit 63, execute-disable, upper half */

#define CR0_PG (1 << 31)
#define CR0_WP (1 << 16)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define SEG_CODE64 0x08
#define SEG_DATA 0x10

/* 2 MiB pages: PD entries 0 (0-2 MiB) and 1536..2047 (3-4 GiB) uncached. */
#define PD_ENTRIES 2048
#define PD_UNCACHED_FROM 1536

#define BOOT_STACK_SIZE 65536

/* ---- the PVH note ------------------------------------------------------ */

	.section .note.Xen, "a", @note
	.balign 4
	.long 4			/* namesz: "Xen\0" */
	.long 8			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_entry
	.balign 4

/* ---- 32-bit entry ------------------------------------------------------ */

	.section .text.boot, "ax", @progbits
	.code32
	.globl pvh_entry
	.type pvh_entry, @function
pvh_entry:
	cli
	cld
	movl %ebx, %esi		/* start info: kept in esi until x86_main */

	/* 1. .bss: linker.ld makes both ends 4 KiB-aligned. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/*
	 * 2. Page tables. With the NX bit (CPUID 0x80000001 EDX bit 20)
	 * x86_nx_high is the upper half of every entry that must not be
	 * executed: everything but the image's text.
	 */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb 1f
	movl $0x80000001, %eax
	cpuid
	btl $20, %edx
	jnc 1f
	movl $PTE_NX_HIGH, x86_nx_high
1:
	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl $x86_pdpt, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, x86_pml4

	movl $x86_pd, %eax
	orl $(PTE_P | PTE_RW), %eax
	xorl %ecx, %ecx
1:	movl %eax, x86_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	/* PD entry n maps n * 2 MiB, writable, not executable. */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_RW | PTE_PS), %eax
	testl %ecx, %ecx
	jz 3f
	cmpl $PD_UNCACHED_FROM, %ecx
	jb 4f
3:	orl $(PTE_PCD | PTE_PWT), %eax
4:	movl %eax, x86_pd(, %ecx, 8)
	movl x86_nx_high, %edx
	movl %edx, x86_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $PD_ENTRIES, %ecx
	jb 2b

	/*
	 * 2-4 MiB, where the image starts, in 4 KiB pages instead: text
	 * read-only and executable, rodata read-only, the rest writable and
	 * not executable; and the guard page below the boot stack left out,
	 * so that an overflow faults (#PF, then #DF on its own stack)
	 * instead of running over the page tables. No guard if the linker
	 * put it past 4 MiB.
	 */
	movl $0x200000, %eax
	xorl %ecx, %ecx
5:	movl %eax, %edi
	orl $PTE_P, %edi
	xorl %edx, %edx
	cmpl $__rodata_start, %eax
	jb 6f			/* text */
	movl x86_nx_high, %edx
	cmpl $__data_start, %eax
	jb 6f			/* rodata */
	orl $PTE_RW, %edi
6:	movl %edi, x86_pt_image(, %ecx, 8)
	movl %edx, x86_pt_image + 4(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $512, %ecx
	jb 5b
	movl $x86_stack_guard, %ecx
	subl $0x200000, %ecx
	shrl $12, %ecx
	cmpl $512, %ecx
	jae 7f
	movl $0, x86_pt_image(, %ecx, 8)
	movl $0, x86_pt_image + 4(, %ecx, 8)
	movl $1, x86_stack_guarded
7:	movl $x86_pt_image, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, x86_pd + 8
	movl $0, x86_pd + 12	/* the PT's own entries decide NX */

	/* 3. Long mode (SDM Vol. 3A §10.8.5). */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl $x86_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	cmpl $0, x86_nx_high
	je 8f
	orl $EFER_NXE, %eax	/* before paging: NX is reserved without it */
8:	wrmsr

	lgdt x86_gdt_ptr32

	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0

	ljmp $SEG_CODE64, $long_entry

/* ---- 64-bit ------------------------------------------------------------ */

	.code64
long_entry:
	movw $SEG_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs

	/* 4. The stack; rbp = 0 ends every frame-pointer backtrace. */
	movabsq $x86_stack_top, %rsp
	xorl %ebp, %ebp
	movl %esi, %edi		/* zero-extends: the start info's address */
	call x86_main
5:	cli
	hlt
	jmp 5b
	.size pvh_entry, . - pvh_entry

/* ---- the GDT ----------------------------------------------------------- */

	.section .data, "aw", @progbits
	.balign 16
	.globl x86_gdt
x86_gdt:
	.quad 0				/* 0x00 null */
	.quad 0x00af9a000000ffff	/* 0x08 64-bit code, DPL 0 (L=1) */
	.quad 0x00cf92000000ffff	/* 0x10 data, DPL 0 */
	.quad 0, 0			/* 0x18 TSS, written by cpu.c */
x86_gdt_end:

	/* lgdt in 32-bit mode takes a 32-bit base; the GDT is below 4 GiB. */
	.balign 4
	.word 0
x86_gdt_ptr32:
	.word x86_gdt_end - x86_gdt - 1
	.long x86_gdt

/* ---- page tables and the boot stack ------------------------------------ */

	.section .bss.boot, "aw", @nobits
	.balign 4096
	.globl x86_pml4
x86_pml4:
	.skip 4096
x86_pdpt:
	.skip 4096
x86_pd:
	.skip 4096 * 4
x86_pt_image:
	.skip 4096

	/* Mapped not-present when x86_stack_guarded is 1. */
	.globl x86_stack_guard
x86_stack_guard:
	.skip 4096
	.globl x86_stack_bottom
	.globl x86_stack_top
x86_stack_bottom:
	.skip BOOT_STACK_SIZE
x86_stack_top:

	.balign 4
	.globl x86_stack_guarded
x86_stack_guarded:
	.skip 4
	.globl x86_nx_high
x86_nx_high:
	.skip 4

	/* No executable stack. */
	.section .note.GNU-stack, "", @progbits
