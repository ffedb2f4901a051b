/*
 * entry.S - from QEMU's -kernel entry to arm64_main() at EL1 with the MMU
 * and caches on.
 *
 * QEMU -M virt loads the ELF at its link address and starts the CPU at
 * _start with x0 = 0 (an ELF kernel gets no DTB pointer; the blob is at
 * 0x40000000, linker.ld) or the DTB's address, at EL1 — or at EL2 with
 * virtualization=on, MMU and caches off, every interrupt masked. Then:
 *
 *   1. at EL2: make EL1 AArch64 (HCR_EL2.RW), give EL1 the counters and
 *      the FP/SIMD registers (CNTHCTL_EL2, CPTR_EL2), and drop to EL1h
 *      with DAIF masked (ERET);
 *   2. at EL1: SCTLR_EL1 to a known state (MMU off), FP/SIMD untrapped
 *      (CPACR_EL1.FPEN = 3), the exception vectors (VBAR_EL1), the
 *      stacks: SP_EL1 a 16 KiB exception stack, then SPSel = 0 and SP_EL0
 *      the 64 KiB boot stack, so that an exception always lands on a
 *      stack of its own (the "current EL with SP_EL0" vectors);
 *   3. the translation tables, 4 KiB granule, 39-bit addresses, 1:1:
 *      level 1 maps 0-1 GiB (flash, GIC at 0x08000000, PL011 at
 *      0x09000000, virtio-mmio at 0x0a000000, the PCIe windows) as one
 *      Device-nGnRE block, never executable, and 2-4 GiB as Normal
 *      write-back, inner shareable, not executable blocks; 1-2 GiB (RAM
 *      from 0x40000000) goes through a level-2 table of 2 MiB blocks
 *      (Normal, not executable) in which the L3_TABLES blocks from
 *      __image_start go through level-3 tables of 4 KiB pages: text
 *      read-only and executable, rodata read-only, data and bss
 *      read-write, nothing but text executable, and the page below the
 *      boot stack left out as a guard. Nothing above 4 GiB. MAIR_EL1,
 *      TCR_EL1, TTBR0_EL1, then SCTLR_EL1 M, C and I;
 *   4. zero .bss but the table and the stack (after the MMU, so that no
 *      stale cache line can hide the zeros), and call arm64_main(dtb, el)
 *      (el: the exception level at entry) with x29 = x30 = 0, which ends every frame-pointer backtrace.
 *
 * Arm ARM (DDI 0487) D8 (VMSAv8-64 translation), D19 (system registers).
 */

#define CURRENTEL_EL2	(2 << 2)
#define HCR_RW		(1 << 31)
#define CNTHCTL_EL1_PCTEN_PCEN 3
#define CPTR_EL2_RES1	0x33ff		/* TFP (bit 10) clear */
#define SPSR_EL1H_DAIF	0x3c5		/* EL1h, D A I F masked */
/* SCTLR_EL1 RES1 bits of ARMv8.0: 29, 28, 23, 22, 20, 11. */
#define SCTLR_RES1	0x30d00800
#define SCTLR_M		(1 << 0)
#define SCTLR_C		(1 << 2)
#define SCTLR_SA	(1 << 3)
#define SCTLR_I		(1 << 12)
#define CPACR_FPEN	(3 << 20)

/* Descriptor bits (Arm ARM D8.3): levels 1-2 block or table, level 3
 * page. */
#define PTE_BLOCK	0x1
#define PTE_TABLE	0x3
#define PTE_PAGE	0x3
#define PTE_AP_RO	(1 << 7)	/* AP[2]: read-only */
#define PTE_ATTR(n)	((n) << 2)	/* MAIR_EL1 index */
#define PTE_SH_INNER	(3 << 8)
#define PTE_AF		(1 << 10)
#define PTE_PXN		(1 << 53)
#define PTE_UXN		(1 << 54)
#define MAIR_NORMAL_IDX	0
#define MAIR_DEVICE_IDX	1
/* Attr0 0xff Normal, inner/outer write-back RW-allocate; Attr1 0x04
 * Device-nGnRE. */
#define MAIR_VALUE	0x04ff
#define PTE_DEVICE	(PTE_BLOCK | PTE_ATTR(MAIR_DEVICE_IDX) | PTE_AF | \
			 PTE_PXN | PTE_UXN)
#define PTE_NORMAL	(PTE_BLOCK | PTE_ATTR(MAIR_NORMAL_IDX) | \
			 PTE_SH_INNER | PTE_AF | PTE_UXN)
/* A level-3 page of the image: read-only and executable until the loop
 * below clears AP_RO or adds PXN. */
#define PTE_PAGE_NORMAL	(PTE_PAGE | PTE_ATTR(MAIR_NORMAL_IDX) | \
			 PTE_SH_INNER | PTE_AF | PTE_UXN | PTE_AP_RO)
#define RAM_BASE	0x40000000
/* Level-3 tables: 2 MiB of the image each (linker.ld checks it fits). */
#define L3_TABLES	4

/* TCR_EL1: T0SZ 25 (39 bits, walks start at level 1), inner and outer
 * write-back walks, inner shareable, 4 KiB granule, TTBR1 walks off
 * (EPD1); IPS is filled from ID_AA64MMFR0_EL1.PARange. */
#define TCR_VALUE	(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
#define TCR_IPS_SHIFT	32

#define BOOT_STACK_SIZE	65536
#define EXC_STACK_SIZE	16384

	.section .text.boot, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	mov x19, x0			/* the DTB's address, or 0 */
	mrs x20, CurrentEL		/* the EL we were entered at */
	cmp x20, #CURRENTEL_EL2
	b.ne 1f

	/* 1. EL2 -> EL1. */
	mov x1, #HCR_RW
	msr hcr_el2, x1
	mov x1, #CNTHCTL_EL1_PCTEN_PCEN
	msr cnthctl_el2, x1
	msr cntvoff_el2, xzr
	mov x1, #CPTR_EL2_RES1
	msr cptr_el2, x1
	ldr x1, =SCTLR_RES1
	msr sctlr_el1, x1
	mov x1, #SPSR_EL1H_DAIF
	msr spsr_el2, x1
	adr x1, 1f
	msr elr_el2, x1
	eret

1:	/* 2. EL1. */
	ldr x1, =SCTLR_RES1
	msr sctlr_el1, x1
	mov x1, #CPACR_FPEN
	msr cpacr_el1, x1
	ldr x1, =arm64_vectors
	msr vbar_el1, x1
	isb
	/* Exceptions run on SP_EL1, the kernel on SP_EL0 (SPSel = 0): an
	 * overflow of the boot stack still gets a working handler. */
	ldr x1, =arm64_exc_stack_top
	mov sp, x1
	msr spsel, #0
	ldr x1, =arm64_stack_top
	mov sp, x1

	/*
	 * 3. Level 1: entry 0 device, 1 the level-2 table, 2-3 RAM blocks
	 * (not executable), 4-511 invalid.
	 */
	ldr x0, =arm64_l1_table
	ldr x1, =PTE_DEVICE
	str x1, [x0]
	ldr x1, =arm64_l2_table
	orr x1, x1, #PTE_TABLE
	str x1, [x0, #8]
	ldr x1, =(PTE_NORMAL | PTE_PXN)
	mov x2, #2
2:	orr x3, x1, x2, lsl #30
	str x3, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #4
	b.lo 2b
3:	str xzr, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #512
	b.lo 3b

	/* Level 2: 1-2 GiB in 2 MiB blocks, not executable ... */
	ldr x0, =arm64_l2_table
	ldr x1, =(PTE_NORMAL | PTE_PXN | RAM_BASE)
	mov x2, #0
4:	add x3, x1, x2, lsl #21
	str x3, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #512
	b.lo 4b
	/* ... but the image's L3_TABLES blocks from __image_start point to
	 * level-3 tables. */
	ldr x4, =__image_start
	ldr x2, =RAM_BASE
	sub x2, x4, x2
	lsr x2, x2, #21			/* the first block's index */
	ldr x1, =arm64_l3_tables
	orr x1, x1, #PTE_TABLE
	mov x5, #0
5:	str x1, [x0, x2, lsl #3]
	add x1, x1, #4096
	add x2, x2, #1
	add x5, x5, #1
	cmp x5, #L3_TABLES
	b.lo 5b

	/*
	 * Level 3: 4 KiB pages over those blocks. Text read-only and
	 * executable, rodata read-only, the rest read-write; only text is
	 * executable, and the guard page below the boot stack is invalid.
	 * x4 = the page's address, x5 = its index, x6 = the descriptor.
	 */
	ldr x0, =arm64_l3_tables
	ldr x7, =__rodata_start
	ldr x8, =__data_start
	ldr x9, =arm64_stack_guard
	ldr x10, =PTE_PAGE_NORMAL
	mov x5, #0
6:	orr x6, x10, x4
	cmp x4, x7
	b.lo 7f				/* text */
	orr x6, x6, #PTE_PXN
	cmp x4, x8
	b.lo 7f				/* rodata */
	bic x6, x6, #PTE_AP_RO
7:	cmp x4, x9
	csel x6, xzr, x6, eq		/* the guard page */
	str x6, [x0, x5, lsl #3]
	add x4, x4, #4096
	add x5, x5, #1
	cmp x5, #(L3_TABLES * 512)
	b.lo 6b
	dsb sy
	ldr x0, =arm64_l1_table

	ldr x1, =MAIR_VALUE
	msr mair_el1, x1
	mrs x2, id_aa64mmfr0_el1
	and x2, x2, #7			/* PARange */
	ldr x1, =TCR_VALUE
	orr x1, x1, x2, lsl #TCR_IPS_SHIFT
	msr tcr_el1, x1
	msr ttbr0_el1, x0
	isb
	tlbi vmalle1
	dsb nsh
	isb
	ldr x1, =(SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)
	msr sctlr_el1, x1
	isb

	/* 4. .bss past the table and the stack (16-byte aligned), then C. */
	ldr x1, =__bss_zero_start
	ldr x2, =__bss_end
4:	cmp x1, x2
	b.hs 5f
	stp xzr, xzr, [x1], #16
	b 4b
5:	mov x29, #0
	mov x30, #0
	mov x0, x19
	lsr x1, x20, #2
	bl arm64_main
6:	wfe
	b 6b
	.size _start, . - _start
	.ltorg

/*
 * The tables and the stacks: not zeroed (every table entry is written
 * above; the stacks need no zeros). The guard page must lie in the
 * level-3 range: linker.ld puts .bss.boot first in .bss.
 */
	.section .bss.boot, "aw", @nobits
	.balign 4096
	.globl arm64_l1_table
arm64_l1_table:
	.skip 4096
arm64_l2_table:
	.skip 4096
	.globl arm64_l3_tables
arm64_l3_tables:
	.skip 4096 * L3_TABLES
	/* Unmapped: an overflow of the boot stack faults here. */
	.globl arm64_stack_guard
arm64_stack_guard:
	.skip 4096
	.globl arm64_stack_bottom
	.globl arm64_stack_top
arm64_stack_bottom:
	.skip BOOT_STACK_SIZE
arm64_stack_top:
	.globl arm64_exc_stack_top
	.skip EXC_STACK_SIZE
arm64_exc_stack_top:

	.section .note.GNU-stack, "", @progbits
