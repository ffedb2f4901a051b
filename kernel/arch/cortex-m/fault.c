/*
 * fault.c - the report of a HardFault, MemManage, BusFault or UsageFault,
 * then the end of the image. Nothing here is expected to run: a fault is
 * a bug in keel or a hardware failure, never a network event.
 *
 * The lines are written with kernel/arch/common's fault_say() and
 * fault_registers() (straight to arch_console_write(), the target's
 * polled UART, not through the kernel log whose buffer the faulting code
 * may have been using); what they say is the Cortex-M's:
 *
 *   cortex-m: fault: busfault (exception 5)
 *   cortex-m:   cfsr 0x00008200 hfsr 0x00000000 mmfar - bfar 0x60000000
 *   cortex-m:   cfsr: PRECISERR BFARVALID; hfsr:
 *   cortex-m:   r0  0x... r1  0x... r2  0x... r3  0x...
 *   cortex-m:   r12 0x... lr  0x... pc  0x... xpsr 0x...
 *   cortex-m:   r4  0x... ... r11 0x...
 *   cortex-m:   exc_return 0x... frame 0x... (psp) msp 0x... psp 0x...
 *   cortex-m: backtrace PC ?LR
 *   cortex-m: stopping (exit 64)
 *
 * MMFAR and BFAR are printed only when CFSR says they hold the address
 * (MMARVALID, BFARVALID). When the fault happened while the hardware was
 * stacking (MSTKERR, STKERR: a stack overflow into the MPU guard below
 * the kernel stack, say) the frame was not written and is not read: the
 * report says so instead. The backtrace is the faulting PC and, marked
 * '?', LR when it points into text (the caller, if the fault is in a
 * leaf that has not saved it); the image keeps no frame pointer on Thumb
 * (build.py), so there are no frame records to walk.
 * `addr2line -f -e keel.elf PC LR` names the code. Register meanings:
 * PM0253 "Configurable fault status register", "HardFault status
 * register", "MemManage fault address register", "BusFault address
 * register".
 */
#include <arch/cortex_m.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/arch.h>
#include <arch/fault.h>
#include <klib/fmt.h>

_Noreturn void cm_fault_report(const uint32_t *frame, uint32_t exc_return,
			       const uint32_t *r4_r11, uint32_t ipsr);

static const char *cm_fault_name(uint32_t ipsr)
{
	switch (ipsr & 0x1ffu) {
	case 3:
		return "hardfault";
	case 4:
		return "memmanage";
	case 5:
		return "busfault";
	case 6:
		return "usagefault";
	default:
		return "unexpected exception";
	}
}

/* CFSR's and HFSR's set bits by name, on one line. */
static void cm_fault_bits(uint32_t cfsr, uint32_t hfsr)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} cfsr_bits[] = {
	    {CM_CFSR_IACCVIOL, "IACCVIOL"},
	    {CM_CFSR_DACCVIOL, "DACCVIOL"},
	    {CM_CFSR_MUNSTKERR, "MUNSTKERR"},
	    {CM_CFSR_MSTKERR, "MSTKERR"},
	    {CM_CFSR_MLSPERR, "MLSPERR"},
	    {CM_CFSR_MMARVALID, "MMARVALID"},
	    {CM_CFSR_IBUSERR, "IBUSERR"},
	    {CM_CFSR_PRECISERR, "PRECISERR"},
	    {CM_CFSR_IMPRECISERR, "IMPRECISERR"},
	    {CM_CFSR_UNSTKERR, "UNSTKERR"},
	    {CM_CFSR_STKERR, "STKERR"},
	    {CM_CFSR_LSPERR, "LSPERR"},
	    {CM_CFSR_BFARVALID, "BFARVALID"},
	    {CM_CFSR_UNDEFINSTR, "UNDEFINSTR"},
	    {CM_CFSR_INVSTATE, "INVSTATE"},
	    {CM_CFSR_INVPC, "INVPC"},
	    {CM_CFSR_NOCP, "NOCP"},
	    {CM_CFSR_UNALIGNED, "UNALIGNED"},
	    {CM_CFSR_DIVBYZERO, "DIVBYZERO"},
	};
	char line[200];
	int len = fmt_snprintf(line, sizeof(line), "%s:   cfsr:", arch_name);

	for (size_t i = 0; i < sizeof(cfsr_bits) / sizeof(cfsr_bits[0]); i++) {
		if ((cfsr & cfsr_bits[i].bit) && len < (int)sizeof(line))
			len += fmt_snprintf(line + len, sizeof(line) - len,
					    " %s", cfsr_bits[i].name);
	}
	if (len < (int)sizeof(line))
		len += fmt_snprintf(line + len, sizeof(line) - len,
				    "; hfsr:%s%s%s",
				    hfsr & CM_HFSR_VECTTBL ? " VECTTBL" : "",
				    hfsr & CM_HFSR_FORCED ? " FORCED" : "",
				    hfsr & CM_HFSR_DEBUGEVT ? " DEBUGEVT" : "");
	fault_say("%s", line);
}

static void cm_fault_addresses(uint32_t cfsr, uint32_t hfsr)
{
	char mm[16] = "-", bf[16] = "-";

	if (cfsr & CM_CFSR_MMARVALID)
		fmt_snprintf(mm, sizeof(mm), "0x%08x",
			     (unsigned)cm_read32(CM_SCB_MMFAR));
	if (cfsr & CM_CFSR_BFARVALID)
		fmt_snprintf(bf, sizeof(bf), "0x%08x",
			     (unsigned)cm_read32(CM_SCB_BFAR));
	fault_say("%s:   cfsr 0x%08x hfsr 0x%08x mmfar %s bfar %s", arch_name,
		  (unsigned)cfsr, (unsigned)hfsr, mm, bf);
	cm_fault_bits(cfsr, hfsr);
}

/* The stacked frame, unless the fault hit while writing it. */
static bool cm_fault_frame(const uint32_t *f, uint32_t cfsr)
{
	static const char *const names[] = {"r0",  "r1", "r2", "r3",
					    "r12", "lr", "pc", "xpsr"};
	uint64_t v[8];

	if (cfsr & (CM_CFSR_MSTKERR | CM_CFSR_STKERR)) {
		fault_say("%s:   the fault hit while stacking (a stack "
			  "overflow into the guard?): no frame",
			  arch_name);
		return false;
	}
	for (unsigned i = 0; i < 8; i++)
		v[i] = f[i];
	fault_registers(names, v, 8);
	return true;
}

_Noreturn void cm_fault_report(const uint32_t *frame, uint32_t exc_return,
			       const uint32_t *r, uint32_t ipsr)
{
	static const char *const names[] = {"r4", "r5", "r6",  "r7",
					    "r8", "r9", "r10", "r11"};
	/* No frame records to walk: nothing lies in this stack. */
	static const struct fault_stack none = {0, 0, 8, false};
	uint32_t cfsr = cm_read32(CM_SCB_CFSR);
	uint32_t hfsr = cm_read32(CM_SCB_HFSR);
	uint32_t msp, psp;
	uint64_t v[8];

	if (!fault_begin())
		cm_halt(); /* a fault while reporting one */
	__asm__ volatile("mrs %0, msp\n\tmrs %1, psp" : "=r"(msp), "=r"(psp));
	fault_say("%s: fault: %s (exception %u)", arch_name,
		  cm_fault_name(ipsr), (unsigned)(ipsr & 0x1ffu));
	cm_fault_addresses(cfsr, hfsr);
	bool framed = cm_fault_frame(frame, cfsr);
	for (unsigned i = 0; i < 8; i++)
		v[i] = r[i];
	fault_registers(names, v, 8);
	fault_say("%s:   exc_return 0x%08x frame 0x%08x (%s) msp 0x%08x psp "
		  "0x%08x",
		  arch_name, (unsigned)exc_return, (unsigned)(uintptr_t)frame,
		  exc_return & 4u ? "psp" : "msp", (unsigned)msp,
		  (unsigned)psp);
	if (framed)
		fault_backtrace(&none, frame[6], frame[5], 0);
	fault_stop(CM_EXIT_FAULT);
	cm_fault_exit();
}
