/*
 * fault.c - the exception report's shared lines (include/arch/fault.h):
 * formatted into a buffer on the stack and written with
 * arch_console_write(), so nothing the faulting code was using (the log,
 * its buffer) is touched.
 */
#include <arch/fault.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <arch/arch.h>
#include <klib/fmt.h>

#define FAULT_LINE_MAX	    (FAULT_BACKTRACE_MAX * 20 + 64)
#define FAULT_REGS_PER_LINE 4

extern const char __text_start[], __text_end[]; /* linker.ld */

static bool fault_reporting;

bool fault_begin(void)
{
	if (fault_reporting)
		return false;
	fault_reporting = true;
	return true;
}

void fault_say(const char *fmt, ...)
{
	char line[FAULT_LINE_MAX];
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
	arch_console_write(line, (size_t)n);
}

void fault_registers(const char *const names[], const uint64_t values[],
		     size_t count)
{
	for (size_t i = 0; i < count; i += FAULT_REGS_PER_LINE) {
		char line[160];
		int len = fmt_snprintf(line, sizeof(line), "%s:  ", arch_name);

		for (size_t j = i; j < i + FAULT_REGS_PER_LINE && j < count;
		     j++)
			len +=
			    fmt_snprintf(line + len, sizeof(line) - (size_t)len,
					 " %-3s 0x%016llx", names[j],
					 (unsigned long long)values[j]);
		fault_say("%s", line);
	}
}

bool fault_stack_holds(const struct fault_stack *s, uint64_t p)
{
	return p % s->align == 0 && p >= s->bottom && p + 16 <= s->top;
}

bool fault_is_text(uint64_t addr)
{
	return addr >= (uint64_t)(uintptr_t)__text_start &&
	       addr < (uint64_t)(uintptr_t)__text_end;
}

/* Whether the record at fp, linking to next, ends the walk before it. */
static bool fault_chain_ends(const struct fault_stack *s, uint64_t fp,
			     uint64_t next)
{
	if (next == 0 && s->last_link_null)
		return false;
	return next <= fp; /* the chain must run up the stack */
}

void fault_backtrace(const struct fault_stack *s, uint64_t pc, uint64_t hint,
		     uint64_t fp)
{
	char line[FAULT_BACKTRACE_MAX * 20 + 48];
	int len = fmt_snprintf(line, sizeof(line), "%s: backtrace 0x%llx",
			       arch_name, (unsigned long long)pc);

	if (fault_is_text(hint))
		len += fmt_snprintf(line + len, sizeof(line) - (size_t)len,
				    " ?0x%llx", (unsigned long long)hint);
	for (int i = 0; i < FAULT_BACKTRACE_MAX && fault_stack_holds(s, fp);
	     i++) {
		const uint64_t *rec = (const uint64_t *)(uintptr_t)fp;
		uint64_t ret = rec[1];

		if (ret == 0 || fault_chain_ends(s, fp, rec[0]))
			break;
		len += fmt_snprintf(line + len, sizeof(line) - (size_t)len,
				    " 0x%llx", (unsigned long long)ret);
		fp = rec[0];
	}
	fault_say("%s", line);
}

void fault_stop(int code)
{
	fault_say("%s: stopping (exit %d)", arch_name, code);
}
