/*
 * fault.h - the shared half of a kernel target's exception report: lines
 * written straight to the console (arch_console_write(), never the log),
 * the table of general registers and the frame-pointer backtrace. The
 * arch's trap.c decides what to say (the exception's name and cause, its
 * control registers); these format it the same way on every arch:
 *
 *   x86:   rax 0x0000000000000000 rbx 0x... rcx 0x... rdx 0x...
 *   aarch64:   x0  0x0000000000000000 x1  0x... x2  0x... x3  0x...
 *   x86: backtrace 0x10a2b3 ?0x10a1c0 0x1093f4 0x100120
 *   x86: stopping (exit 64)
 *
 * The backtrace is the faulting PC, then a hint marked '?' (a code address
 * that may be the caller of a leaf function without a frame record: noise
 * otherwise), then the return addresses of the frame records the frame
 * pointer chains, each record {previous frame pointer, return address}.
 * The walk reads a record only inside the boot stack and only while the
 * chain runs up it, so a corrupt chain ends the walk instead of faulting
 * again. `addr2line -f -i -e keel.elf ADDR...` names the functions.
 */
#ifndef ARCH_FAULT_H
#define ARCH_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most addresses after the PC and the hint in a backtrace. */
#define FAULT_BACKTRACE_MAX 16

/* Where frame records may be, and how the chain ends. */
struct fault_stack {
	uint64_t bottom; /* the boot stack, [bottom, top) */
	uint64_t top;
	uint64_t align; /* of a frame record */
	/*
	 * The outermost record's link is 0: true, its return address is
	 * still shown (aarch64's entry.S calls with x29 = 0); false, a
	 * link that does not run up the stack, 0 included, ends the walk
	 * before its record (x86_64's entry.S starts with rbp = 0).
	 */
	bool last_link_null;
};

/*
 * True the first time it is called: the report may begin. An exception
 * while reporting one gets false, and the arch exits at once.
 */
bool fault_begin(void);

/* One console line (a newline is added), cut at 382 characters. */
void fault_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The registers as "NAME 0x%016llx", four to a line after "arch_name:  ",
 * names left-aligned in three columns.
 */
void fault_registers(const char *const names[], const uint64_t values[],
		     size_t count);

/* Whether a frame record (two 64-bit words) at p lies in the stack. */
bool fault_stack_holds(const struct fault_stack *s, uint64_t p);

/* Whether addr is in the image's text (linker.ld's __text_start/_end). */
bool fault_is_text(uint64_t addr);

/*
 * The "backtrace" line: pc, then hint marked '?' when it is in the
 * image's text, then the return addresses from the record at fp.
 */
void fault_backtrace(const struct fault_stack *s, uint64_t pc, uint64_t hint,
		     uint64_t fp);

/* The last line, "arch_name: stopping (exit code)"; the arch then exits. */
void fault_stop(int code);

#endif /* ARCH_FAULT_H */
