/*
 * arch.h - what each kernel target's machine layer (kernel/arch/<arch>/)
 * gives the shared pieces in kernel/arch/common/: its name and a console
 * that works without the kernel's log. A new arch defines these two and
 * links the common sources (build.py's TARGETS).
 */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stddef.h>

/*
 * The arch's name as the first word of its console lines ("x86",
 * "aarch64"): "x86: stop_ms=100 reached".
 */
extern const char arch_name[];

/*
 * Write len bytes to the console straight away, polled, without the
 * kernel's log (the exception report uses it: the faulting code may have
 * been in the middle of logging).
 */
void arch_console_write(const char *s, size_t len);

#endif /* ARCH_ARCH_H */
