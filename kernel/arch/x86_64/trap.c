/*
 * trap.c - what happens on each vector: interrupts go to apic.c, CPU
 * exceptions end the image with a report on the console.
 *
 * The report is written straight to COM1 (kernel/arch/common/fault.c's
 * lines, not the kernel log, whose buffer the faulting code may have been
 * using):
 *
 *   x86: exception 14 #PF page fault, error 0x0000000000000000
 *   x86:   rip 0x... cs 0x8 rflags 0x... rsp 0x... ss 0x10
 *   x86:   cr0 0x... cr2 0x... cr3 0x... cr4 0x...
 *   x86:   rax 0x... rbx 0x... rcx 0x... rdx 0x...
 *   ... every general register ...
 *   x86: backtrace 0x... 0x... ...
 *
 * then x86_exit(X86_EXIT_EXCEPTION). The backtrace follows the saved frame
 * pointers (the image is built with -fno-omit-frame-pointer) from the
 * faulting RIP, and only while each frame lies inside the boot stack, so a
 * corrupt chain ends the walk instead of faulting again. An address marked
 * '?' is the code address on top of the stack, which is the caller when
 * the faulting function is a leaf without a frame of its own (and noise
 * otherwise). `addr2line -f -i -e keel.elf ADDR...` names the functions.
 * An exception while reporting one exits at once.
 */
#include <arch/x86.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/fault.h>
#include <arch/x86_io.h>

#include "trap.h"

extern const char x86_stack_guard[], x86_stack_bottom[],
    x86_stack_top[]; /* entry.S */

static const char *const trap_names[TRAP_EXCEPTIONS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD exception",
    "#VE virtualization exception",
    "#CP control protection",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "reserved",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security exception",
    "reserved",
};

static const char *const trap_gpr_names[] = {
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
    "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

static void trap_registers(const struct trap_frame *f)
{
	const uint64_t gpr[] = {
	    f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->r8,
	    f->r9,  f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
	};

	_Static_assert(sizeof(gpr) / sizeof(gpr[0]) ==
			   sizeof(trap_gpr_names) / sizeof(trap_gpr_names[0]),
		       "a name for every register");
	fault_say("x86:   rip 0x%016llx cs 0x%llx rflags 0x%llx rsp 0x%016llx "
		  "ss 0x%llx",
		  (unsigned long long)f->rip, (unsigned long long)f->cs,
		  (unsigned long long)f->rflags, (unsigned long long)f->rsp,
		  (unsigned long long)f->ss);
	fault_say("x86:   cr0 0x%llx cr2 0x%016llx cr3 0x%llx cr4 0x%llx",
		  (unsigned long long)x86_read_cr0(),
		  (unsigned long long)x86_read_cr2(),
		  (unsigned long long)x86_read_cr3(),
		  (unsigned long long)x86_read_cr4());
	fault_registers(trap_gpr_names, gpr, sizeof(gpr) / sizeof(gpr[0]));
}

/*
 * gcc gives leaf functions no frame even with -fno-omit-frame-pointer: a
 * code address on top of the stack may be their caller.
 */
static void trap_backtrace(const struct trap_frame *f)
{
	const struct fault_stack stack = {
	    .bottom = (uint64_t)(uintptr_t)x86_stack_bottom,
	    .top = (uint64_t)(uintptr_t)x86_stack_top,
	    .align = 8,
	    .last_link_null = false,
	};
	uint64_t hint = 0;

	if (fault_stack_holds(&stack, f->rsp))
		hint = *(const uint64_t *)(uintptr_t)f->rsp;
	fault_backtrace(&stack, f->rip, hint, f->rbp);
}

_Noreturn static void trap_exception(const struct trap_frame *f)
{
	if (!fault_begin())
		x86_exit(X86_EXIT_EXCEPTION);
	fault_say("x86: exception %llu %s, error 0x%llx",
		  (unsigned long long)f->vector, trap_names[f->vector],
		  (unsigned long long)f->error);
	trap_registers(f);
	if (f->vector == TRAP_PF)
		fault_say("x86:   page fault: %s, %s%s",
			  f->error & 1 ? "protection violation" : "not present",
			  f->error & 2 ? "write" : "read",
			  f->error & 16 ? ", instruction fetch" : "");
	if ((f->vector == TRAP_PF || f->vector == TRAP_DF) &&
	    x86_read_cr2() - (uint64_t)(uintptr_t)x86_stack_guard < 4096)
		fault_say("x86: cr2 is in the guard page below the boot stack: "
			  "a stack overflow");
	trap_backtrace(f);
	fault_stop(X86_EXIT_EXCEPTION);
	x86_exit(X86_EXIT_EXCEPTION);
}

void x86_trap(struct trap_frame *f)
{
	if (f->vector < TRAP_EXCEPTIONS)
		trap_exception(f);
	apic_interrupt((unsigned)f->vector);
}
