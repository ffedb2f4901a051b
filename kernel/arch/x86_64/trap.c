/*
 * trap.c - what happens on each vector: interrupts go to apic.c, CPU
 * exceptions end the image with a report on the console.
 *
 * The report is written straight to COM1 through its own line buffer (not
 * the kernel log, whose buffer the faulting code may have been using):
 *
 *   x86: exception 14 #PF page fault, error 0x0000000000000000
 *   x86:   rip 0x... cs 0x8 rflags 0x... rsp 0x... ss 0x10
 *   x86:   cr0 0x... cr2 0x... cr3 0x... cr4 0x...
 *   x86:   rax 0x... rbx 0x... rcx 0x... rdx 0x...
 *   ... every general register ...
 *   x86: backtrace 0x... 0x... ...
 *
 * then x86_exit(X86_EXIT_EXCEPTION). The backtrace follows the saved frame
 pointers (the image is built with -fno-omit-frame-pointer) from the
 * faulting RIP, and only while each frame lies inside the boot stack, so a
 * corrupt chain ends the walk instead of faulting again. An address marked
 * '?' is the code address on top of the stack, which is the caller when
 * the faulting function is a leaf without a frame of its own (and noise
 * otherwise). `addr2line -f -i -e keel.elf ADDR...` names the functions.
 * An exception while reporting one exits at once.
 */
#include <arch/x86.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <arch/x86_io.h>
#include <klib/fmt.h>

#include "trap.h"

#define TRAP_BACKTRACE_MAX 16

extern const char x86_stack_guard[], x86_stack_bottom[],
    x86_stack_top[];				/* entry.S */
extern const char __text_start[], __text_end[]; /* linker.ld */

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

static bool trap_reporting;

static void trap_say(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void trap_say(const char *fmt, ...)
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
	x86_serial_write(line, (size_t)n);
}

static void trap_registers(const struct trap_frame *f)
{
	trap_say("x86:   rip 0x%016llx cs 0x%llx rflags 0x%llx rsp 0x%016llx "
		 "ss 0x%llx",
		 (unsigned long long)f->rip, (unsigned long long)f->cs,
		 (unsigned long long)f->rflags, (unsigned long long)f->rsp,
		 (unsigned long long)f->ss);
	trap_say("x86:   cr0 0x%llx cr2 0x%016llx cr3 0x%llx cr4 0x%llx",
		 (unsigned long long)x86_read_cr0(),
		 (unsigned long long)x86_read_cr2(),
		 (unsigned long long)x86_read_cr3(),
		 (unsigned long long)x86_read_cr4());
	trap_say("x86:   rax 0x%016llx rbx 0x%016llx rcx 0x%016llx "
		 "rdx 0x%016llx",
		 (unsigned long long)f->rax, (unsigned long long)f->rbx,
		 (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	trap_say("x86:   rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx "
		 "r8  0x%016llx",
		 (unsigned long long)f->rsi, (unsigned long long)f->rdi,
		 (unsigned long long)f->rbp, (unsigned long long)f->r8);
	trap_say("x86:   r9  0x%016llx r10 0x%016llx r11 0x%016llx "
		 "r12 0x%016llx",
		 (unsigned long long)f->r9, (unsigned long long)f->r10,
		 (unsigned long long)f->r11, (unsigned long long)f->r12);
	trap_say("x86:   r13 0x%016llx r14 0x%016llx r15 0x%016llx",
		 (unsigned long long)f->r13, (unsigned long long)f->r14,
		 (unsigned long long)f->r15);
}

/* Whether a saved frame (rbp, return address) at p can be read. */
static bool trap_frame_ok(uint64_t p)
{
	return p % 8 == 0 && p >= (uint64_t)(uintptr_t)x86_stack_bottom &&
	       p + 16 <= (uint64_t)(uintptr_t)x86_stack_top;
}

static bool trap_is_text(uint64_t addr)
{
	return addr >= (uint64_t)(uintptr_t)__text_start &&
	       addr < (uint64_t)(uintptr_t)__text_end;
}

static void trap_backtrace(const struct trap_frame *f)
{
	char line[TRAP_BACKTRACE_MAX * 20 + 48];
	uint64_t rbp = f->rbp;
	int len = fmt_snprintf(line, sizeof(line), "x86: backtrace 0x%llx",
			       (unsigned long long)f->rip);

	/* gcc gives leaf functions no frame even with -fno-omit-frame-
	 * pointer: a code address on top of the stack may be their caller. */
	if (trap_frame_ok(f->rsp) &&
	    trap_is_text(*(const uint64_t *)(uintptr_t)f->rsp))
		len += fmt_snprintf(
		    line + len, sizeof(line) - (size_t)len, " ?0x%llx",
		    (unsigned long long)*(const uint64_t *)(uintptr_t)f->rsp);

	for (int i = 0; i < TRAP_BACKTRACE_MAX && trap_frame_ok(rbp); i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t ret = frame[1];

		if (ret == 0 || frame[0] <= rbp)
			break; /* the chain must run up the stack */
		len += fmt_snprintf(line + len, sizeof(line) - (size_t)len,
				    " 0x%llx", (unsigned long long)ret);
		rbp = frame[0];
	}
	trap_say("%s", line);
}

_Noreturn static void trap_exception(const struct trap_frame *f)
{
	if (trap_reporting)
		x86_exit(X86_EXIT_EXCEPTION);
	trap_reporting = true;
	trap_say("x86: exception %llu %s, error 0x%llx",
		 (unsigned long long)f->vector, trap_names[f->vector],
		 (unsigned long long)f->error);
	trap_registers(f);
	if (f->vector == TRAP_PF)
		trap_say("x86:   page fault: %s, %s%s",
			 f->error & 1 ? "protection violation" : "not present",
			 f->error & 2 ? "write" : "read",
			 f->error & 16 ? ", instruction fetch" : "");
	if ((f->vector == TRAP_PF || f->vector == TRAP_DF) &&
	    x86_read_cr2() - (uint64_t)(uintptr_t)x86_stack_guard < 4096)
		trap_say("x86: cr2 is in the guard page below the boot stack: "
			 "a stack overflow");
	trap_backtrace(f);
	trap_say("x86: stopping (exit %d)", X86_EXIT_EXCEPTION);
	x86_exit(X86_EXIT_EXCEPTION);
}

void x86_trap(struct trap_frame *f)
{
	if (f->vector < TRAP_EXCEPTIONS)
		trap_exception(f);
	apic_interrupt((unsigned)f->vector);
}
