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
 *      (CPACR_EL1.FPEN = 3), the exception vectors (VBAR_EL1), the stack;
 *   3. the translation table: one level-1 table, 4 KiB granule, 39-bit
 *      addresses, 1 GiB blocks mapped 1:1 — 0-1 GiB (flash, GIC at
 *      0x08000000, PL011 at 0x09000000, virtio-mmio at 0x0a000000, the
 *      PCIe windows) as Device-nGnRE, never executable; 1-4 GiB (RAM
 *      from 0x40000000) as Normal write-back cacheable, inner shareable;
 *      nothing above 4 GiB. MAIR_EL1, TCR_EL1, TTBR0_EL1, then SCTLR_EL1
 *      M, C and I;
 *   4. zero .bss but the table and the stack (after the MMU, so that no
 *      stale cache line can hide the zeros), and call arm64_main(dtb, el)
 *      (el: the exception level at entry) with x29 = x30 = 0, which ends every frame-pointer backtrace.
 *
 * Arm ARM (DDI 0487) D8 (VMSAv8-64 translation), D19 (system registers).
 * Deliberately not done: per-page permissions (text is writable, data
 * executable) and a guard page below the stack — 1 GiB blocks cannot
 * express them; a finer map is future work.
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

/* Block descriptor bits (Arm ARM D8.3). */
#define PTE_BLOCK	0x1
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

/* TCR_EL1: T0SZ 25 (39 bits, walks start at level 1), inner and outer
 * write-back walks, inner shareable, 4 KiB granule, TTBR1 walks off
 * (EPD1); IPS is filled from ID_AA64MMFR0_EL1.PARange. */
#define TCR_VALUE	(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
#define TCR_IPS_SHIFT	32

#define BOOT_STACK_SIZE	65536

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
	ldr x1, =arm64_stack_top
	mov sp, x1

	/* 3. The level-1 table: entry 0 device, 1-3 RAM, 4-511 invalid. */
	ldr x0, =arm64_l1_table
	ldr x1, =PTE_DEVICE
	str x1, [x0]
	ldr x1, =PTE_NORMAL
	mov x2, #1
2:	orr x3, x1, x2, lsl #30
	str x3, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #4
	b.lo 2b
3:	str xzr, [x0, x2, lsl #3]
	add x2, x2, #1
	cmp x2, #512
	b.lo 3b
	dsb sy

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
 * The table and the stack: not zeroed (every table entry is written
 * above; the stack needs no zeros).
 */
	.section .bss.boot, "aw", @nobits
	.balign 4096
	.globl arm64_l1_table
arm64_l1_table:
	.skip 4096
	.globl arm64_stack_bottom
	.globl arm64_stack_top
arm64_stack_bottom:
	.skip BOOT_STACK_SIZE
arm64_stack_top:

	.section .note.GNU-stack, "", @progbits
