/*
 * hw.c - drivers/stm32/stm32_hw.h on the chip: each call one volatile
 * access or one instruction. Peripheral registers are Device memory in
 * the default memory map (0x40000000-0x5FFFFFFF), so the accesses are
 * neither cached nor merged; the barrier is a DSB (PM0253 "Memory
 * barriers": it completes every explicit access before it).
 */
#include "stm32_hw.h"

uint32_t stm32_hw_read32(uintptr_t addr)
{
	return *(volatile const uint32_t *)addr;
}

void stm32_hw_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

void stm32_hw_barrier(void)
{
	__asm__ volatile("dsb 0xf" ::: "memory");
}

uint32_t stm32_hw_dma_addr(const void *p)
{
	/* The bus matrix sees the same 32-bit addresses as the core. */
	return (uint32_t)(uintptr_t)p;
}
