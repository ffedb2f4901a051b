/*
 * cpu.c - the CPU's own tables: the TSS (with an interrupt stack for the
 * exceptions that must work on a broken stack) and the IDT; CPUID.
 *
 * The GDT itself is static in boot/x86_64/entry.S (null, 64-bit code 0x08,
 * data 0x10, a 16-byte TSS descriptor at 0x18 that x86_cpu_init() fills).
 * Every one of the 256 vectors gets an interrupt gate (IF cleared on
 * entry) to its stub in trap.S; #DF, NMI and #MC run on IST1, so a stack
 * overflow still produces a report. Layouts: Intel SDM Vol. 3A §7.7 (TSS)
 * and §6.14.1 (64-bit IDT gate descriptors).
 */
#include <arch/x86.h>

#include <stdint.h>
#include <string.h>

#include <arch/x86_io.h>

#include "trap.h"

#define SEG_CODE64     0x08
#define SEG_TSS	       0x18
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define TSS_AVAILABLE  0x89 /* present, DPL 0, 64-bit TSS (available) */
#define IST_STACK_SIZE 16384
#define IST_FAULT      1

/* SDM Vol. 3A Figure 7-11. */
struct cpu_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct cpu_tss) == 104, "64-bit TSS is 104 bytes");

struct cpu_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct cpu_gate) == 16, "64-bit gate is 16 bytes");

struct cpu_table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern uint64_t x86_gdt[5]; /* entry.S */

static struct cpu_tss cpu_tss;
static struct cpu_gate cpu_idt[256] __attribute__((aligned(16)));
static uint8_t cpu_ist_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
static char cpu_name_buf[49];

static void cpu_set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&cpu_tss;
	uint64_t limit = sizeof(cpu_tss) - 1;

	/* SDM Vol. 3A Figure 7-4: a 16-byte system-segment descriptor. */
	x86_gdt[SEG_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
			       (uint64_t)TSS_AVAILABLE << 40 |
			       (limit >> 16 & 0xf) << 48 |
			       (base >> 24 & 0xff) << 56;
	x86_gdt[SEG_TSS / 8 + 1] = base >> 32;
}

static void cpu_set_gate(unsigned vec, uintptr_t handler, uint8_t ist)
{
	struct cpu_gate *g = &cpu_idt[vec];

	g->offset_lo = (uint16_t)handler;
	g->selector = SEG_CODE64;
	g->ist = ist;
	g->type = GATE_INTERRUPT;
	g->offset_mid = (uint16_t)(handler >> 16);
	g->offset_hi = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

void x86_cpu_init(void)
{
	struct cpu_table_ptr idtr;

	memset(&cpu_tss, 0, sizeof(cpu_tss));
	cpu_tss.ist[IST_FAULT - 1] =
	    (uint64_t)(uintptr_t)(cpu_ist_stack + sizeof(cpu_ist_stack));
	cpu_tss.iomap_base = sizeof(cpu_tss); /* no I/O permission map */
	cpu_set_tss_descriptor();
	__asm__ volatile("ltr %w0" : : "r"(SEG_TSS) : "memory");

	for (unsigned vec = 0; vec < 256; vec++) {
		bool on_ist =
		    vec == TRAP_DF || vec == TRAP_NMI || vec == TRAP_MC;

		cpu_set_gate(vec,
			     (uintptr_t)x86_trap_stubs + vec * TRAP_STUB_SIZE,
			     on_ist ? IST_FAULT : 0);
	}
	idtr.limit = sizeof(cpu_idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)cpu_idt;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

struct x86_cpuid x86_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct x86_cpuid r = {0, 0, 0, 0};
	uint32_t max;

	/* Leaves past the highest one answer with another leaf's data. */
	__asm__ volatile("cpuid"
			 : "=a"(max), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf & 0x80000000u), "c"(0));
	if (leaf > max)
		return (struct x86_cpuid){0, 0, 0, 0};
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static void cpu_put_regs(char *dst, const uint32_t *regs, int n)
{
	for (int i = 0; i < n; i++)
		memcpy(dst + 4 * i, &regs[i], 4);
}

const char *x86_cpu_name(void)
{
	struct x86_cpuid r;
	size_t start = 0;

	if (cpu_name_buf[0])
		return cpu_name_buf;
	if (x86_cpuid(0x80000004u, 0).eax || x86_cpuid(0x80000004u, 0).ebx) {
		for (uint32_t i = 0; i < 3; i++) {
			r = x86_cpuid(0x80000002u + i, 0);
			cpu_put_regs(cpu_name_buf + 16 * i,
				     (uint32_t[]){r.eax, r.ebx, r.ecx, r.edx},
				     4);
		}
	} else {
		r = x86_cpuid(0, 0);
		cpu_put_regs(cpu_name_buf, (uint32_t[]){r.ebx, r.edx, r.ecx},
			     3);
	}
	cpu_name_buf[48] = '\0';
	while (cpu_name_buf[start] == ' ')
		start++;
	return cpu_name_buf + start;
}

/* QEMU's isa-debug-exit, as build.py and the tests start QEMU. */
#define DEBUG_EXIT_PORT 0xf4

_Noreturn void x86_exit(int code)
{
	x86_outl(DEBUG_EXIT_PORT, (uint32_t)code);
	for (;;)
		__asm__ volatile("cli; hlt");
}
