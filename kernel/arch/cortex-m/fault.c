/*
 * fault.c - the report of a HardFault, MemManage, BusFault or UsageFault,
 * then the end of the image. Nothing here is expected to run: a fault is
 * a bug in keel or a hardware failure, never a network event.
 *
 * Written straight to the console (cm_fault_console(): the target's
 * polled UART), one line at a time from its own buffer, not through the
 * kernel log whose buffer the faulting code may have been using:
 *
 *   cortex-m: fault: busfault (exception 5)
 *   cortex-m:   cfsr 0x00008200 hfsr 0x00000000 mmfar - bfar 0x60000000
 *   cortex-m:   cfsr: PRECISERR BFARVALID
 *   cortex-m:   r0 0x... r1 0x... r2 0x... r3 0x...
 *   cortex-m:   r12 0x... lr 0x... pc 0x... xpsr 0x...
 *   cortex-m:   r4 0x... ... r11 0x...
 *   cortex-m:   exc_return 0x... frame 0x... (psp)
 *
 * MMFAR and BFAR are printed only when CFSR says they hold the address
 * (MMARVALID, BFARVALID). When the fault happened while the hardware was
 * stacking (MSTKERR, STKERR: a stack overflow into the MPU guard below
 * the kernel stack) the frame was not written and is not read: the
 * report says so instead. `addr2line -e keel.elf PC LR` names the code.
 * Register meanings: PM0253 "Configurable fault status register",
 * "HardFault status register", "MemManage fault address register",
 * "BusFault address register".
 */
#include <arch/cortex_m.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <klib/fmt.h>

_Noreturn void cm_fault_report(const uint32_t *frame, uint32_t exc_return,
			       const uint32_t *r4_r11, uint32_t ipsr);

static bool cm_fault_reporting;

__attribute__((format(printf, 1, 2))) static void cm_fault_line(const char *fmt,
								...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	cm_fault_console(line, (size_t)n);
}

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
	int len = fmt_snprintf(line, sizeof(line), "cortex-m:   cfsr:");

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
	cm_fault_line("%s", line);
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
	cm_fault_line("cortex-m:   cfsr 0x%08x hfsr 0x%08x mmfar %s bfar %s",
		      (unsigned)cfsr, (unsigned)hfsr, mm, bf);
	cm_fault_bits(cfsr, hfsr);
}

static void cm_fault_frame(const uint32_t *f, uint32_t cfsr)
{
	if (cfsr & (CM_CFSR_MSTKERR | CM_CFSR_STKERR)) {
		cm_fault_line("cortex-m:   the fault hit while stacking (a "
			      "stack overflow into the guard?): no frame");
		return;
	}
	cm_fault_line("cortex-m:   r0 0x%08x r1 0x%08x r2 0x%08x r3 0x%08x",
		      (unsigned)f[0], (unsigned)f[1], (unsigned)f[2],
		      (unsigned)f[3]);
	cm_fault_line("cortex-m:   r12 0x%08x lr 0x%08x pc 0x%08x xpsr "
		      "0x%08x",
		      (unsigned)f[4], (unsigned)f[5], (unsigned)f[6],
		      (unsigned)f[7]);
}

_Noreturn void cm_fault_report(const uint32_t *frame, uint32_t exc_return,
			       const uint32_t *r, uint32_t ipsr)
{
	uint32_t cfsr = cm_read32(CM_SCB_CFSR);
	uint32_t hfsr = cm_read32(CM_SCB_HFSR);

	if (cm_fault_reporting)
		cm_halt(); /* a fault while reporting one */
	cm_fault_reporting = true;
	cm_fault_line("cortex-m: fault: %s (exception %u)", cm_fault_name(ipsr),
		      (unsigned)(ipsr & 0x1ffu));
	cm_fault_addresses(cfsr, hfsr);
	cm_fault_frame(frame, cfsr);
	cm_fault_line("cortex-m:   r4 0x%08x r5 0x%08x r6 0x%08x r7 0x%08x",
		      (unsigned)r[0], (unsigned)r[1], (unsigned)r[2],
		      (unsigned)r[3]);
	cm_fault_line("cortex-m:   r8 0x%08x r9 0x%08x r10 0x%08x r11 0x%08x",
		      (unsigned)r[4], (unsigned)r[5], (unsigned)r[6],
		      (unsigned)r[7]);
	cm_fault_line("cortex-m:   exc_return 0x%08x frame 0x%08x (%s)",
		      (unsigned)exc_return, (unsigned)(uintptr_t)frame,
		      exc_return & 4u ? "psp" : "msp");
	cm_fault_exit();
}
