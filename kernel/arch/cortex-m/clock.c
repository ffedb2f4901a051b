/*
 * clock.c - the kernel's clock and idle on SysTick (<arch/cortex_m.h>).
 *
 * SysTick (PM0253 "SysTick timer") counts the processor clock down from
 * RVR = hz / 1000 - 1 and interrupts once a millisecond; the handler adds
 * one to a 64-bit count, which is the clock (it cannot wrap in the life
 * of a board). A 1 kHz tick is simple and the clock then needs no
 * arithmetic on the counter; the cost is a wake-up each millisecond,
 * which cm_idle() sleeps through again unless its deadline has come or a
 * device called cm_wake(). The tick's priority is left at 0, like the
 * device interrupts: no handler here is preempted by another.
 *
 * Reading the 64-bit count takes two loads, which the handler may split:
 * the read masks interrupts for those two loads.
 */
#include <arch/cortex_m.h>

static volatile uint64_t cm_ticks;
static volatile bool cm_woken;
static uint64_t cm_sleeps;
static volatile uint64_t cm_wakes;

void cm_systick_start(uint32_t hz)
{
	uint32_t reload = hz / 1000u - 1u;

	if (reload > CM_SYST_MAX)
		reload = CM_SYST_MAX;
	cm_write32(CM_SYST_CSR, 0);
	cm_write32(CM_SYST_RVR, reload);
	cm_write32(CM_SYST_CVR, 0); /* any write clears it and COUNTFLAG */
	cm_write32(CM_SYST_CSR,
		   CM_SYST_CLKSOURCE | CM_SYST_TICKINT | CM_SYST_ENABLE);
}

void cm_systick_handler(void)
{
	cm_ticks = cm_ticks + 1;
}

uint64_t cm_now_ms(void)
{
	uint32_t primask;
	uint64_t t;

	__asm__ volatile("mrs %0, primask\n\tcpsid i"
			 : "=r"(primask)::"memory");
	t = cm_ticks;
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
	return t;
}

void cm_wake(void)
{
	cm_woken = true;
	cm_wakes = cm_wakes + 1;
}

void cm_idle(uint64_t deadline_ms)
{
	/*
	 * Test and sleep with interrupts masked: WFI still wakes on one
	 * pending, and the cpsie after it lets the handler run. A wake-up
	 * between the test and the WFI is therefore not lost.
	 */
	for (;;) {
		__asm__ volatile("cpsid i" ::: "memory");
		if (cm_woken || cm_ticks >= deadline_ms) {
			cm_woken = false;
			__asm__ volatile("cpsie i" ::: "memory");
			return;
		}
		cm_sleeps++;
		cm_dsb();
		__asm__ volatile("wfi");
		__asm__ volatile("cpsie i" ::: "memory");
		cm_isb();
	}
}

void cm_get_idle_stats(struct cm_idle_stats *out)
{
	out->sleeps = cm_sleeps;
	out->ticks = cm_now_ms();
	out->wakes = cm_wakes;
}
