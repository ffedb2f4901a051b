/*
 * cortex_m.h - the ARMv7-M machine layer (kernel/arch/cortex-m/): what a
 * Cortex-M target's boot code (boot/stm32/) calls. Written for the
 * Cortex-M7 (caches, MPU with 8 or 16 regions, SysTick); registers and
 * bits are the ARMv7-M Architecture Reference Manual's (system control
 * space, B3.2) as PM0253 (STM32F7 and STM32H7 Cortex-M7 programming
 * manual) gives them for the Cortex-M7, cited by section title.
 *
 * Execution model. One CPU, privileged throughout. The kernel runs in
 * Thread mode on the process stack (PSP, CONTROL.SPSEL = 1); exceptions
 * run on the main stack (MSP), so a kernel stack overflow into the MPU
 * guard below it is still reported: the fault is taken on the MSP.
 * Interrupts stay enabled (PRIMASK clear): the SysTick handler counts
 * milliseconds and a device's handler only acknowledges its device and
 * sets a flag; everything else happens in the loop. The configurable
 * faults (MemManage, BusFault, UsageFault) are enabled, so each is
 * reported as itself instead of escalating to HardFault.
 */
#ifndef ARCH_CORTEX_M_H
#define ARCH_CORTEX_M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* platform_exit() code after a fault. */
#define CM_EXIT_FAULT 64

/* ---- system control space (PM0253 "System control block", "SysTick",
 * "Nested vectored interrupt controller", "Memory protection unit",
 * "Cache maintenance operations") ---------------------------------------- */
#define CM_SYST_CSR   0xe000e010u /* SysTick control and status */
#define CM_SYST_RVR   0xe000e014u /* reload value */
#define CM_SYST_CVR   0xe000e018u /* current value */
#define CM_NVIC_ISER  0xe000e100u /* set-enable, one word per 32 IRQs */
#define CM_NVIC_IPR   0xe000e400u /* priority, one byte per IRQ */
#define CM_SCB_CPUID  0xe000ed00u
#define CM_SCB_ICSR   0xe000ed04u
#define CM_SCB_VTOR   0xe000ed08u
#define CM_SCB_AIRCR  0xe000ed0cu
#define CM_SCB_SCR    0xe000ed10u
#define CM_SCB_CCR    0xe000ed14u
#define CM_SCB_SHPR3  0xe000ed20u /* SysTick (bits 31:24), PendSV priority */
#define CM_SCB_SHCSR  0xe000ed24u
#define CM_SCB_CFSR   0xe000ed28u /* MMFSR (7:0), BFSR (15:8), UFSR (31:16) */
#define CM_SCB_HFSR   0xe000ed2cu
#define CM_SCB_MMFAR  0xe000ed34u
#define CM_SCB_BFAR   0xe000ed38u
#define CM_SCB_CLIDR  0xe000ed78u
#define CM_SCB_CCSIDR 0xe000ed80u
#define CM_SCB_CSSELR 0xe000ed84u
#define CM_MPU_TYPE   0xe000ed90u
#define CM_MPU_CTRL   0xe000ed94u
#define CM_MPU_RNR    0xe000ed98u
#define CM_MPU_RBAR   0xe000ed9cu
#define CM_MPU_RASR   0xe000eda0u
#define CM_ICIALLU    0xe000ef50u /* invalidate the whole I-cache */
#define CM_DCISW      0xe000ef60u /* invalidate D-cache line by set/way */

/* SYST_CSR */
#define CM_SYST_ENABLE	  (1u << 0)
#define CM_SYST_TICKINT	  (1u << 1)
#define CM_SYST_CLKSOURCE (1u << 2)   /* 1: the processor clock */
#define CM_SYST_MAX	  0x00ffffffu /* RVR is 24 bits */

/* SCB_CCR */
#define CM_CCR_DIV_0_TRP (1u << 4)
#define CM_CCR_DC	 (1u << 16)
#define CM_CCR_IC	 (1u << 17)

/* SCB_SHCSR: enables of the configurable faults. */
#define CM_SHCSR_MEMFAULTENA (1u << 16)
#define CM_SHCSR_BUSFAULTENA (1u << 17)
#define CM_SHCSR_USGFAULTENA (1u << 18)

/* CFSR: the bits the fault report names. */
#define CM_CFSR_IACCVIOL    (1u << 0)
#define CM_CFSR_DACCVIOL    (1u << 1)
#define CM_CFSR_MUNSTKERR   (1u << 3)
#define CM_CFSR_MSTKERR	    (1u << 4)
#define CM_CFSR_MLSPERR	    (1u << 5)
#define CM_CFSR_MMARVALID   (1u << 7)
#define CM_CFSR_IBUSERR	    (1u << 8)
#define CM_CFSR_PRECISERR   (1u << 9)
#define CM_CFSR_IMPRECISERR (1u << 10)
#define CM_CFSR_UNSTKERR    (1u << 11)
#define CM_CFSR_STKERR	    (1u << 12)
#define CM_CFSR_LSPERR	    (1u << 13)
#define CM_CFSR_BFARVALID   (1u << 15)
#define CM_CFSR_UNDEFINSTR  (1u << 16)
#define CM_CFSR_INVSTATE    (1u << 17)
#define CM_CFSR_INVPC	    (1u << 18)
#define CM_CFSR_NOCP	    (1u << 19)
#define CM_CFSR_UNALIGNED   (1u << 24)
#define CM_CFSR_DIVBYZERO   (1u << 25)

/* HFSR */
#define CM_HFSR_VECTTBL	 (1u << 1)
#define CM_HFSR_FORCED	 (1u << 30)
#define CM_HFSR_DEBUGEVT (1u << 31)

/* MPU_CTRL */
#define CM_MPU_ENABLE	  (1u << 0)
#define CM_MPU_PRIVDEFENA (1u << 2) /* default map under the regions */

/* MPU_RASR fields. */
#define CM_RASR_ENABLE	   (1u << 0)
#define CM_RASR_SIZE(log2) ((uint32_t)((log2)-1) << 1) /* 2^log2 bytes */
#define CM_RASR_B	   (1u << 16)
#define CM_RASR_C	   (1u << 17)
#define CM_RASR_S	   (1u << 18)
#define CM_RASR_TEX(t)	   ((uint32_t)(t) << 19)
#define CM_RASR_AP_NONE	   (0u << 24) /* no access at any level */
#define CM_RASR_AP_RW	   (3u << 24) /* read-write at every level */
#define CM_RASR_XN	   (1u << 28)
/* Normal memory, write-back write-allocate (TEX 001, C 1, B 1), and
 * normal memory, non-cacheable (TEX 001, C 0, B 0): PM0253 "Memory
 * region attributes" table of TEX, C, B encodings. */
#define CM_RASR_NORMAL_WBWA (CM_RASR_TEX(1) | CM_RASR_C | CM_RASR_B)
#define CM_RASR_NORMAL_NC   CM_RASR_TEX(1)

/* ---- registers ----------------------------------------------------------- */

static inline uint32_t cm_read32(uintptr_t addr)
{
	return *(volatile const uint32_t *)addr;
}

static inline void cm_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline void cm_dsb(void)
{
	__asm__ volatile("dsb 0xf" ::: "memory");
}

static inline void cm_isb(void)
{
	__asm__ volatile("isb 0xf" ::: "memory");
}

/* ---- start-up, in this order (boot/stm32/main.c) ------------------------- */

/* One MPU region: base aligned to its size, 2^size_log2 bytes (5..32). */
struct cm_mpu_region {
	uint32_t base;
	uint8_t size_log2;
	uint32_t attrs; /* CM_RASR_* access and memory-type bits */
};

/*
 * Program the MPU with these regions (region i gets number i; a higher
 * number wins where regions overlap), the default memory map beneath them
 * for privileged code, and enable it. NET_EINVAL for a region that is
 * misaligned or too many for MPU_TYPE's DREGION.
 */
int cm_mpu_init(const struct cm_mpu_region *r, size_t n);

/* Invalidate and enable the instruction and data caches. */
void cm_cache_enable(void);

/* Enable MemManage, BusFault and UsageFault, and trap division by zero. */
void cm_faults_enable(void);

/* SysTick: an interrupt every millisecond from a core clock of hz. */
void cm_systick_start(uint32_t hz);

/* Enable device interrupt `irq` (the vector table's entry 16 + irq). */
void cm_irq_enable(unsigned irq);

/* ---- running ------------------------------------------------------------- */

/* Milliseconds since cm_systick_start(); monotonic. */
uint64_t cm_now_ms(void);

/*
 * Sleep (WFI) until cm_now_ms() >= deadline_ms or a device interrupt
 * (cm_wake()) since the last call. Returns at once for a past deadline.
 */
void cm_idle(uint64_t deadline_ms);

/* From a device's interrupt handler: end the current cm_idle(). */
void cm_wake(void);

struct cm_idle_stats {
	uint64_t sleeps; /* WFIs executed */
	uint64_t ticks;	 /* SysTick interrupts */
	uint64_t wakes;	 /* cm_wake() calls */
};
void cm_get_idle_stats(struct cm_idle_stats *out);

/* Stop: interrupts masked, WFI forever. */
_Noreturn void cm_halt(void);

/* ---- exceptions (vectors in the target's table) -------------------------- */

/* SysTick's handler. */
void cm_systick_handler(void);

/* The entry of HardFault, MemManage, BusFault and UsageFault (fault.S):
 * reports and ends the image through the target's fault hook. */
void cm_fault_entry(void);

/*
 * Called by the fault report once it is written; the target ends the
 * image (platform_exit(CM_EXIT_FAULT)). The report itself goes to
 * arch_console_write() (<arch/arch.h>), which the target also provides.
 */
_Noreturn void cm_fault_exit(void);

#endif /* ARCH_CORTEX_M_H */
