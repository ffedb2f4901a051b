/*
 * trap.h - the register frame vectors.S builds for every exception, and
 * what trap.c is told. Internal to kernel/arch/aarch64.
 */
#ifndef ARCH_AARCH64_TRAP_H
#define ARCH_AARCH64_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Which of the 16 vector entries was taken (Arm ARM D1.10.2): the
 * group (current EL with SP_EL0, with SP_ELx, lower EL AArch64, lower EL
 * AArch32) times 4, plus the type. */
#define TRAP_SYNC   0
#define TRAP_IRQ    1
#define TRAP_FIQ    2
#define TRAP_SERROR 3

/* What vectors.S saves, lowest address first: 36 doublewords. */
struct trap_frame {
	uint64_t x[31]; /* x0-x30 */
	uint64_t sp;	/* at the exception */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};
_Static_assert(sizeof(struct trap_frame) == 36 * 8, "vectors.S frame");

/* Called by vectors.S with the frame and the entry's number (0-15). */
void arm64_trap(struct trap_frame *f, uint64_t entry);

/*
 * cpu.c: true while arm64_exit() tries semihosting. Without -semihosting
 * QEMU makes its HLT an undefined instruction; trap.c then finishes the
 * exit with arm64_exit_fallback() instead of reporting it.
 */
extern volatile bool arm64_semihosting_trying;
_Noreturn void arm64_exit_fallback(void);

#endif /* ARCH_AARCH64_TRAP_H */
