/*
 * arm64.h - the aarch64 machine layer (kernel/arch/aarch64/): what the
 * target's boot code (boot/aarch64/) and the drivers may call. QEMU's
 * virt machine (hw/arm/virt.c's memory map) with a Cortex-A53 or "max" CPU.
 *
 * One CPU, EL1, no SMP. IRQs stay masked (PSTATE.I) everywhere except for
 * a moment inside arm64_idle(): WFI wakes on a pending interrupt even
 * while it is masked, and the idle then unmasks, lets the handler run
 * and masks again. A handler therefore never interrupts kernel code, and
 * nothing it touches needs a lock.
 *
 * Interrupts: the GICv2 of virt (distributor 0x08000000, CPU interface
 * 0x08010000; gic-version=3 is not supported). The EL1 virtual timer
 * (PPI 11, INTID 27) is programmed by arm64_idle() for the loop's next
 * deadline; devices' SPIs are enabled by arm64_irq_enable(). CPU exceptions
 * (synchronous aborts, undefined instructions, SError, ...) are never expected:
 * the report names the exception class and gives ESR, ELR, FAR, SPSR, every
 * general register and a frame-pointer backtrace on the PL011, then the image
 * ends with ARM64_EXIT_EXCEPTION.
 */
#ifndef ARCH_ARM64_H
#define ARCH_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* platform_exit() code after a CPU exception. */
#define ARM64_EXIT_EXCEPTION 64

/* QEMU virt's fixed addresses (the devicetree says the same). */
#define ARM64_UART_BASE		 0x09000000u
#define ARM64_GICD_BASE		 0x08000000u
#define ARM64_GICC_BASE		 0x08010000u
#define ARM64_VIRTIO_MMIO_BASE	 0x0a000000u
#define ARM64_VIRTIO_MMIO_COUNT	 32
#define ARM64_VIRTIO_MMIO_STRIDE 0x200
#define ARM64_DTB_DEFAULT	 0x40000000u

/* System registers by name: ARM64_READ(cntvct_el0). */
#define ARM64_READ(reg)                                                        \
	({                                                                     \
		uint64_t arm64_v_;                                             \
		__asm__ volatile("mrs %0, " #reg : "=r"(arm64_v_));            \
		arm64_v_;                                                      \
	})
#define ARM64_WRITE(reg, v)                                                    \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

/* ---- start-up, in this order (boot/aarch64/main.c) ----------------------- */

/* The PL011, polled; usable from the first line of C. */
void arm64_uart_init(void);
void arm64_uart_write(const char *s, size_t len);

/* What the devicetree says, as far as the kernel reads it (fdt.c). */
enum arm64_psci_conduit {
	ARM64_PSCI_NONE,
	ARM64_PSCI_HVC,
	ARM64_PSCI_SMC,
};

struct arm64_fdt {
	uint32_t totalsize;
	uint64_t mem_base; /* the first /memory reg range; size 0: none */
	uint64_t mem_size;
	const char *bootargs; /* inside the blob, NUL-terminated; NULL */
	size_t bootargs_len;
	enum arm64_psci_conduit psci;
	bool has_rng_seed; /* /chosen/rng-seed present (not used) */
};

/*
 * Check the flattened devicetree at addr (the devicetree specification
 * v0.4 §5: header, structure block, strings block) and read /memory's
 * reg, /chosen's bootargs and /psci's method. NET_OK, or NET_EBADMSG after
 * saying on the console what is wrong.
 */
int arm64_fdt_parse(uintptr_t addr, uint64_t limit, struct arm64_fdt *out);

/* The GICv2 distributor and CPU interface; the virtual timer's PPI. */
int arm64_gic_init(void);

/* The generic timer: CNTFRQ_EL0 read and checked, the origin taken. */
int arm64_timer_init(void);

/* How PSCI calls are made (from the devicetree); NONE: not at all. */
void arm64_set_psci(enum arm64_psci_conduit c);

/* ---- running ------------------------------------------------------------- */

/* Nanoseconds since arm64_timer_init(), from CNTVCT_EL0; monotonic. */
uint64_t arm64_now_ns(void);

/* CNTFRQ_EL0, in Hz. */
uint64_t arm64_timer_hz(void);

/*
 * Sleep until arm64_now_ns() >= deadline_ns or any interrupt: arm the
 * virtual timer, WFI, disarm it. Returns at once for a past deadline.
 */
void arm64_idle(uint64_t deadline_ns);

struct arm64_irq_stats {
	uint64_t idle_sleeps;
	uint64_t timer_irqs;
	uint64_t device_irqs; /* SPIs with a handler */
	uint64_t other_irqs;
	uint64_t spurious_irqs;
};
void arm64_irq_get_stats(struct arm64_irq_stats *out);

/* Called by vectors.S for an IRQ (gic.c). */
void arm64_gic_interrupt(void);

/* ---- interrupts for drivers ---------------------------------------------- */

/* Shared peripheral interrupts: INTID 32 on; virt's virtio-mmio window i
 * is SPI 16 + i, INTID ARM64_VIRTIO_MMIO_INTID + i. */
#define ARM64_SPI_BASE		32u
#define ARM64_SPI_MAX		96u
#define ARM64_VIRTIO_MMIO_INTID 48u

/*
 * Route SPI `intid` to this CPU, level-sensitive. `fn(arg)` runs in the
 * handler (inside arm64_idle(), IRQs masked again) before the end of
 * interrupt and must take the device's line down (virtio: acknowledge
 * its interrupt status), or the CPU wakes again at once. NET_OK,
 * NET_EINVAL for an INTID that is no SPI the GIC has, NET_EADDRINUSE
 * when it is taken.
 */
int arm64_irq_enable(unsigned intid, void (*fn)(void *arg), void *arg);

/*
 * End the image: semihosting SYS_EXIT_EXTENDED (QEMU with -semihosting
 * exits with `code`), else PSCI SYSTEM_OFF (QEMU exits with status 0),
 * else the CPU stops with interrupts masked.
 */
_Noreturn void arm64_exit(int code);

/* ---- entropy ------------------------------------------------------------- */

/* A driver's source (virtio-rng), tried first when set. */
extern int (*arm64_entropy_source)(void *buf, size_t len);

/*
 * len bytes from arm64_entropy_source, else RNDR (FEAT_RNG): NET_OK,
 * NET_ENOTSUP when there is neither, NET_EIO when they failed.
 */
int arm64_entropy(void *buf, size_t len);

/* Whether the CPU has RNDR (ID_AA64ISAR0_EL1.RNDR). */
bool arm64_has_rndr(void);

/* ---- the CPU ------------------------------------------------------------- */

/* "Cortex-A53 r0p4" and the like, from MIDR_EL1. */
const char *arm64_cpu_name(void);

#endif /* ARCH_ARM64_H */
