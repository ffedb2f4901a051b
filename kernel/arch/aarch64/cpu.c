/*
 * cpu.c - the CPU's name and the way out: semihosting, PSCI, or a stop.
 *
 * arm64_exit() first asks for semihosting SYS_EXIT_EXTENDED (operation
 * 0x20 in w0, x1 pointing at {ADP_Stopped_ApplicationExit 0x20026, code};
 * Arm's semihosting specification v3 §5.5), made with `hlt #0xf000` at
 * AArch64. QEMU with -semihosting then exits with `code`. Without it the
 * HLT is an undefined instruction: trap.c sees arm64_semihosting_trying
 * and calls arm64_exit_fallback(), which makes PSCI SYSTEM_OFF (function
 * 0x84000008, PSCI DEN0022 §5.1.9) through the conduit the devicetree's
 * /psci node names — HVC on virt without EL2/EL3 emulation, SMC with
 * them — and QEMU exits with status 0, so the code is lost. Without PSCI
 * the CPU waits for events with everything masked, forever.
 */
#include <arch/arm64.h>

#include <stdbool.h>
#include <stdint.h>

#include <klib/fmt.h>

#include "trap.h"

#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT  0x20026
#define PSCI_SYSTEM_OFF		      0x84000008u

volatile bool arm64_semihosting_trying;

static enum arm64_psci_conduit cpu_psci;
static char cpu_name_buf[48];

void arm64_set_psci(enum arm64_psci_conduit c)
{
	cpu_psci = c;
}

_Noreturn void arm64_exit_fallback(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	if (cpu_psci == ARM64_PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
	else if (cpu_psci == ARM64_PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0) : : "memory");
	for (;;)
		__asm__ volatile("wfe");
}

_Noreturn void arm64_exit(int code)
{
	uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint64_t)code};
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT_EXTENDED;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	arm64_semihosting_trying = true;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	arm64_exit_fallback();
}

/* MIDR_EL1 (Arm ARM D19.2): implementer [31:24], variant [23:20],
 * part [15:4], revision [3:0]. */
const char *arm64_cpu_name(void)
{
	static const struct {
		uint32_t part;
		const char *name;
	} parts[] = {
	    {0xd03, "Cortex-A53"},  {0xd04, "Cortex-A35"},
	    {0xd05, "Cortex-A55"},  {0xd07, "Cortex-A57"},
	    {0xd08, "Cortex-A72"},  {0xd09, "Cortex-A73"},
	    {0xd0b, "Cortex-A76"},  {0xd0c, "Neoverse-N1"},
	    {0xd40, "Neoverse-V1"}, {0xd49, "Neoverse-N2"},
	};
	uint64_t midr = ARM64_READ(midr_el1);
	uint32_t impl = (uint32_t)(midr >> 24) & 0xff;
	uint32_t part = (uint32_t)(midr >> 4) & 0xfff;
	const char *name = "unknown part";

	if (cpu_name_buf[0])
		return cpu_name_buf;
	for (size_t i = 0; impl == 0x41 && i < sizeof(parts) / sizeof(parts[0]);
	     i++) {
		if (parts[i].part == part)
			name = parts[i].name;
	}
	fmt_snprintf(
	    cpu_name_buf, sizeof(cpu_name_buf), "%s r%up%u, midr 0x%08x", name,
	    (unsigned)(midr >> 20) & 0xf, (unsigned)midr & 0xf, (unsigned)midr);
	return cpu_name_buf;
}
