/*
 * main.c - stm32_main(), the STM32 target's first C: from reset to
 * kernel_main() on a NUCLEO-F767ZI.
 *
 * entry.S calls it in Thread mode on the kernel stack (PSP), with .data
 * and .bss ready, the core at 16 MHz on HSI. In order:
 *   1. VTOR at the table in flash (out of reset it holds the boot
 *      address, which may be the ITCM alias 0x00200000 of the same flash);
 *   2. clocks to 216 MHz (clock.c);
 *   3. the console: USART3 on PD8/PD9, the ST-LINK's virtual COM port,
 *      115200 8N1; a clock failure is reported here, at 16 MHz;
 *   4. the MPU (below), then the I- and D-caches, then the configurable
 *      faults;
 *   5. SysTick at 1 kHz, the kernel's clock;
 *   6. the RNG;
 *   7. kernel_main(). The Ethernet MAC is brought up later, by
 *      platform_netdev() (platform.c).
 * A failure in 2 or 4 is one console line and a halt.
 *
 * MPU regions (cortex_m.h; a higher number wins where they overlap):
 *   0  0x20000000 512 KiB  all SRAM: normal write-back write-allocate
 *                          (the default map's type), read-write, never
 *                          executed (XN): data is not code
 *   1  0x2007C000  16 KiB  SRAM2, the Ethernet rings: normal
 *                          non-cacheable, shareable
 *   2  0x1FFF0000  64 KiB  no access: below RAM, the kernel stack's
 *                          guard (more than any one frame, so a large
 *                          frame cannot step over it)
 *   3  handler stack 32 B  no access: the handler stack's guard
 * Why non-cacheable rather than cache maintenance: the Ethernet DMA does
 * not see the D-cache, and with the rings uncached there is nothing to
 * clean or invalidate around each OWN hand-off, nothing to get wrong about
 * lines shared with neighbours, and the driver's unmodified code (tested
 * on the host model) is what runs. The price is uncached access to frame
 * bytes, which the stack reads once (it copies what it keeps).
 */
#include <stdint.h>

#include <arch/cortex_m.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>
#include <rng.h>

#include "board.h"
#include "stm32.h"
#include "stm32_hw.h"

#define MAIN_RAM_BASE	0x20000000u
#define MAIN_RAM_LOG2	19 /* 512 KiB: DTCM, SRAM1, SRAM2 */
#define MAIN_SRAM2_BASE 0x2007c000u
#define MAIN_SRAM2_LOG2 14 /* 16 KiB */
#define MAIN_HSI_HZ	16000000u

extern const char __flash_start[], __flash_end[], __ram_end[]; /* linker */
extern const char __dma_start[], __dma_end[];
extern const uintptr_t stm32_vectors[]; /* vectors.c */

static void main_mpu(void)
{
	const struct cm_mpu_region regions[] = {
	    {MAIN_RAM_BASE, MAIN_RAM_LOG2,
	     CM_RASR_NORMAL_WBWA | CM_RASR_AP_RW | CM_RASR_XN},
	    {MAIN_SRAM2_BASE, MAIN_SRAM2_LOG2,
	     CM_RASR_NORMAL_NC | CM_RASR_S | CM_RASR_AP_RW | CM_RASR_XN},
	    {STM32_STACK_GUARD_BASE, STM32_STACK_GUARD_LOG2,
	     CM_RASR_AP_NONE | CM_RASR_XN},
	    {(uint32_t)(uintptr_t)stm32_handler_stack, 5,
	     CM_RASR_AP_NONE | CM_RASR_XN},
	};

	_Static_assert(STM32_HANDLER_GUARD == 32, "main_mpu's guard region");
	if (cm_mpu_init(regions, sizeof(regions) / sizeof(regions[0])) !=
	    NET_OK) {
		log_printf(LOG_ERROR, "stm32: the MPU refused the regions");
		cm_halt();
	}
}

static void main_log_memory(void)
{
	uint32_t cpuid = cm_read32(CM_SCB_CPUID);

	log_printf(LOG_INFO, "keel: %s on stm32f767 (cortex-m7 r%up%u), %u MHz",
		   CONFIG_IMAGE_NAME, (unsigned)((cpuid >> 20) & 0xfu),
		   (unsigned)(cpuid & 0xfu),
		   (unsigned)(BOARD_SYSCLK_HZ / 1000000u));
	log_printf(
	    LOG_INFO,
	    "stm32: flash 0x%08x-0x%08x, ram 0x20000000-0x%08x, "
	    "eth dma 0x%08x-0x%08x (uncached), kernel stack %u "
	    "bytes",
	    (unsigned)(uintptr_t)__flash_start,
	    (unsigned)(uintptr_t)__flash_end, (unsigned)(uintptr_t)__ram_end,
	    (unsigned)(uintptr_t)__dma_start, (unsigned)(uintptr_t)__dma_end,
	    (unsigned)CONFIG_STM32_STACK);
}

_Noreturn void stm32_main(void)
{
	int rc;

	cm_write32(CM_SCB_VTOR, (uint32_t)(uintptr_t)stm32_vectors);
	cm_dsb();
	rc = stm32_clock_init();
	stm32_console_init(rc == 0 ? BOARD_APB1_HZ : MAIN_HSI_HZ);
	if (rc != 0) {
		log_printf(LOG_ERROR, "stm32: clock set-up failed: %s",
			   stm32_clock_step(rc));
		cm_halt();
	}
	main_mpu();
	cm_cache_enable();
	cm_faults_enable();
	cm_systick_start(BOARD_SYSCLK_HZ);
	stm32_hw_write32(RCC_AHB2ENR,
			 stm32_hw_read32(RCC_AHB2ENR) | RCC_AHB2_RNG);
	(void)stm32_hw_read32(RCC_AHB2ENR);
	stm32_rng_init();
	main_log_memory();
	kernel_main();
}
