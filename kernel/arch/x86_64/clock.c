/*
 * clock.c - time from the TSC, calibrated once at boot.
 *
 * The rate comes from the 8254 PIT when one answers: channel 0 runs in
 * mode 2 from 65536 at 1.193182 MHz while the TSC is read at both ends of
 * a 5 ms window, counting PIT ticks across the counter's wrap from its
 * latched value (port 0x43 command 0x00, then low and high byte from
 * 0x40). Each TSC read follows the PIT read it dates (under QEMU a port
 * access may first wait for a host lock). Three windows are measured and the
 * median kept, so one window stretched by the host descheduling the virtual CPU
 * does not skew the result. Without a PIT (its counter never moves) CPUID leaf
 * 0x15 gives the TSC/crystal ratio and, where enumerated, the crystal's
 * frequency; else leaf 0x16's base frequency in MHz is used. With none of them
 * the target has no clock and refuses to boot.
 *
 * The PIT is measured first even where CPUID offers a rate: under QEMU's
 * TCG the TSC runs at the host's rate, which CPUID does not describe.
 *
 * The origin of x86_now_ns() is the start of x86_clock_init(). Then the
 * local APIC timer is measured against the TSC (apic.c). The PIT is left
 * in mode 0 (a single count, no periodic interrupt: its input is masked
 * anyway). Rates up to 18 GHz keep x86_now_ns()'s arithmetic in 64 bits.
 */
#include <arch/x86.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/x86_io.h>
#include <kernel/log.h>
#include <net/net.h>

#include "apic.h"

#define PIT_HZ		  1193182u
#define PIT_CH0		  0x40
#define PIT_CMD		  0x43
#define PIT_CMD_CH0_MODE2 0x34 /* channel 0, lobyte/hibyte, mode 2 */
#define PIT_CMD_CH0_MODE0 0x30
#define PIT_CMD_LATCH_CH0 0x00
/* Calibration windows: three of each, the median kept (~21 ms of boot). */
#define CLOCK_WINDOW_MS	     5
#define CLOCK_APIC_WINDOW_MS 2
#define CLOCK_WINDOWS	     3
/* Reads of an unchanging counter before deciding there is no PIT. */
#define CLOCK_PIT_STALE_MAX 200000
#define CPUID_INVARIANT_TSC (1u << 8)

static uint64_t clock_hz;
static uint64_t clock_tsc0;
static uint64_t clock_last_ns;

static uint16_t clock_pit_read(void)
{
	uint8_t lo, hi;

	x86_outb(PIT_CMD, PIT_CMD_LATCH_CH0);
	lo = x86_inb(PIT_CH0);
	hi = x86_inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

/* TSC ticks per second over one window: NET_OK or NET_ENOTSUP. */
static int clock_pit_window(uint64_t *hz)
{
	const uint32_t target = PIT_HZ / 1000 * CLOCK_WINDOW_MS;
	uint32_t elapsed = 0, stale = 0;
	uint16_t prev = clock_pit_read(), cur;
	uint64_t t0 = x86_rdtsc();

	while (elapsed < target) {
		cur = clock_pit_read();
		if (cur == prev) {
			if (++stale > CLOCK_PIT_STALE_MAX)
				return NET_ENOTSUP;
			continue;
		}
		stale = 0;
		elapsed += (uint16_t)(prev - cur); /* it counts down */
		prev = cur;
	}
	*hz = (x86_rdtsc() - t0) * PIT_HZ / elapsed;
	return NET_OK;
}

static int clock_from_pit(uint64_t *hz)
{
	uint64_t w[CLOCK_WINDOWS], t;

	x86_outb(PIT_CMD, PIT_CMD_CH0_MODE2);
	x86_outb(PIT_CH0, 0);
	x86_outb(PIT_CH0, 0);
	for (int i = 0; i < CLOCK_WINDOWS; i++) {
		if (clock_pit_window(&w[i]) != NET_OK)
			return NET_ENOTSUP;
	}
	x86_outb(PIT_CMD, PIT_CMD_CH0_MODE0);
	x86_outb(PIT_CH0, 0xff);
	x86_outb(PIT_CH0, 0xff);
	/* The median of three. */
	for (int i = 0; i < CLOCK_WINDOWS; i++) {
		for (int j = i + 1; j < CLOCK_WINDOWS; j++) {
			if (w[j] < w[i]) {
				t = w[i];
				w[i] = w[j];
				w[j] = t;
			}
		}
	}
	*hz = w[CLOCK_WINDOWS / 2];
	return *hz ? NET_OK : NET_ENOTSUP;
}

/* CPUID 0x15 (TSC/crystal ratio and crystal Hz), else 0x16 (base MHz). */
static const char *clock_from_cpuid(uint64_t *hz)
{
	struct x86_cpuid r = x86_cpuid(0x15, 0);

	if (r.eax && r.ebx && r.ecx) {
		*hz = (uint64_t)r.ecx * r.ebx / r.eax;
		return "cpuid 0x15";
	}
	r = x86_cpuid(0x16, 0);
	if (r.eax & 0xffff) {
		*hz = (uint64_t)(r.eax & 0xffff) * 1000000u;
		return "cpuid 0x16";
	}
	return NULL;
}

int x86_clock_init(void)
{
	const char *source = "the pit";
	uint64_t hz = 0;
	bool invariant = x86_cpuid(0x80000007u, 0).edx & CPUID_INVARIANT_TSC;

	clock_tsc0 = x86_rdtsc();
	if (clock_from_pit(&hz) != NET_OK)
		source = clock_from_cpuid(&hz);
	if (!source || hz < 1000000u || hz > 18000000000ull) {
		log_printf(LOG_ERROR, "x86: no way to measure the tsc (no pit, "
				      "no cpuid 0x15/0x16)");
		return NET_ENOTSUP;
	}
	clock_hz = hz;
	log_printf(LOG_INFO, "x86: tsc %llu.%03llu MHz from %s%s",
		   (unsigned long long)(hz / 1000000u),
		   (unsigned long long)(hz / 1000u % 1000u), source,
		   invariant ? ", invariant" : "");
	if (apic_timer_calibrate(hz, CLOCK_APIC_WINDOW_MS) != NET_OK) {
		log_printf(LOG_ERROR,
			   "x86: the local apic timer does not count");
		return NET_ENOTSUP;
	}
	log_printf(LOG_INFO, "x86: apic timer %llu.%03llu MHz (tsc-measured)",
		   (unsigned long long)(apic_timer_hz() / 1000000u),
		   (unsigned long long)(apic_timer_hz() / 1000u % 1000u));
	return NET_OK;
}

uint64_t x86_tsc_hz(void)
{
	return clock_hz;
}

uint64_t x86_now_ns(void)
{
	uint64_t d, ns;

	if (!clock_hz)
		return 0;
	d = x86_rdtsc() - clock_tsc0;
	ns = d / clock_hz * 1000000000u + d % clock_hz * 1000000000u / clock_hz;
	if (ns < clock_last_ns)
		return clock_last_ns; /* never backwards */
	clock_last_ns = ns;
	return ns;
}
