/*
 * trap.h - the register frame trap.S builds for every vector, and what
 * trap.c and apic.c share. Internal to kernel/arch/x86_64.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdint.h>

/* Exception vectors (Intel SDM Vol. 3A §6.3.1, Table 6-1). */
#define TRAP_DE		0
#define TRAP_NMI	2
#define TRAP_UD		6
#define TRAP_DF		8
#define TRAP_GP		13
#define TRAP_PF		14
#define TRAP_MC		18
#define TRAP_EXCEPTIONS 32

/* Each stub in trap.S is this many bytes apart. */
#define TRAP_STUB_SIZE 16

/*
 * What the stub and x86_trap_common push, lowest address first: the
 * general registers, the vector, the error code (0 when the CPU pushes
 * none), then the CPU's own interrupt frame.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8,
	       "trap.S pushes 22 quadwords");

/* The 256 stubs, TRAP_STUB_SIZE bytes apart (trap.S). */
extern const char x86_trap_stubs[];

/* Called by trap.S for every vector, interrupts off. */
void x86_trap(struct trap_frame *f);

/* apic.c: an interrupt (vector >= 32) arrived. */
void apic_interrupt(unsigned vector);

#endif /* ARCH_X86_64_TRAP_H */
