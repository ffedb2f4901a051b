/*
 * trap.c - what happens on each exception: an IRQ goes to gic.c, anything
 * else ends the image with a report on the console.
 *
 * The report is written straight to the PL011 (kernel/arch/common/fault.c's
 * lines, not the kernel log, whose buffer the faulting code may have been
 * using):
 *
 *   aarch64: exception: synchronous, current EL with SP_EL0: data abort
 *            (same EL)
 *   aarch64:   esr 0x... (ec 0x25 iss 0x...) far 0x... elr 0x... spsr 0x...
 *   aarch64:   abort: translation fault, level 1, read
 *   aarch64:   x0  0x... x1  0x... x2  0x... x3  0x...
 *   ... x4-x30 and sp ...
 *   aarch64: backtrace 0x... 0x... ...
 *
 * (plus a line naming a stack overflow when FAR is in the guard page
 * below the boot stack), then arm64_exit(ARM64_EXIT_EXCEPTION). The backtrace
 * is ELR, then LR (x30, marked '?': the caller when the faulting function is a
 * leaf that kept no frame record, noise otherwise), then the frame records x29
 * points at ({previous x29, return address}, AAPCS64 §6.2.3; the image is
 * built with frame pointers), followed only while each lies inside the
 * boot stack and runs up it. `addr2line -f -i -e keel.elf ADDR...` names
 * the functions. An exception while reporting one exits at once.
 * Exception classes and fault status codes: Arm ARM D19 (ESR_EL1).
 */
#include <arch/arm64.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/fault.h>

#include "trap.h"

#define ESR_EC(esr)   (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr)  ((esr)&0x1ffffff)
#define EC_IABT_SAME  0x21
#define EC_DABT_LOWER 0x24
#define EC_DABT_SAME  0x25
#define EC_IABT_LOWER 0x20
#define ISS_WNR	      (1u << 6)

extern const char arm64_stack_guard[], arm64_stack_bottom[],
    arm64_stack_top[]; /* entry.S */

static const char *const trap_groups[4] = {
    "current EL with SP_EL0",
    "current EL with SP_ELx",
    "lower EL, AArch64",
    "lower EL, AArch32",
};
static const char *const trap_types[4] = {"synchronous", "irq", "fiq",
					  "serror"};

static const char *trap_class(uint64_t ec)
{
	switch (ec) {
	case 0x00:
		return "unknown reason (undefined instruction)";
	case 0x01:
		return "trapped wfi/wfe";
	case 0x07:
		return "fp/simd access trapped";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "svc";
	case 0x16:
		return "hvc";
	case 0x17:
		return "smc";
	case 0x18:
		return "trapped msr/mrs";
	case EC_IABT_LOWER:
		return "instruction abort (lower EL)";
	case EC_IABT_SAME:
		return "instruction abort (same EL)";
	case 0x22:
		return "pc alignment fault";
	case EC_DABT_LOWER:
		return "data abort (lower EL)";
	case EC_DABT_SAME:
		return "data abort (same EL)";
	case 0x26:
		return "sp alignment fault";
	case 0x2c:
		return "fp exception";
	case 0x2f:
		return "serror";
	case 0x30:
	case 0x31:
		return "breakpoint";
	case 0x32:
	case 0x33:
		return "software step";
	case 0x34:
	case 0x35:
		return "watchpoint";
	case 0x3c:
		return "brk instruction";
	default:
		return "other";
	}
}

/* The fault status code of an abort (DFSC/IFSC, ISS[5:0]). */
static const char *trap_fault_status(unsigned fsc)
{
	switch (fsc & 0x3c) {
	case 0x00:
		return "address size fault";
	case 0x04:
		return "translation fault";
	case 0x08:
		return "access flag fault";
	case 0x0c:
		return "permission fault";
	default:
		break;
	}
	if (fsc == 0x10)
		return "synchronous external abort";
	if (fsc == 0x21)
		return "alignment fault";
	return "other fault";
}

static const char *const trap_gpr_names[32] = {
    "x0",  "x1",  "x2",	 "x3",	"x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp",
};

static void trap_registers(const struct trap_frame *f)
{
	uint64_t gpr[32];

	for (int i = 0; i < 31; i++)
		gpr[i] = f->x[i];
	gpr[31] = f->sp;
	fault_registers(trap_gpr_names, gpr, 32);
}

static void trap_abort_detail(uint64_t esr)
{
	uint64_t ec = ESR_EC(esr);
	unsigned fsc = (unsigned)(esr & 0x3f);
	bool data = ec == EC_DABT_SAME || ec == EC_DABT_LOWER;

	if (!data && ec != EC_IABT_SAME && ec != EC_IABT_LOWER)
		return;
	if ((fsc & 0x30) == 0 && (fsc & 0x3c) <= 0x0c)
		fault_say("aarch64:   abort: %s, level %u, %s",
			  trap_fault_status(fsc), fsc & 3,
			  !data		  ? "instruction fetch"
			  : esr & ISS_WNR ? "write"
					  : "read");
	else
		fault_say("aarch64:   abort: %s (status 0x%x), %s",
			  trap_fault_status(fsc), fsc,
			  !data		  ? "instruction fetch"
			  : esr & ISS_WNR ? "write"
					  : "read");
}

/* x30 is the hint: the caller when the faulting function is a leaf. */
static void trap_backtrace(const struct trap_frame *f)
{
	const struct fault_stack stack = {
	    .bottom = (uint64_t)(uintptr_t)arm64_stack_bottom,
	    .top = (uint64_t)(uintptr_t)arm64_stack_top,
	    .align = 16,
	    .last_link_null = true,
	};

	fault_backtrace(&stack, f->elr, f->x[30], f->x[29]);
}

_Noreturn static void trap_exception(const struct trap_frame *f, uint64_t entry)
{
	uint64_t ec = ESR_EC(f->esr);

	if (!fault_begin())
		arm64_exit(ARM64_EXIT_EXCEPTION);
	fault_say("aarch64: exception: %s, %s: %s", trap_types[entry & 3],
		  trap_groups[(entry >> 2) & 3],
		  (entry & 3) == TRAP_SYNC ? trap_class(ec) : "asynchronous");
	fault_say("aarch64:   esr 0x%llx (ec 0x%llx iss 0x%llx) far "
		  "0x%016llx",
		  (unsigned long long)f->esr, (unsigned long long)ec,
		  (unsigned long long)ESR_ISS(f->esr),
		  (unsigned long long)f->far);
	fault_say("aarch64:   elr 0x%016llx spsr 0x%llx sctlr 0x%llx",
		  (unsigned long long)f->elr, (unsigned long long)f->spsr,
		  (unsigned long long)ARM64_READ(sctlr_el1));
	if ((entry & 3) == TRAP_SYNC)
		trap_abort_detail(f->esr);
	if ((ec == EC_DABT_SAME || ec == EC_DABT_LOWER) &&
	    f->far - (uint64_t)(uintptr_t)arm64_stack_guard < 4096)
		fault_say("aarch64: far is in the guard page below the boot "
			  "stack: a stack overflow");
	trap_registers(f);
	trap_backtrace(f);
	fault_stop(ARM64_EXIT_EXCEPTION);
	arm64_exit(ARM64_EXIT_EXCEPTION);
}

void arm64_trap(struct trap_frame *f, uint64_t entry)
{
	if (arm64_semihosting_trying)
		arm64_exit_fallback();
	if ((entry & 3) == TRAP_IRQ && entry < 8) {
		arm64_gic_interrupt();
		return;
	}
	trap_exception(f, entry);
}
