/*
 * apic.c - interrupt controllers and the sleep: the 8259 PICs (masked),
 * the local APIC and its one-shot timer, the IOAPICs, MSI vectors, and
 * x86_idle(). The interrupt model is in <arch/x86.h>.
 *
 * Local APIC: xAPIC mode, registers in MMIO at the base IA32_APIC_BASE
 * names (0xfee00000 on every QEMU machine), which entry.S maps uncached.
 * Intel SDM Vol. 3A chapter 11 (§11.4 base and enable, §11.5.4 the timer,
 * §11.8.5 EOI, §11.9 the spurious vector).
 *
 * IOAPICs: the 82093AA register interface (IOREGSEL at +0, IOWIN at
 * +0x10; version register 1; redirection entries from register 0x10).
 * Without ACPI tables the addresses are the fixed ones QEMU uses: one at
 * 0xfec00000 for GSIs 0-23 (pc, q35, microvm) and, on microvm with
 * ioapic2, a second at 0xfec10000 for GSIs 24-47. Each is probed through
 * its version register before use.
 */
#include <arch/x86.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/x86_io.h>
#include <kernel/log.h>
#include <net/net.h>

#include "apic.h"
#include "trap.h"

/* Local APIC registers (SDM Vol. 3A Table 11-1), offsets from the base. */
#define LAPIC_ID	 0x020
#define LAPIC_TPR	 0x080
#define LAPIC_EOI	 0x0b0
#define LAPIC_SVR	 0x0f0
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_LVT_LINT0	 0x350
#define LAPIC_LVT_LINT1	 0x360
#define LAPIC_LVT_ERROR	 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0
#define LAPIC_SVR_ENABLE 0x100
#define LAPIC_LVT_MASKED 0x10000
#define LAPIC_LVT_NMI	 0x400
#define LAPIC_DIV_16	 0x3
#define MSR_APIC_BASE	 0x1b
#define APIC_BASE_ENABLE 0x800
#define CPUID1_EDX_APIC	 (1u << 9)

/* 8259 PICs. */
#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

/* IOAPIC. */
#define IOAPIC_COUNT	    2
#define IOAPIC_REGSEL	    0x00
#define IOAPIC_WIN	    0x10
#define IOAPIC_REG_VER	    0x01
#define IOAPIC_REDIR	    0x10
#define IOAPIC_LOW_POLARITY 0x2000
#define IOAPIC_LEVEL	    0x8000
#define IOAPIC_MASKED	    0x10000

#define MSI_ADDRESS 0xfee00000u

struct apic_ioapic {
	uintptr_t base;
	unsigned gsi_base;
	unsigned pins; /* 0: not present */
};

struct apic_handler {
	void (*fn)(void *arg);
	void *arg;
	bool used;
	bool level;
	bool active_low;
};

static uintptr_t apic_lapic;
static uint32_t apic_id;
static uint64_t apic_timer_rate;
static struct apic_ioapic apic_ioapics[IOAPIC_COUNT] = {
    {0xfec00000u, 0, 0},
    {0xfec10000u, 24, 0},
};
static struct apic_handler apic_gsi[X86_GSI_MAX];
static struct apic_handler apic_msi[X86_VEC_MSI_COUNT];
/* Level GSIs masked by their handler, unmasked by the next x86_idle(). */
static uint64_t apic_masked_level;
static struct x86_irq_stats apic_stats;

/* ---- local APIC --------------------------------------------------------- */

static uint32_t apic_read(uint32_t reg)
{
	return x86_mmio_read32(apic_lapic + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	x86_mmio_write32(apic_lapic + reg, v);
}

static void apic_eoi(void)
{
	apic_write(LAPIC_EOI, 0);
}

/* Remap the PICs off the exception vectors, then mask every line. */
static void apic_mask_pics(void)
{
	x86_outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	x86_outb(PIC2_CMD, 0x11);
	x86_outb(PIC1_DATA, X86_VEC_PIC_BASE); /* ICW2: vectors */
	x86_outb(PIC2_DATA, X86_VEC_PIC_BASE + 8);
	x86_outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ2 */
	x86_outb(PIC2_DATA, 0x02);
	x86_outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	x86_outb(PIC2_DATA, 0x01);
	x86_outb(PIC1_DATA, 0xff);
	x86_outb(PIC2_DATA, 0xff);
}

/* ---- IOAPIC ------------------------------------------------------------- */

static uint32_t apic_ioapic_read(const struct apic_ioapic *io, uint32_t reg)
{
	x86_mmio_write32(io->base + IOAPIC_REGSEL, reg);
	return x86_mmio_read32(io->base + IOAPIC_WIN);
}

static void apic_ioapic_write(const struct apic_ioapic *io, uint32_t reg,
			      uint32_t v)
{
	x86_mmio_write32(io->base + IOAPIC_REGSEL, reg);
	x86_mmio_write32(io->base + IOAPIC_WIN, v);
}

/* The IOAPIC serving `gsi`, and its pin there; NULL if none. */
static const struct apic_ioapic *apic_ioapic_for(unsigned gsi, unsigned *pin)
{
	for (int i = 0; i < IOAPIC_COUNT; i++) {
		const struct apic_ioapic *io = &apic_ioapics[i];

		if (io->pins && gsi >= io->gsi_base &&
		    gsi < io->gsi_base + io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

static void apic_ioapic_route(unsigned gsi, uint32_t low)
{
	unsigned pin;
	const struct apic_ioapic *io = apic_ioapic_for(gsi, &pin);

	if (!io)
		return;
	/* Mask first, so the entry is never live half-written. */
	apic_ioapic_write(io, IOAPIC_REDIR + 2 * pin, IOAPIC_MASKED);
	apic_ioapic_write(io, IOAPIC_REDIR + 2 * pin + 1, apic_id << 24);
	apic_ioapic_write(io, IOAPIC_REDIR + 2 * pin, low);
}

static uint32_t apic_redir_low(unsigned gsi)
{
	uint32_t low = X86_VEC_GSI_BASE + gsi;

	if (apic_gsi[gsi].level)
		low |= IOAPIC_LEVEL;
	if (apic_gsi[gsi].active_low)
		low |= IOAPIC_LOW_POLARITY;
	return low;
}

/* Find the IOAPICs, mask every input, log what is there. */
static void apic_ioapic_probe(void)
{
	for (int i = 0; i < IOAPIC_COUNT; i++) {
		struct apic_ioapic *io = &apic_ioapics[i];
		uint32_t ver = apic_ioapic_read(io, IOAPIC_REG_VER);
		unsigned pins = ((ver >> 16) & 0xff) + 1;

		/* Nothing there reads as all zeros or all ones. */
		if (ver == 0 || ver == 0xffffffffu || (ver & 0xff) < 0x01 ||
		    (ver & 0xff) > 0x2f || pins < 8)
			continue;
		if (io->gsi_base + pins > X86_GSI_MAX)
			pins = X86_GSI_MAX - io->gsi_base;
		io->pins = pins;
		for (unsigned pin = 0; pin < pins; pin++)
			apic_ioapic_write(io, IOAPIC_REDIR + 2 * pin,
					  IOAPIC_MASKED);
		log_printf(LOG_INFO,
			   "x86: ioapic at 0x%lx version 0x%x, gsi "
			   "%u-%u",
			   (unsigned long)io->base, (unsigned)(ver & 0xff),
			   io->gsi_base, io->gsi_base + pins - 1);
	}
}

int x86_apic_init(void)
{
	uint64_t base;

	apic_mask_pics();
	if (!(x86_cpuid(1, 0).edx & CPUID1_EDX_APIC)) {
		log_printf(LOG_ERROR, "x86: this CPU has no local APIC");
		return NET_ENOTSUP;
	}
	base = x86_rdmsr(MSR_APIC_BASE);
	apic_lapic = (uintptr_t)(base & 0x000ffffffffff000ull);
	if (apic_lapic < 0xc0000000u || apic_lapic > 0xfffff000u) {
		/* entry.S maps only 3-4 GiB uncached. */
		log_printf(LOG_ERROR,
			   "x86: local APIC at 0x%lx, outside the "
			   "3-4 GiB device window",
			   (unsigned long)apic_lapic);
		return NET_ENOTSUP;
	}
	x86_wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	apic_write(LAPIC_TPR, 0);
	apic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | X86_VEC_TIMER);
	apic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	apic_write(LAPIC_LVT_LINT1, LAPIC_LVT_NMI);
	apic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	apic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | X86_VEC_SPURIOUS);
	apic_write(LAPIC_TIMER_DIV, LAPIC_DIV_16);
	apic_id = apic_read(LAPIC_ID) >> 24;
	log_printf(LOG_INFO, "x86: local apic at 0x%lx id %u, 8259 pics masked",
		   (unsigned long)apic_lapic, (unsigned)apic_id);
	apic_ioapic_probe();
	return NET_OK;
}

/* ---- the timer ---------------------------------------------------------- */

/*
 * One window: the timer counts down from 2^32 - 1 while the TSC runs for
 * about `ms`. Under QEMU an access to the APIC may wait for a host lock
 * before it happens, while time runs on; each TSC read therefore follows
 * the access it dates, so the wait falls outside the measured span.
 */
static uint64_t apic_timer_window(uint64_t tsc_hz, unsigned ms)
{
	uint64_t span = tsc_hz / 1000 * ms;
	uint64_t start, end;
	uint32_t left;

	apic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	start = x86_rdtsc();
	while (x86_rdtsc() - start < span)
		x86_pause();
	left = apic_read(LAPIC_TIMER_CUR);
	end = x86_rdtsc();
	apic_write(LAPIC_TIMER_INIT, 0);
	if (left == 0 || left == 0xffffffffu)
		return 0;
	return (uint64_t)(0xffffffffu - left) * tsc_hz / (end - start);
}

int apic_timer_calibrate(uint64_t tsc_hz, unsigned ms)
{
	uint64_t w[3], t;

	apic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | X86_VEC_TIMER);
	for (int i = 0; i < 3; i++)
		w[i] = apic_timer_window(tsc_hz, ms);
	/* The median of three, as for the TSC (clock.c). */
	for (int i = 0; i < 3; i++) {
		for (int j = i + 1; j < 3; j++) {
			if (w[j] < w[i]) {
				t = w[i];
				w[i] = w[j];
				w[j] = t;
			}
		}
	}
	apic_timer_rate = w[1];
	return apic_timer_rate ? NET_OK : NET_ENOTSUP;
}

uint64_t apic_timer_hz(void)
{
	return apic_timer_rate;
}

/* APIC timer ticks for `ns` nanoseconds, rounded up, in 1..2^32-1. */
static uint32_t apic_ticks(uint64_t ns)
{
	uint64_t us = ns / 1000 + 1;
	uint64_t ticks;

	if (us > 60000000u)
		us = 60000000u; /* an early wake-up is allowed */
	ticks = us * apic_timer_rate / 1000000u + 1;
	return ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks;
}

static void apic_unmask_level(void)
{
	for (unsigned gsi = 0; apic_masked_level && gsi < X86_GSI_MAX; gsi++) {
		if (!(apic_masked_level & (1ull << gsi)))
			continue;
		apic_masked_level &= ~(1ull << gsi);
		if (apic_gsi[gsi].used)
			apic_ioapic_route(gsi, apic_redir_low(gsi));
	}
}

void x86_idle(uint64_t deadline_ns)
{
	uint64_t now = x86_now_ns();

	if (deadline_ns <= now)
		return;
	apic_unmask_level();
	apic_write(LAPIC_LVT_TIMER, X86_VEC_TIMER); /* one-shot */
	apic_write(LAPIC_TIMER_INIT, apic_ticks(deadline_ns - now));
	apic_stats.idle_sleeps++;
	/* sti's one-instruction shadow makes the pair atomic: an interrupt
	 * pending before it still ends the hlt (SDM Vol. 2B, STI). */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
	apic_write(LAPIC_TIMER_INIT, 0);
}

/* ---- interrupt entry ---------------------------------------------------- */

static void apic_gsi_interrupt(unsigned gsi)
{
	struct apic_handler *h = &apic_gsi[gsi];
	unsigned pin;
	const struct apic_ioapic *io;

	apic_stats.device_irqs++;
	if (h->fn)
		h->fn(h->arg);
	/* A level input stays masked until the loop has had its turn. */
	if (h->level) {
		io = apic_ioapic_for(gsi, &pin);
		if (io)
			apic_ioapic_write(io, IOAPIC_REDIR + 2 * pin,
					  apic_redir_low(gsi) | IOAPIC_MASKED);
		apic_masked_level |= 1ull << gsi;
	}
	apic_eoi();
}

void apic_interrupt(unsigned vec)
{
	if (vec == X86_VEC_SPURIOUS ||
	    (vec >= X86_VEC_PIC_BASE && vec < X86_VEC_PIC_BASE + 16)) {
		apic_stats.spurious_irqs++; /* no EOI for these */
		return;
	}
	if (vec == X86_VEC_TIMER) {
		apic_stats.timer_irqs++;
	} else if (vec >= X86_VEC_GSI_BASE &&
		   vec < X86_VEC_GSI_BASE + X86_GSI_MAX) {
		apic_gsi_interrupt(vec - X86_VEC_GSI_BASE);
		return;
	} else if (vec >= X86_VEC_MSI_BASE &&
		   vec < X86_VEC_MSI_BASE + X86_VEC_MSI_COUNT &&
		   apic_msi[vec - X86_VEC_MSI_BASE].used) {
		struct apic_handler *h = &apic_msi[vec - X86_VEC_MSI_BASE];

		apic_stats.device_irqs++;
		if (h->fn)
			h->fn(h->arg);
	} else {
		apic_stats.spurious_irqs++;
	}
	apic_eoi();
}

/* ---- the driver interface ----------------------------------------------- */

int x86_irq_enable(unsigned gsi, enum x86_irq_mode mode, void (*fn)(void *arg),
		   void *arg)
{
	unsigned pin;

	if (gsi >= X86_GSI_MAX || !apic_ioapic_for(gsi, &pin))
		return NET_EINVAL;
	if (apic_gsi[gsi].used)
		return NET_EADDRINUSE;
	apic_gsi[gsi] =
	    (struct apic_handler){.fn = fn,
				  .arg = arg,
				  .used = true,
				  .level = mode != X86_IRQ_EDGE_HIGH,
				  .active_low = mode == X86_IRQ_LEVEL_LOW};
	apic_ioapic_route(gsi, apic_redir_low(gsi));
	return NET_OK;
}

void x86_irq_disable(unsigned gsi)
{
	unsigned pin;
	const struct apic_ioapic *io;

	if (gsi >= X86_GSI_MAX)
		return;
	io = apic_ioapic_for(gsi, &pin);
	if (io)
		apic_ioapic_write(io, IOAPIC_REDIR + 2 * pin, IOAPIC_MASKED);
	apic_gsi[gsi] = (struct apic_handler){0};
	apic_masked_level &= ~(1ull << gsi);
}

int x86_msi_alloc(void (*fn)(void *arg), void *arg, uint64_t *addr,
		  uint32_t *data)
{
	for (unsigned i = 0; i < X86_VEC_MSI_COUNT; i++) {
		if (apic_msi[i].used)
			continue;
		apic_msi[i] = (struct apic_handler){
		    .fn = fn, .arg = arg, .used = true, .level = false};
		/* SDM Vol. 3A §11.11.1-2: physical destination, fixed, edge. */
		*addr = MSI_ADDRESS | apic_id << 12;
		*data = X86_VEC_MSI_BASE + i;
		return NET_OK;
	}
	return NET_ENOBUFS;
}

void x86_irq_get_stats(struct x86_irq_stats *out)
{
	*out = apic_stats;
}
