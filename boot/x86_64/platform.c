/*
 * platform.c - <kernel/platform.h> for the x86_64 target under QEMU.
 *
 *   clock    the TSC, calibrated at boot (kernel/arch/x86_64/clock.c),
 *            counted from the calibration
 *   console  COM1, polled
 *   entropy  virtio-rng when the machine has one (virtio.c sets
 *            x86_entropy_source), else RDSEED, else RDRAND; NET_ENOTSUP
 *            with none of them
 *   idle     the local APIC timer armed for the deadline, then
 *            `sti; hlt; cli`: the timer or any device interrupt wakes it
 *   exit     isa-debug-exit at port 0xf4 (QEMU exits (code << 1) | 1),
 *            else the CPU halts
 *   netdev   virtio-net, on PCI (pc, q35) or virtio-mmio (microvm), its
 *            interrupt routed to wake the idle CPU (virtio.c); NULL when
 *            there is none. The test key netdev=null asks for
 *            drivers/null instead
 *
 * Target keys, for tests (fault= and stop_ms= parsed by
 * kernel/arch/common/testkey.c, the same on every kernel target):
 *   fault=ud2|pf|div0|gp|stack|text_write|data_exec
 *                         raise that CPU exception once the command line
 *                         is validated, to show the exception report
 *                         (stack: overflow the boot stack into its guard
 *                         page, a #PF that becomes a #DF; text_write and
 *                         data_exec: #PF from the page protections)
 *   netdev=null           a device that drops what it is sent, so the
 *                         kernel reaches its loop without a NIC
 *   stop_ms=N             after N ms of uptime print the counters (the
 *                         stack's, then x86.*, virtio_net.*, virtio_rng.*
 *                         and null.*) and stop with exit code 0
 *   irqtest=rtc|rtc_level the CMOS RTC's periodic interrupt at 2 Hz,
 *                         through the IOAPIC (GSI 8, edge; or level/high,
 *                         which QEMU's RTC line also is: it stays raised
 *                         until register C is read): a device interrupt
 *                         that wakes the idle CPU, counted as x86.rtc_irqs
 */
#include <kernel/platform.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <arch/x86.h>
#include <arch/x86_io.h>
#include <arch/testkey.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <net/net.h>
#include <null_netdev.h>

#include "boot.h"

#define PLATFORM_NS_PER_MS 1000000u

/* The MC146818 RTC behind the CMOS index/data ports. */
#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_REG_C      0x0c
#define RTC_A_RATE_2HZ 0x0f /* 32768 Hz >> (15 - 1) */
#define RTC_B_PIE      0x40 /* periodic interrupt enable */
#define RTC_GSI	       8

const char *const platform_cmdline_keys[] = {"fault", "netdev", "stop_ms",
					     "irqtest", NULL};

static bool platform_null;
static uint64_t platform_rtc_irqs;

uint64_t platform_now_ms(void)
{
	return x86_now_ns() / PLATFORM_NS_PER_MS;
}

void platform_console_write(const char *s, size_t len)
{
	x86_serial_write(s, len);
}

int platform_entropy(void *buf, size_t len)
{
	return x86_entropy(buf, len);
}

_Noreturn void platform_exit(int code)
{
	x86_exit(code);
}

const char *platform_cmdline(void)
{
	return boot_cmdline();
}

/* ---- test keys ------------------------------------------------------------
 */

static void platform_stats(void)
{
	struct x86_irq_stats s;

	x86_irq_get_stats(&s);
	kernel_print_stat("x86.idle_sleeps", s.idle_sleeps);
	kernel_print_stat("x86.timer_irqs", s.timer_irqs);
	kernel_print_stat("x86.device_irqs", s.device_irqs);
	kernel_print_stat("x86.spurious_irqs", s.spurious_irqs);
	boot_virtio_stats();
	if (platform_null)
		kernel_print_stat("null.tx_frames", null_netdev_tx_frames());
	if (platform_rtc_irqs)
		kernel_print_stat("x86.rtc_irqs", platform_rtc_irqs);
}

/* Each a separate function, so the backtrace names it. */
__attribute__((noinline)) static void platform_fault_ud2(void)
{
	__asm__ volatile("ud2");
}

__attribute__((noinline)) static void platform_fault_pf(void)
{
	/* 4 GiB: the first address entry.S leaves unmapped. */
	(void)*(volatile uint64_t *)(uintptr_t)0x100000000ull;
}

__attribute__((noinline)) static void platform_fault_div0(void)
{
	/* In assembly: gcc may fold a C division by a known zero away. */
	uint32_t lo = 1, hi = 0;

	__asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "c"(0u));
}

__attribute__((noinline)) static void platform_fault_gp(void)
{
	/* A non-canonical address (SDM Vol. 1 §3.3.7.1). */
	(void)*(volatile uint64_t *)(uintptr_t)0x8000000000000000ull;
}

__attribute__((noinline)) static void platform_fault_text_write(void)
{
	/* Text is mapped read-only (boot/x86_64/entry.S). */
	*(volatile uint8_t *)(uintptr_t)platform_fault_ud2 = 0xcc;
}

/* One `ret` instruction, in writable, not executable data. */
static uint8_t platform_ret_in_data[1] = {0xc3};

__attribute__((noinline)) static void platform_fault_data_exec(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)platform_ret_in_data;

	fn();
}

static void platform_fault(void)
{
	static const char expected[] =
	    "ud2, pf, div0, gp, stack, text_write or data_exec";
	static const struct testkey_fault faults[] = {
	    {"ud2", platform_fault_ud2},
	    {"pf", platform_fault_pf},
	    {"div0", platform_fault_div0},
	    {"gp", platform_fault_gp},
	    {"stack", testkey_fault_stack},
	    {"text_write", platform_fault_text_write},
	    {"data_exec", platform_fault_data_exec},
	};

	testkey_fault(faults, sizeof(faults) / sizeof(faults[0]), expected);
}

static uint8_t platform_cmos_read(uint8_t reg)
{
	x86_outb(CMOS_INDEX, reg);
	return x86_inb(CMOS_DATA);
}

static void platform_cmos_write(uint8_t reg, uint8_t v)
{
	x86_outb(CMOS_INDEX, reg);
	x86_outb(CMOS_DATA, v);
}

/* In the handler: reading register C acknowledges the interrupt. */
static void platform_rtc_irq(void *arg)
{
	(void)arg;
	(void)platform_cmos_read(RTC_REG_C);
	platform_rtc_irqs++;
}

static void platform_irqtest(void)
{
	static const char expected[] = "rtc or rtc_level";
	char v[TESTKEY_VALUE_MAX];
	enum x86_irq_mode mode;
	uint8_t a, b;

	if (!testkey_get("irqtest", v, sizeof(v), expected))
		return;
	if (strcmp(v, "rtc") == 0)
		mode = X86_IRQ_EDGE_HIGH;
	else if (strcmp(v, "rtc_level") == 0)
		mode = X86_IRQ_LEVEL_HIGH;
	else
		testkey_usage("irqtest", v, expected);
	if (x86_irq_enable(RTC_GSI, mode, platform_rtc_irq, NULL) != NET_OK) {
		log_printf(LOG_ERROR, "x86: irqtest=%s: gsi %d unavailable", v,
			   RTC_GSI);
		platform_exit(KERNEL_EXIT_FAILURE);
	}
	a = platform_cmos_read(RTC_REG_A);
	platform_cmos_write(RTC_REG_A, (uint8_t)((a & 0xf0) | RTC_A_RATE_2HZ));
	b = platform_cmos_read(RTC_REG_B);
	platform_cmos_write(RTC_REG_B, b | RTC_B_PIE);
	(void)platform_cmos_read(RTC_REG_C);
	log_printf(LOG_INFO,
		   "x86: irqtest=%s: rtc periodic interrupt, 2 Hz, on gsi %d, "
		   "%s",
		   v, RTC_GSI, mode == X86_IRQ_EDGE_HIGH ? "edge" : "level");
}

/* ---- device and idle ------------------------------------------------------
 */

struct netdev *platform_netdev(void)
{
	char v[TESTKEY_VALUE_MAX];
	struct netdev *nd;

	platform_fault();
	testkey_read_stop();
	platform_irqtest();
	kernel_set_stats_hook(platform_stats);
	if (testkey_get("netdev", v, sizeof(v), "null")) {
		if (strcmp(v, "null") != 0)
			testkey_usage("netdev", v, "null");
		platform_null = true;
		log_printf(LOG_INFO, "x86: netdev=null: frames sent are "
				     "dropped, none arrive");
		return null_netdev_open();
	}
	nd = boot_virtio_net_open();
	if (!nd)
		log_printf(LOG_ERROR,
			   "x86: no virtio-net device (QEMU: -device "
			   "virtio-net-pci,disable-legacy=on or "
			   "virtio-net-device)");
	return nd;
}

void platform_idle(uint64_t deadline_ms)
{
	uint64_t now = platform_now_ms();

	boot_virtio_poll();
	if (testkey_stop_due(now, &deadline_ms))
		return;
	if (deadline_ms > UINT64_MAX / PLATFORM_NS_PER_MS)
		deadline_ms = UINT64_MAX / PLATFORM_NS_PER_MS;
	x86_idle(deadline_ms * PLATFORM_NS_PER_MS);
}
