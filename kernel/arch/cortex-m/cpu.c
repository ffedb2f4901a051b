/*
 * cpu.c - Cortex-M7 set-up: MPU, caches, fault enables, NVIC
 * (<arch/cortex_m.h>).
 *
 * MPU: PM0253 "Memory protection unit" (MPU_TYPE DREGION, MPU_RNR,
 * MPU_RBAR, MPU_RASR, MPU_CTRL). Regions are written with the MPU off and
 * enabled with PRIVDEFENA, so everything no region covers keeps the
 * default memory map for the (always privileged) kernel. A DSB and an ISB
 * after MPU_CTRL make the new map apply to the next instruction.
 *
 * Caches: PM0253 "Cache maintenance operations" and "Enabling the L1
 * caches": the D-cache is invalidated by set and way (its geometry read
 * from CCSIDR with CSSELR = 0), the I-cache with ICIALLU, each followed by
 * DSB and ISB, then CCR DC and IC are set. Nothing has been written
 * through a cache before this runs: they are off out of reset.
 */
#include <arch/cortex_m.h>

#include <arch/arch.h>
#include <net/net.h>

/* The first word of the shared fault report's lines (<arch/arch.h>). */
const char arch_name[] = "cortex-m";

int cm_mpu_init(const struct cm_mpu_region *r, size_t n)
{
	uint32_t dregion = (cm_read32(CM_MPU_TYPE) >> 8) & 0xffu;

	if (n > dregion)
		return NET_EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint32_t size = r[i].size_log2;

		if (size < 5 || size > 32)
			return NET_EINVAL;
		if (size < 32 && (r[i].base & ((1u << size) - 1u)))
			return NET_EINVAL;
	}
	cm_dsb();
	cm_write32(CM_MPU_CTRL, 0);
	for (size_t i = 0; i < dregion; i++) {
		cm_write32(CM_MPU_RNR, (uint32_t)i);
		cm_write32(CM_MPU_RASR, 0); /* disabled unless set below */
		if (i >= n)
			continue;
		cm_write32(CM_MPU_RBAR, r[i].base);
		cm_write32(CM_MPU_RASR, r[i].attrs |
					    CM_RASR_SIZE(r[i].size_log2) |
					    CM_RASR_ENABLE);
	}
	cm_write32(CM_MPU_CTRL, CM_MPU_ENABLE | CM_MPU_PRIVDEFENA);
	cm_dsb();
	cm_isb();
	return NET_OK;
}

static void cm_dcache_invalidate_all(void)
{
	uint32_t ccsidr, sets, ways, line_shift, way_shift;

	cm_write32(CM_SCB_CSSELR, 0); /* level 1 data cache */
	cm_dsb();
	ccsidr = cm_read32(CM_SCB_CCSIDR);
	sets = ((ccsidr >> 13) & 0x7fffu) + 1u;
	ways = ((ccsidr >> 3) & 0x3ffu) + 1u;
	line_shift = (ccsidr & 7u) + 4u; /* LineSize: log2(words) - 2 */
	/* The way number sits in the top bits of DCISW: 32 - log2(ways). */
	way_shift = 32u;
	for (uint32_t w = ways - 1u; w; w >>= 1)
		way_shift--;
	for (uint32_t set = 0; set < sets; set++) {
		for (uint32_t way = 0; way < ways; way++) {
			uint32_t v = set << line_shift;

			if (ways > 1)
				v |= way << way_shift;
			cm_write32(CM_DCISW, v);
		}
	}
	cm_dsb();
}

void cm_cache_enable(void)
{
	cm_dsb();
	cm_isb();
	cm_write32(CM_ICIALLU, 0);
	cm_dsb();
	cm_isb();
	cm_write32(CM_SCB_CCR, cm_read32(CM_SCB_CCR) | CM_CCR_IC);
	cm_dsb();
	cm_isb();
	cm_dcache_invalidate_all();
	cm_write32(CM_SCB_CCR, cm_read32(CM_SCB_CCR) | CM_CCR_DC);
	cm_dsb();
	cm_isb();
}

void cm_faults_enable(void)
{
	cm_write32(CM_SCB_SHCSR,
		   cm_read32(CM_SCB_SHCSR) | CM_SHCSR_MEMFAULTENA |
		       CM_SHCSR_BUSFAULTENA | CM_SHCSR_USGFAULTENA);
	cm_write32(CM_SCB_CCR, cm_read32(CM_SCB_CCR) | CM_CCR_DIV_0_TRP);
	cm_dsb();
	cm_isb();
}

void cm_irq_enable(unsigned irq)
{
	cm_write32(CM_NVIC_ISER + 4u * (irq / 32u), 1u << (irq % 32u));
}

_Noreturn void cm_halt(void)
{
	__asm__ volatile("cpsid i" ::: "memory");
	for (;;)
		__asm__ volatile("wfi");
}
