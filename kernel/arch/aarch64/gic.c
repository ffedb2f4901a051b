/*
 * gic.c - the interrupt controller, the clock and the sleep: QEMU virt's
 * GICv2 (distributor 0x08000000, CPU interface 0x08010000), the generic
 * timer's virtual counter and timer, and arm64_idle(). The interrupt
 * model is in <arch/arm64.h>.
 *
 * GICv2 (Arm GIC architecture specification v2, IHI 0048B): the
 * distributor's GICD_CTLR enables forwarding, GICD_ISENABLER0 enables
 * PPI 27 at priority 0xa0 (GICD_IPRIORITYR), and arm64_irq_enable() a
 * device's SPI, level-sensitive (GICD_ICFGR), to CPU interface 0
 * (GICD_ITARGETSR), at the same priority; the CPU interface takes
 * every priority (GICC_PMR 0xf0) and signals IRQs (GICC_CTLR). A handler
 * acknowledges with GICC_IAR (1023: spurious) and completes with
 * GICC_EOIR. The GIC's security extensions are absent on virt without
 * EL3, so both groups are enabled and group 0 arrives as IRQ. GICv3
 * (-M virt,gic-version=3) is not supported: the distributor's
 * GICD_PIDR2 architecture field (offset 0xfe8; a GICv3 has it at 0xffe8)
 * is checked and anything but v1/v2 is refused at boot.
 *
 * The generic timer (Arm ARM D11): CNTFRQ_EL0 is the counter's rate
 * (QEMU: 62.5 MHz); CNTVCT_EL0, read after an ISB, is the clock. The EL1
 * virtual timer (CNTV_CVAL_EL0, CNTV_CTL_EL0) fires at the loop's
 * deadline as PPI 11, INTID 27; its line is level: the handler masks it
 * (CNTV_CTL.IMASK) and the idle disables it.
 */
#include <arch/arm64.h>

#include <stdbool.h>
#include <stdint.h>

#include <kernel/log.h>
#include <net/net.h>

#define GICD_CTLR	 0x000
#define GICD_TYPER	 0x004
#define GICD_ISENABLER0	 0x100
#define GICD_ICENABLER0	 0x180
#define GICD_ICPENDR0	 0x280
#define GICD_ITARGETSR	 0x800
#define GICD_ICFGR	 0xc00
#define GICD_IPRIORITYR	 0x400
#define GICD_PIDR2	 0xfe8
#define GICD_PIDR2_V3	 0xffe8 /* where a GICv3 distributor has it */
#define GICC_CTLR	 0x000
#define GICC_PMR	 0x004
#define GICC_IAR	 0x00c
#define GICC_EOIR	 0x010
#define GIC_ENABLE_GRPS	 3u
#define GIC_PMR_ALL	 0xf0u
#define GIC_PRIO_TIMER	 0xa0u
#define GIC_SPURIOUS	 1023u
#define GIC_INTID_VTIMER 27u

#define CNTV_CTL_ENABLE 1u
#define CNTV_CTL_IMASK	2u
#define GIC_NS_PER_S	1000000000ull
#define GIC_IDLE_MAX_NS (60 * GIC_NS_PER_S) /* longest one sleep */

struct gic_handler {
	void (*fn)(void *arg);
	void *arg;
};

static struct arm64_irq_stats gic_stats;
static struct gic_handler gic_handlers[ARM64_SPI_MAX];
static unsigned gic_lines;
static uint64_t gic_hz;
static uint64_t gic_cnt0;
static uint64_t gic_last_ns;

static volatile uint32_t *gicd(uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(ARM64_GICD_BASE + off);
}

static volatile uint32_t *gicc(uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(ARM64_GICC_BASE + off);
}

int arm64_gic_init(void)
{
	uint32_t arch = (*gicd(GICD_PIDR2) >> 4) & 0xf;
	volatile uint8_t *prio =
	    (volatile uint8_t *)(uintptr_t)(ARM64_GICD_BASE + GICD_IPRIORITYR);

	if (arch != 1 && arch != 2) {
		log_printf(LOG_ERROR,
			   "aarch64: the interrupt controller is not a gicv2 "
			   "(GICD_PIDR2 architecture %u; at the gicv3 offset "
			   "%u); boot with -M virt (gic-version=2)",
			   (unsigned)arch,
			   (unsigned)((*gicd(GICD_PIDR2_V3) >> 4) & 0xf));
		return NET_ENOTSUP;
	}
	gic_lines = ((*gicd(GICD_TYPER) & 0x1f) + 1) * 32;
	*gicd(GICD_CTLR) = 0;
	for (unsigned i = 0; i < gic_lines / 32; i++)
		*gicd(GICD_ICENABLER0 + 4 * i) = 0xffffffffu; /* all off */
	*gicd(GICD_ICPENDR0) = 0xffffffffu;
	prio[GIC_INTID_VTIMER] = GIC_PRIO_TIMER;
	*gicd(GICD_ISENABLER0) = 1u << GIC_INTID_VTIMER;
	*gicd(GICD_CTLR) = GIC_ENABLE_GRPS;
	*gicc(GICC_PMR) = GIC_PMR_ALL;
	*gicc(GICC_CTLR) = GIC_ENABLE_GRPS;
	log_printf(LOG_INFO,
		   "aarch64: gicv2 distributor at 0x%x (%u interrupt lines), "
		   "cpu interface at 0x%x; virtual timer on intid %u",
		   ARM64_GICD_BASE, gic_lines, ARM64_GICC_BASE,
		   GIC_INTID_VTIMER);
	return NET_OK;
}

void arm64_gic_interrupt(void)
{
	uint32_t iar = *gicc(GICC_IAR);
	uint32_t id = iar & 0x3ff;

	if (id == GIC_SPURIOUS) {
		gic_stats.spurious_irqs++;
		return;
	}
	if (id == GIC_INTID_VTIMER) {
		ARM64_WRITE(cntv_ctl_el0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
		gic_stats.timer_irqs++;
	} else if (id >= ARM64_SPI_BASE &&
		   id < ARM64_SPI_BASE + ARM64_SPI_MAX &&
		   gic_handlers[id - ARM64_SPI_BASE].fn) {
		struct gic_handler *h = &gic_handlers[id - ARM64_SPI_BASE];

		h->fn(h->arg);
		gic_stats.device_irqs++;
	} else {
		gic_stats.other_irqs++;
	}
	*gicc(GICC_EOIR) = iar;
}

int arm64_irq_enable(unsigned intid, void (*fn)(void *arg), void *arg)
{
	unsigned spi = intid - ARM64_SPI_BASE;
	volatile uint8_t *b = (volatile uint8_t *)(uintptr_t)ARM64_GICD_BASE;
	uint32_t cfg;

	if (intid < ARM64_SPI_BASE || spi >= ARM64_SPI_MAX ||
	    intid >= gic_lines)
		return NET_EINVAL;
	if (gic_handlers[spi].fn)
		return NET_EADDRINUSE;
	gic_handlers[spi].fn = fn;
	gic_handlers[spi].arg = arg;
	b[GICD_IPRIORITYR + intid] = GIC_PRIO_TIMER;
	b[GICD_ITARGETSR + intid] = 1; /* CPU interface 0 */
	/* Level-sensitive: Int_config bit 1 of the field clear. */
	cfg = *gicd(GICD_ICFGR + 4 * (intid / 16));
	cfg &= ~(2u << (2 * (intid % 16)));
	*gicd(GICD_ICFGR + 4 * (intid / 16)) = cfg;
	*gicd(GICD_ISENABLER0 + 4 * (intid / 32)) = 1u << (intid % 32);
	return NET_OK;
}

void arm64_irq_get_stats(struct arm64_irq_stats *out)
{
	*out = gic_stats;
}

static uint64_t gic_counter(void)
{
	__asm__ volatile("isb" : : : "memory");
	return ARM64_READ(cntvct_el0);
}

int arm64_timer_init(void)
{
	gic_hz = ARM64_READ(cntfrq_el0) & 0xffffffffu;
	if (gic_hz < 1000000u) {
		log_printf(LOG_ERROR,
			   "aarch64: CNTFRQ_EL0 says %llu Hz; no usable clock",
			   (unsigned long long)gic_hz);
		return NET_ENOTSUP;
	}
	ARM64_WRITE(cntv_ctl_el0, 0);
	gic_cnt0 = gic_counter();
	log_printf(LOG_INFO,
		   "aarch64: clock: generic timer %llu.%03llu MHz (cntfrq), "
		   "virtual counter",
		   (unsigned long long)(gic_hz / 1000000u),
		   (unsigned long long)(gic_hz / 1000u % 1000u));
	return NET_OK;
}

uint64_t arm64_timer_hz(void)
{
	return gic_hz;
}

uint64_t arm64_now_ns(void)
{
	uint64_t d, ns;

	if (!gic_hz)
		return 0;
	d = gic_counter() - gic_cnt0;
	ns = d / gic_hz * GIC_NS_PER_S + d % gic_hz * GIC_NS_PER_S / gic_hz;
	if (ns < gic_last_ns)
		return gic_last_ns; /* never backwards */
	gic_last_ns = ns;
	return ns;
}

void arm64_idle(uint64_t deadline_ns)
{
	uint64_t now = arm64_now_ns(), d, ticks;

	if (deadline_ns <= now)
		return;
	d = deadline_ns - now;
	if (d > GIC_IDLE_MAX_NS)
		d = GIC_IDLE_MAX_NS; /* the loop polls again: no overflow */
	ticks = d / GIC_NS_PER_S * gic_hz +
		d % GIC_NS_PER_S * gic_hz / GIC_NS_PER_S + 1;
	ARM64_WRITE(cntv_cval_el0, gic_counter() + ticks);
	ARM64_WRITE(cntv_ctl_el0, CNTV_CTL_ENABLE);
	gic_stats.idle_sleeps++;
	/*
	 * IRQs stay masked across WFI, which still wakes for a pending one
	 * (Arm ARM, WFI wake-up events): an interrupt between arming and WFI
	 * cannot be lost. Unmasking afterwards lets the handler acknowledge it.
	 */
	__asm__ volatile("dsb sy; wfi; msr daifclr, #2; isb; msr daifset, #2"
			 :
			 :
			 : "memory");
	ARM64_WRITE(cntv_ctl_el0, 0);
}
