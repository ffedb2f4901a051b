/*
 * x86.h - the x86_64 machine layer (kernel/arch/x86_64/): what the
 * target's boot code (boot/x86_64/) and the drivers may call.
 *
 * One CPU, no SMP. The CPU runs with interrupts disabled (RFLAGS.IF = 0)
 * everywhere except inside x86_idle(), which executes `sti; hlt; cli`: an
 * interrupt can therefore only arrive while the CPU sleeps, and a handler
 * never interrupts kernel code. Handlers acknowledge the interrupt (EOI),
 * run a driver's callback if one is registered and return; the event loop
 * then notices whatever the interrupt announced by polling. Nothing a
 * handler touches needs a lock.
 *
 * Interrupt sources:
 *   - the local APIC timer, one-shot, programmed by x86_idle() for the
 *     loop's next deadline (vector X86_VEC_TIMER);
 *   - IOAPIC inputs (GSIs), routed by x86_irq_enable() to vector
 *     X86_VEC_GSI_BASE + gsi, masked until then; the 8259 PICs are
 *     remapped to vectors 0x20-0x2f and fully masked, so legacy IRQs
 *     arrive only through the IOAPIC;
 *   - message-signalled interrupts (PCI MSI/MSI-X), whose address and data
 *     x86_msi_alloc() hands out;
 *   - CPU exceptions (vectors 0-31): never expected; the handler prints the
 *     vector, error code, control and general registers and a frame-
 *     pointer backtrace on COM1 and ends the image with X86_EXIT_EXCEPTION.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* platform_exit() code after a CPU exception; QEMU exits (64 << 1) | 1. */
#define X86_EXIT_EXCEPTION 64

/* Vectors: 0-31 exceptions, 0x20-0x2f the (masked) PICs. */
#define X86_VEC_PIC_BASE  0x20
#define X86_VEC_GSI_BASE  0x30 /* GSI n -> 0x30 + n */
#define X86_GSI_MAX	  48   /* two IOAPICs of 24 inputs */
#define X86_VEC_MSI_BASE  0x80 /* vectors x86_msi_alloc() hands out */
#define X86_VEC_MSI_COUNT 32
#define X86_VEC_TIMER	  0xef
#define X86_VEC_SPURIOUS  0xff

/* ---- start-up, in this order (boot/x86_64/main.c) ------------------------ */

/* COM1 at 115200 8N1, polled; usable from the first line of C. */
void x86_serial_init(void);
void x86_serial_write(const char *s, size_t len);

/* GDT's TSS (with a separate stack for #DF, NMI, #MC) and the IDT. */
void x86_cpu_init(void);

/*
 * Mask the 8259 PICs, enable the local APIC and mask every IOAPIC input.
 * NET_OK, or NET_ENOTSUP when there is no local APIC (said on the console).
 */
int x86_apic_init(void);

/*
 * Measure the TSC against the PIT (or take CPUID leaf 0x15/0x16 when there
 * is no PIT), then the local APIC timer against the TSC, and log both.
 * NET_OK, or NET_ENOTSUP when no clock can be calibrated.
 */
int x86_clock_init(void);

/* ---- running ------------------------------------------------------------- */

/* Nanoseconds since x86_clock_init(); monotonic. */
uint64_t x86_now_ns(void);

/* The TSC's frequency in Hz, as calibrated. */
uint64_t x86_tsc_hz(void);

/*
 * Sleep until x86_now_ns() >= deadline_ns or any interrupt: arm the APIC
 * timer, `sti; hlt; cli`, disarm it. Returns at once for a past deadline.
 */
void x86_idle(uint64_t deadline_ns);

/* Counters for the stats dump: sleeps, and interrupts taken. */
struct x86_irq_stats {
	uint64_t idle_sleeps;
	uint64_t timer_irqs;
	uint64_t device_irqs;
	uint64_t spurious_irqs;
};
void x86_irq_get_stats(struct x86_irq_stats *out);

/*
 * Exit through QEMU's isa-debug-exit device (port 0xf4): QEMU ends with
 * status (code << 1) | 1. Without the device, the CPU stops with
 * interrupts off.
 */
_Noreturn void x86_exit(int code);

/* ---- interrupts for drivers ---------------------------------------------- */

/* How an IOAPIC input signals: ISA devices are edge/high, PCI INTx
 * level/low, microvm's virtio-mmio edge/high. */
enum x86_irq_mode {
	X86_IRQ_EDGE_HIGH,
	X86_IRQ_LEVEL_LOW,
	X86_IRQ_LEVEL_HIGH,
};

/*
 * Route IOAPIC input `gsi` to the CPU. `fn(arg)` (may be NULL) runs in the
 * handler with interrupts off, before the EOI, and must be short. A
 * level-triggered input is masked by its handler and unmasked by the next
 * x86_idle(), after the loop has polled: a device that keeps its line
 * asserted until the driver acknowledges it (virtio: reading the ISR
 * status) wakes the CPU once per turn of the loop, never in a storm.
 * NET_OK, NET_EINVAL for a GSI no IOAPIC has, NET_EADDRINUSE when the GSI
 * is taken.
 */
int x86_irq_enable(unsigned gsi, enum x86_irq_mode mode, void (*fn)(void *arg),
		   void *arg);

/* Mask `gsi` again and forget its callback. */
void x86_irq_disable(unsigned gsi);

/*
 * A vector for one MSI or MSI-X message: the address and data to program
 * into the device (edge, fixed delivery, to this CPU). fn as for
 * x86_irq_enable(). NET_OK or NET_ENOBUFS when all are taken.
 */
int x86_msi_alloc(void (*fn)(void *arg), void *arg, uint64_t *addr,
		  uint32_t *data);

/* ---- entropy ------------------------------------------------------------- */

/*
 * A driver's entropy source (virtio-rng): fills buf with len bytes and
 * returns NET_OK, or a negative NET_E* code. When set, x86_entropy() tries
 * it first and falls back to the CPU's RDSEED/RDRAND if it fails.
 */
extern int (*x86_entropy_source)(void *buf, size_t len);

/*
 * len bytes from x86_entropy_source, else RDSEED, else RDRAND: NET_OK,
 * NET_ENOTSUP when there is no source, NET_EIO when the sources failed.
 */
int x86_entropy(void *buf, size_t len);

/* Which CPU instructions x86_entropy() can use, for the boot log. */
const char *x86_entropy_describe(void);

/* ---- CPU features ---------------------------------------------------------
 */

/* CPUID leaf (and subleaf), or all zeros past the highest leaf. */
struct x86_cpuid {
	uint32_t eax, ebx, ecx, edx;
};
struct x86_cpuid x86_cpuid(uint32_t leaf, uint32_t subleaf);

/* The CPU's brand string, or its vendor when it has none. */
const char *x86_cpu_name(void);

#endif /* ARCH_X86_H */
